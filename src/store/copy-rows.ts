/**
 * Rows of a `COPY (select) TO STDOUT` in PostgreSQL's CSV format, read from its bytes in place.
 * node-postgres builds an object per row and a string per field; here fields are found in the
 * bytes, and the values of columns that repeat (offices, kinds, dates, an id over consecutive
 * rows) are recognised by their bytes and given as one string each, with no string made for the
 * rows that repeat them: less to allocate, and much less for the garbage collector to keep.
 *
 * PostgreSQL's CSV output: fields separated by commas, rows ended by a newline; NULL is an
 * unquoted empty field; a field is quoted when it holds a comma, a quote, CR or LF, when it is the
 * empty string, or when it is `\.` alone in a one-column result; inside quotes a quote is doubled
 * and line breaks are data. Any field may be quoted here.
 */
import { bufferOf, type Db } from './db.js';
import { parseLocalDate, type LocalDate } from '../engine/dates.js';

const COMMA = 44;
const QUOTE = 34;
const NEWLINE = 10;
const DOUBLED = /""/g;
const FINAL_NEWLINE = Buffer.from([NEWLINE]);

/** How a field was written (bits): quoted, with doubled quotes inside, with bytes beyond ASCII. Plain and empty means NULL. */
const QUOTED = 1;
const HAS_DOUBLED = 2;
const NON_ASCII = 4;

/**
 * One row's fields, null for NULL. The parser hands the same array to every row: read it in the
 * callback (copy it to keep it).
 */
export type CopyRow = readonly (string | null)[];

export interface CopyRowsOptions {
  /**
   * Columns (by position) whose values repeat: each distinct value is decoded once (while it stays
   * in a small cache) and the rows share that string.
   */
  shared?: readonly number[];
}

function malformed(what: string): Error {
  return new Error(`malformed COPY CSV output: ${what}`);
}

/** Slots of a SharedValues cache (a power of two). */
const SLOTS = 4096;

/**
 * The strings of a column's recent values, by a hash of their bytes: a value found there is
 * returned without decoding (a different value in its slot is replaced: a cache, never wrong).
 * ASCII values only: compared byte to character.
 */
class SharedValues {
  private readonly slots: string[] = new Array<string>(SLOTS).fill('');

  get(b: Buffer, a: number, z: number): string {
    const n = z - a;
    let h = n;
    for (let i = a; i < z; i++) h = (Math.imul(h, 31) + b[i]!) | 0;
    const slot = (h ^ (h >>> 13)) & (SLOTS - 1);
    const known = this.slots[slot]!;
    if (known.length === n) {
      let j = 0;
      while (j < n && known.charCodeAt(j) === b[a + j]) j++;
      if (j === n) return known;
    }
    return (this.slots[slot] = b.toString('latin1', a, z));
  }
}

/**
 * Reads COPY CSV output chunk by chunk (chunks may end anywhere: inside a row, a quoted field or a
 * UTF-8 character) and calls `onRow` for each complete row, in order.
 */
export class CopyRowsParser {
  /** Rows read so far. */
  rows = 0;
  private readonly fields: (string | null)[] = [];
  // The fields of the row being read: where each one's text starts and ends in the bytes, and how it was written.
  private from = new Int32Array(16);
  private to = new Int32Array(16);
  private kind = new Uint8Array(16);
  /** By column: the cache of a shared column. */
  private readonly shared: (SharedValues | undefined)[] = [];
  /** The bytes of a row begun in the chunks before (copies), and whether they end inside quotes. */
  private rest: Buffer[] = [];
  private restQuoted = false;

  constructor(
    private readonly onRow: (fields: CopyRow) => void,
    options: CopyRowsOptions = {},
  ) {
    for (const k of options.shared ?? []) this.shared[k] = new SharedValues();
  }

  /** Reads one chunk of the output. */
  take(bytes: Uint8Array): void {
    const chunk = bufferOf(bytes);
    let at = 0;
    if (this.rest.length > 0) {
      // The row begun before ends in this chunk (or goes on past it): joined once complete.
      const end = this.restEnd(chunk, 0);
      if (end < 0) {
        this.rest.push(Buffer.from(chunk));
        return;
      }
      this.rest.push(chunk.subarray(0, end + 1));
      this.takeRest();
      at = end + 1;
    }
    while (at < chunk.length) {
      const next = this.row(chunk, at);
      if (next < 0) {
        // Cut: keep the row's bytes (the chunk's memory is not ours to hold) and its quoting state.
        this.restQuoted = false;
        this.restEnd(chunk, at);
        this.rest.push(Buffer.from(chunk.subarray(at)));
        return;
      }
      at = next;
    }
  }

  /** After the last chunk: a last row without its newline is read too. */
  finish(): void {
    if (this.rest.length === 0) return;
    if (this.restQuoted) throw malformed('the output ends inside a quoted field');
    this.rest.push(FINAL_NEWLINE);
    this.takeRest();
  }

