/** Formatting values as PostgreSQL COPY CSV text (an unquoted empty field is NULL). */
export function csvField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'string') return String(v);
  if (v === '') return '""';
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 34 || c === 44 || c === 10 || c === 13) return `"${v.replace(/"/g, '""')}"`;
  }
  if (v.charCodeAt(0) === 32 || v.charCodeAt(v.length - 1) === 32) return `"${v}"`;
  return v;
}

export function csvLine(values: readonly (string | number | boolean | null | undefined)[]): string {
  let s = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) s += ',';
    s += csvField(values[i]);
  }
  return s + '\n';
}

/** Groups lines into chunks of about `size` characters for COPY. */
export async function* chunkLines(lines: AsyncIterable<string> | Iterable<string>, size = 1 << 20): AsyncGenerator<string> {
  let buf = '';
  for await (const l of lines) {
    buf += l;
    if (buf.length >= size) {
      yield buf;
      buf = '';
    }
  }
  if (buf.length > 0) yield buf;
}
