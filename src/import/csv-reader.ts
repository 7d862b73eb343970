/**
 * A streaming RFC 4180 CSV reader, built for large badge exports.
 *
 * - Input: any async iterable of strings or byte chunks (UTF-8; a character
 *   split across chunks is decoded correctly; a leading BOM is dropped).
 * - Records end at LF or CRLF. Quoted fields may hold commas, `""` escapes,
 *   CR and LF; line numbers stay physical (a record spanning three lines moves
 *   the count by three). Entirely empty lines are skipped. The last line may
 *   lack a line end.
 * - Output: batches of records, each with the 1-based physical line on which
 *   it starts and exactly the fields parsed (the column count is the caller's
 *   business).
 * - Errors: `CsvSyntaxError` with the line on which the record starts and the
 *   1-based field number.
 *
 * Speed: a line with no quote character is split with native `indexOf` /
 * `split`; only lines containing a quote go through the character-level state
 * machine, which can pause at any chunk boundary and resume without rescanning.
 */
import { createReadStream, fstatSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

export interface CsvRecord {
  /** 1-based physical line on which the record starts (the header is line 1). */
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';
  /**
   * @param line 1-based physical line on which the offending record starts
   * @param column 1-based field number (not character) where the problem is
   * @param reason short lowercase description
   */
  constructor(
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`line ${line}, column ${column}: ${reason}`);
  }
}

export interface ReadCsvOptions {
  /** Most records per yielded batch (default 10,000). */
  batchSize?: number;
  /**
   * Longest field or unquoted line accepted, in characters (default 16 Mi).
   * Guards against an unterminated quote swallowing a whole file into memory.
   */
  maxFieldLength?: number;
}

const DEFAULT_BATCH = 10_000;
const DEFAULT_MAX_FIELD = 1 << 24;

const QUOTE = 34; // "
const COMMA = 44; // ,
const LF = 10;
const CR = 13;

// States of the character-level (slow) path.
const FIELD_START = 0;
const QUOTED = 1;
const QUOTE_SEEN = 2; // a quote inside a quoted field: closing, or the first of ""

/** Quotes a value for an error reason, truncated to 40 characters (never inside a surrogate pair). */
export function quoteValue(text: string): string {
  let t = text;
  if (t.length > 40) {
    let cut = 40;
    const c = t.charCodeAt(cut - 1);
    if (c >= 0xd800 && c <= 0xdbff) cut--;
    t = t.slice(0, cut) + '…';
  }
  return JSON.stringify(t);
}

