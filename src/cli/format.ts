/** Plain-text presentation for people: aligned tables and numbers. */
export function table(headers: readonly string[], rows: readonly (readonly (string | number | null)[])[], rightAlign: ReadonlySet<number> = new Set()): string {
  const cells = rows.map((r) => r.map((c) => (c === null ? '—' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const fmt = (r: readonly string[]) =>
    r.map((c, i) => (rightAlign.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [fmt(headers), fmt(widths.map((w) => '─'.repeat(w))), ...cells.map(fmt)].join('\n');
}

export function int(n: number): string {
  return n.toLocaleString('en-US');
}

export function pct(part: number, whole: number): string {
  return whole === 0 ? '—' : `${((100 * part) / whole).toFixed(1)}%`;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