  /** Reads the row held in `rest` (complete, newline included). */
  private takeRest(): void {
    const row = Buffer.concat(this.rest);
    this.rest = [];
    this.restQuoted = false;
    if (this.row(row, 0) !== row.length) throw malformed('a row does not end where its quotes say');
  }

  /**
   * The newline ending the row carried in `rest`, looked for in b from `from` on (quotes toggle
   * the state: a doubled quote leaves it as it was); -1, with the state noted, when there is none.
   */
  private restEnd(b: Buffer, from: number): number {
    let quoted = this.restQuoted;
    for (let i = from; i < b.length; i++) {
      const c = b[i]!;
      if (c === QUOTE) quoted = !quoted;
      else if (c === NEWLINE && !quoted) return i;
    }
    this.restQuoted = quoted;
    return -1;
  }

  /** Reads the row starting at s; returns where the next one starts, or -1 when b ends before the row does. */
  private row(b: Buffer, s: number): number {
    const end = b.length;
    let n = 0;
    let i = s;
    for (;;) {
      if (n === this.from.length) this.grow();
      let high = 0;
      if (i < end && b[i] === QUOTE) {
        let kind = QUOTED;
        const a = ++i;
        for (;;) {
          if (i >= end) return -1;
          const c = b[i]!;
          if (c === QUOTE) {
            if (i + 1 >= end) return -1; // a closing quote, or the first of two: the next chunk tells
            if (b[i + 1] !== QUOTE) break;
            kind |= HAS_DOUBLED;
            i += 2;
          } else {
            high |= c;
            i++;
          }
        }
        this.from[n] = a;
        this.to[n] = i;
        this.kind[n++] = high < 0x80 ? kind : kind | NON_ASCII;
        i++;
      } else {
        const a = i;
        while (i < end) {
          const c = b[i]!;
          if (c === COMMA || c === NEWLINE) break;
          high |= c;
          i++;
        }
        this.from[n] = a;
        this.to[n] = i;
        this.kind[n++] = high < 0x80 ? 0 : NON_ASCII;
      }
      if (i >= end) return -1;
      const c = b[i]!;
      if (c === NEWLINE) {
        this.emit(b, n);
        return i + 1;
      }
      if (c !== COMMA) throw malformed(`a quoted field is followed by byte ${c}`);
      i++;
    }
  }

  /** Decodes the n fields of the row just read and hands them over. */
  private emit(b: Buffer, n: number): void {
    const f = this.fields;
    const { from, to, kind, shared } = this;
    for (let k = 0; k < n; k++) {
      const a = from[k]!;
      const z = to[k]!;
      const how = kind[k]!;
      const cache = shared[k];
      if (how === 0 && a === z) f[k] = null;
      else if (how & NON_ASCII) f[k] = unquote(b.toString('utf8', a, z), how);
      else if (cache !== undefined && (how & HAS_DOUBLED) === 0) f[k] = cache.get(b, a, z);
      else f[k] = unquote(b.toString('latin1', a, z), how);
    }
    if (f.length !== n) f.length = n;
    this.rows++;
    this.onRow(f);
  }

  private grow(): void {
    const cap = this.from.length * 2;
    const from = new Int32Array(cap); from.set(this.from); this.from = from;
    const to = new Int32Array(cap); to.set(this.to); this.to = to;
    const kind = new Uint8Array(cap); kind.set(this.kind); this.kind = kind;
  }
}

/** The text of a quoted field with its doubled quotes made single. */
function unquote(text: string, how: number): string {
  return how & HAS_DOUBLED ? text.replace(DOUBLED, '"') : text;
}

/**
 * Runs `COPY (selectSql) TO STDOUT` and calls onRow with each row's fields (the array is reused:
 * see CopyRow); returns how many rows were read. Values come as PostgreSQL's text output (dates
 * 'YYYY-MM-DD' in the sessions' ISO DateStyle, numbers in decimal, booleans t/f). COPY takes no
 * parameters: inline values only through helpers that validate them (sqlDate).
 */
export async function copyRows(db: Db, selectSql: string, onRow: (fields: CopyRow) => void, options: CopyRowsOptions = {}): Promise<number> {
  const parser = new CopyRowsParser(onRow, options);
  for await (const bytes of db.copyToBytes(selectSql)) parser.take(bytes);
  parser.finish();
  return parser.rows;
}

/** A date as an SQL literal (`DATE 'YYYY-MM-DD'`), for statements that take no parameters; refuses anything but a valid date. */
export function sqlDate(date: LocalDate): string {
  if (typeof date !== 'string' || parseLocalDate(date) === null) throw new Error(`not a date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  return `DATE '${date}'`;
}