function countLf(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** The incremental parser: feed text, drain records, end. */
class CsvParser {
  private buf = '';
  private pos = 0;
  /** Physical line number of the character at `pos`. */
  private line = 1;
  /** Index of the first quote at or after `pos`, or -1 when `buf` holds none there. */
  private quoteAt = -1;
  /**
   * Index of the next comma at or after the fast path's split point; -1 when
   * `buf` holds none there; any other value behind the split point means unknown.
   */
  private commaAt = -2;
  /** No LF exists in `buf` before this index (at or after `pos`). */
  private lfFrom = 0;
  private final = false;

  // State of a record being parsed by the slow path.
  private inRecord = false;
  private recLine = 0;
  private fields: string[] = [];
  private field = '';
  private state = FIELD_START;

  constructor(private readonly maxField: number) {}

  feed(text: string): void {
    if (text.length === 0) return;
    const rest = this.buf.length - this.pos;
    this.buf = this.pos === 0 ? this.buf + text : this.buf.slice(this.pos) + text;
    // quoteAt is -1 (no quote left in the old text), still ahead, or stale (behind pos).
    if (this.quoteAt === -1) this.quoteAt = this.buf.indexOf('"', rest);
    else if (this.quoteAt >= this.pos) this.quoteAt -= this.pos;
    else this.quoteAt = this.buf.indexOf('"');
    if (this.commaAt === -1) this.commaAt = this.buf.indexOf(',', rest);
    else this.commaAt = this.commaAt >= this.pos ? this.commaAt - this.pos : -2;
    this.lfFrom = Math.max(0, this.lfFrom - this.pos);
    this.pos = 0;
  }

  end(): void {
    this.final = true;
  }

  /** Parses complete records into `out` until it holds `limit` or the text runs out. */
  drain(out: CsvRecord[], limit: number): void {
    const buf = this.buf;
    const len = buf.length;
    let pos = this.pos;
    let line = this.line;
    let quoteAt = this.quoteAt;
    let commaAt = this.commaAt;
    while (out.length < limit) {
      if (this.inRecord) {
        this.pos = pos;
        this.line = line;
        const done = this.slow(out);
        pos = this.pos;
        line = this.line;
        if (!done) break;
        quoteAt = buf.indexOf('"', pos);
        continue;
      }
      if (pos >= len) break;
      let lf = buf.indexOf('\n', pos > this.lfFrom ? pos : this.lfFrom);
      const incomplete = lf === -1 && !this.final;
      if (lf === -1) lf = len;
      if (quoteAt !== -1 && quoteAt < lf) {
        if (quoteAt < pos) {
          quoteAt = buf.indexOf('"', pos);
          continue;
        }
        // A quote on this line: parse the record character by character.
        this.inRecord = true;
        this.recLine = line;
        this.fields = [];
        this.field = '';
        this.state = FIELD_START;
        continue;
      }
      if (incomplete) {
        this.lfFrom = len;
        if (len - pos > this.maxField) {
          throw new CsvSyntaxError(line, 1, `line too long (over ${this.maxField} characters)`);
        }
        break;
      }
      let end = lf;
      if (end > pos && buf.charCodeAt(end - 1) === CR) end--;
      if (end > pos) {
        // Split on commas; commaAt caches the next comma so that a line
        // without one never rescans the text after it.
        const fields: string[] = [];
        let start = pos;
        for (;;) {
          if (commaAt !== -1 && commaAt < start) commaAt = buf.indexOf(',', start);
          if (commaAt === -1 || commaAt >= end) {
            fields.push(buf.slice(start, end));
            break;
          }
          fields.push(buf.slice(start, commaAt));
          start = commaAt + 1;
        }
        out.push({ line, fields });
      }
      line++;
      pos = lf + 1;
    }
    this.pos = pos > len ? len : pos;
    this.line = line;
    this.quoteAt = quoteAt;
    this.commaAt = commaAt;
  }

  private finishRecord(out: CsvRecord[]): void {
    out.push({ line: this.recLine, fields: this.fields });
    this.fields = [];
    this.inRecord = false;
  }

  /**
   * Continues the record in progress from `pos`. Returns true when it is
   * complete (and pushed), false when more text is needed.
   */
  private slow(out: CsvRecord[]): boolean {
    const buf = this.buf;
    const len = buf.length;
    const final = this.final;
    let p = this.pos;
    for (;;) {
      if (this.state === FIELD_START) {
        if (p >= len) {
          if (!final) break;
          // End of input right after a comma: an empty last field.
          this.fields.push('');
          this.finishRecord(out);
          this.pos = p;
          return true;
        }
        if (buf.charCodeAt(p) === QUOTE) {
          this.state = QUOTED;
          this.field = '';
          p++;
          continue;
        }
        // Unquoted field: up to a comma, LF or the end.
        let i = p;
        let c = 0;
        for (; i < len; i++) {
          c = buf.charCodeAt(i);
          if (c === COMMA || c === LF) break;
          if (c === QUOTE) {
            throw new CsvSyntaxError(this.recLine, this.fields.length + 1, 'quote inside unquoted field');
          }
        }
        if (i >= len && !final) {
          if (len - p > this.maxField) {
            throw new CsvSyntaxError(this.recLine, this.fields.length + 1, `field too long (over ${this.maxField} characters)`);
          }
          break; // wait for the rest of the field
        }
        let end = i;
        if (i >= len || c === LF) {
          if (end > p && buf.charCodeAt(end - 1) === CR) end--;
          this.fields.push(buf.slice(p, end));
          if (i < len) this.line++;
          this.finishRecord(out);
          this.pos = i + 1;
          return true;
        }
        this.fields.push(buf.slice(p, end));
        p = i + 1;
        continue;
      }
      if (this.state === QUOTED) {
        const q = buf.indexOf('"', p);
        const piece = q === -1 ? buf.slice(p) : buf.slice(p, q);
        this.field += piece;
        this.line += countLf(piece);
        if (this.field.length > this.maxField) {
          throw new CsvSyntaxError(
            this.recLine,
            this.fields.length + 1,
            `quoted field too long (over ${this.maxField} characters; unterminated quote?)`,
          );
        }
        if (q === -1) {
          p = len;
          if (final) throw new CsvSyntaxError(this.recLine, this.fields.length + 1, 'unterminated quoted field');
          break;
        }
        p = q + 1;
        this.state = QUOTE_SEEN;
        continue;
      }
      // QUOTE_SEEN: the quote just read closes the field unless another follows.
      if (p >= len) {
        if (!final) break;
        this.fields.push(this.field);
        this.field = '';
        this.finishRecord(out);
        this.pos = p;
        return true;
      }
      const c = buf.charCodeAt(p);
      if (c === QUOTE) {
        this.field += '"';
        this.state = QUOTED;
        p++;
        continue;
      }
      if (c === COMMA) {
        this.fields.push(this.field);
        this.field = '';
        this.state = FIELD_START;
        p++;
        continue;
      }
      if (c === LF || c === CR) {
        let next = p + 1;
        if (c === CR) {
          if (next >= len && !final) break; // CR at a chunk's end: need to see what follows
          if (next < len) {
            if (buf.charCodeAt(next) !== LF) {
              throw new CsvSyntaxError(this.recLine, this.fields.length + 1, 'unexpected character after closing quote: "\\r"');
            }
            next++;
          }
        }
        this.fields.push(this.field);
        this.field = '';
        this.line++;
        this.finishRecord(out);
        this.pos = next;
        return true;
      }
      throw new CsvSyntaxError(
        this.recLine,
        this.fields.length + 1,
        `unexpected character after closing quote: ${quoteValue(String.fromCodePoint(buf.codePointAt(p)!))}`,
      );
    }
    this.pos = p;
    return false;
  }
}

/**
 * Reads CSV records from a stream of text or UTF-8 bytes, in batches.
 * Throws `CsvSyntaxError` on malformed input.
 */
export async function* readCsv(
  source: AsyncIterable<string | Buffer | Uint8Array>,
  options: ReadCsvOptions = {},
): AsyncGenerator<CsvRecord[]> {
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH);
  const parser = new CsvParser(options.maxFieldLength ?? DEFAULT_MAX_FIELD);
  let decoder: StringDecoder | null = null;
  let started = false;
  let out: CsvRecord[] = [];
  const feed = (text: string): void => {
    if (!started) {
      if (text.length === 0) return;
      started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    parser.feed(text);
  };
  for await (const chunk of source) {
    if (typeof chunk === 'string') {
      if (decoder) {
        feed(decoder.end());
        decoder = null;
      }
      feed(chunk);
    } else {
      decoder ??= new StringDecoder('utf8');
      feed(decoder.write(chunk as Buffer));
    }
    for (;;) {
      parser.drain(out, batchSize);
      if (out.length < batchSize) break;
      yield out;
      out = [];
    }
  }
  if (decoder) feed(decoder.end());
  parser.end();
  for (;;) {
    parser.drain(out, batchSize);
    if (out.length === 0) break;
    const full = out.length >= batchSize;
    yield out;
    out = [];
    if (!full) break;
  }
}

export interface CsvSource {
  /** The byte stream (a file read stream, or process.stdin for `-`). */
  stream: Readable;
  /** Size in bytes when known (a regular file), else null. */
  size: number | null;
  /** Bytes read from the source so far, for a progress bar. */
  bytesRead(): number;
}

/** Opens a CSV file for reading (`-` is standard input). Throws at once when the file cannot be stat'ed. */
export function openCsvSource(path: string): CsvSource {
  if (path === '-') {
    const stdin = process.stdin as Readable & { bytesRead?: number };
    let size: number | null = null;
    try {
      const st = fstatSync(0);
      if (st.isFile()) size = st.size;
    } catch {
      size = null;
    }
    return { stream: stdin, size, bytesRead: () => stdin.bytesRead ?? 0 };
  }
  const st = statSync(path);
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  return { stream, size: st.isFile() ? st.size : null, bytesRead: () => stream.bytesRead };
}

/** Reads a CSV file (`-` is standard input) in batches of records. */
export async function* readCsvFile(path: string, options: ReadCsvOptions = {}): AsyncGenerator<CsvRecord[]> {
  const { stream } = openCsvSource(path);
  try {
    yield* readCsv(stream as AsyncIterable<Buffer>, options);
  } finally {
    if (path !== '-') stream.destroy();
  }
}
