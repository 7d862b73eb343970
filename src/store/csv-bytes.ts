/**
 * COPY data written straight into bytes: CSV, and the few pieces of binary COPY (big-endian
 * integers, fields whose length is written once they end). Bulk evaluation writes hundreds of MB of CSV: built as
 * JavaScript strings, each line is a tree of concatenations that V8 must flatten (walk and copy)
 * before the text can leave the thread, then encode to UTF-8 again for the socket. Written here,
 * the bytes are produced once and handed over without a copy (a worker thread transfers them).
 * The field rules are those of csvField (csv-text.ts): the same text, byte for byte.
 */
import { csvField } from './csv-text.js';

const COMMA = 44;
const QUOTE = 34;
const NEWLINE = 10;
const CR = 13;
const SPACE = 32;
const encoder = new TextEncoder();
/** "00" to "99" as ASCII bytes: num() writes two digits at a time. */
const DIGIT_PAIRS = encoder.encode(Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0')).join(''));

export class CsvBytes {
  private buf: Uint8Array;
  /** Bytes written. */
  length = 0;

  constructor(capacity = 1 << 16) {
    this.buf = new Uint8Array(capacity);
  }

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(b: number): this {
    if (this.length === this.buf.length) this.room(1);
    this.buf[this.length++] = b;
    return this;
  }

  comma(): this {
    return this.byte(COMMA);
  }

  newline(): this {
    return this.byte(NEWLINE);
  }

  /** Text as is (UTF-8), with no quoting: for text known to need none. */
  raw(s: string): this {
    const n = s.length;
    this.room(n);
    const buf = this.buf;
    let at = this.length;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        // Not ASCII: encode the rest properly (up to 3 bytes per UTF-16 unit).
        this.length = at;
        this.room((n - i) * 3);
        this.length += encoder.encodeInto(s.slice(i), this.buf.subarray(this.length)).written;
        return this;
      }
      buf[at++] = c;
    }
    this.length = at;
    return this;
  }

  /** raw(s.slice(from, to)) without the slice. */
  rawRange(s: string, from: number, to: number): this {
    this.room(to - from);
    const buf = this.buf;
    let at = this.length;
    for (let i = from; i < to; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        this.length = at;
        return this.raw(s.slice(i, to));
      }
      buf[at++] = c;
    }
    this.length = at;
    return this;
  }

  /** Bytes as they are. */
  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  /** A text field under the rules of csvField: quoted when it holds a quote, a comma, a line break or edge spaces; '""' when empty. */
  text(s: string): this {
    const n = s.length;
    if (n === 0) return this.byte(QUOTE).byte(QUOTE);
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c === QUOTE || c === COMMA || c === NEWLINE || c === CR) return this.raw(csvField(s));
    }
    if (s.charCodeAt(0) === SPACE || s.charCodeAt(n - 1) === SPACE) return this.byte(QUOTE).raw(s).byte(QUOTE);
    return this.raw(s);
  }

  /** A non-negative integer below 2^53 in decimal; anything else as String() writes it. */
  num(v: number): this {
    // One digit (most counts of days): one byte.
    if (v >= 0 && v < 10 && (v | 0) === v) return this.byte(48 + v);
    if (!(v >= 0 && v < 2 ** 53) || v !== Math.floor(v)) return this.raw(String(v));
    if (v < 1e9) return this.small(v);
    // Instants in milliseconds (13 digits): the high part, then the low nine digits padded.
    const high = Math.floor(v / 1e9);
    const low = v - high * 1e9;
    if (high < 1e9) this.small(high);
    else this.num(high);
    this.room(9);
    const buf = this.buf;
    let at = this.length + 9;
    this.length = at;
    let x = low | 0;
    for (let k = 0; k < 4; k++) {
      const q = (x / 100) | 0;
      const r = (x - q * 100) << 1;
      buf[--at] = DIGIT_PAIRS[r + 1]!;
      buf[--at] = DIGIT_PAIRS[r]!;
      x = q;
    }
    buf[--at] = 48 + x;
    return this;
  }

  /**
   * num() of an integer in [0, 1e9): 32-bit integer arithmetic, two digits at a time. (num()'s
   * nine padded low digits repeat its loop: one shared loop over a digit count measured 3-5 % slower
   * on the bulk evaluation.)
   */
  private small(v: number): this {
    let x = v | 0;
    const digits = x < 10 ? 1 : x < 100 ? 2 : x < 1e3 ? 3 : x < 1e4 ? 4 : x < 1e5 ? 5 : x < 1e6 ? 6 : x < 1e7 ? 7 : x < 1e8 ? 8 : 9;
    this.room(digits);
    const buf = this.buf;
    let at = this.length + digits;
    this.length = at;
    while (x >= 100) {
      const q = (x / 100) | 0;
      const r = (x - q * 100) << 1;
      buf[--at] = DIGIT_PAIRS[r + 1]!;
      buf[--at] = DIGIT_PAIRS[r]!;
      x = q;
    }
    if (x >= 10) {
      buf[--at] = DIGIT_PAIRS[(x << 1) + 1]!;
      buf[--at] = DIGIT_PAIRS[x << 1]!;
    } else buf[--at] = 48 + x;
    return this;
  }

  /** A big-endian 16-bit integer (binary COPY). */
  int16(v: number): this {
    this.room(2);
    const buf = this.buf;
    buf[this.length++] = (v >> 8) & 0xff;
    buf[this.length++] = v & 0xff;
    return this;
  }

  /** A big-endian 32-bit integer (binary COPY). */
  int32(v: number): this {
    this.room(4);
    const buf = this.buf;
    buf[this.length++] = (v >>> 24) & 0xff;
    buf[this.length++] = (v >>> 16) & 0xff;
    buf[this.length++] = (v >>> 8) & 0xff;
    buf[this.length++] = v & 0xff;
    return this;
  }

  /** A text field of a binary COPY tuple: its length in bytes, then its UTF-8 bytes (one pass over ASCII text). */
  textField(s: string): this {
    const n = s.length;
    this.room(n + 4);
    const buf = this.buf;
    const start = this.length;
    let at = start + 4;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        // Not ASCII: the rest is encoded properly, and the length counted in bytes.
        this.length = at;
        this.raw(s.slice(i));
        return this.endField(start);
      }
      buf[at++] = c;
    }
    this.length = at;
    return this.endField(start);
  }

  /** A smallint field of a binary COPY tuple (its length, 2, then the value). */
  int16Field(v: number): this {
    this.room(6);
    const buf = this.buf;
    const at = this.length;
    buf[at] = 0;
    buf[at + 1] = 0;
    buf[at + 2] = 0;
    buf[at + 3] = 2;
    buf[at + 4] = (v >> 8) & 0xff;
    buf[at + 5] = v & 0xff;
    this.length = at + 6;
    return this;
  }

  /** Starts a binary COPY field of a length not known yet: returns where endField() writes it. */
  startField(): number {
    const at = this.length;
    this.int32(0);
    return at;
  }

  /** Ends the field started at `at`: its length is what was written since. */
  endField(at: number): this {
    const n = this.length - at - 4;
    const buf = this.buf;
    buf[at] = (n >>> 24) & 0xff;
    buf[at + 1] = (n >>> 16) & 0xff;
    buf[at + 2] = (n >>> 8) & 0xff;
    buf[at + 3] = n & 0xff;
    return this;
  }

  /** Whether the bytes written since `from` hold a quote, a comma or a line break (what makes csvField quote a field). */
  needsQuotesSince(from: number): boolean {
    const buf = this.buf;
    for (let i = from; i < this.length; i++) {
      const c = buf[i]!;
      if (c === QUOTE || c === COMMA || c === NEWLINE || c === CR) return true;
    }
    return false;
  }

  /** The last byte written (-1 when none). */
  lastByte(): number {
    return this.length === 0 ? -1 : this.buf[this.length - 1]!;
  }

  /** Forgets what was written since `at` (a length read before). */
  rewind(at: number): void {
    this.length = Math.min(this.length, at);
  }

  /** The bytes written so far, as a new array of exactly that size; the writer starts over. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.length);
    this.length = 0;
    return out;
  }

  /** The bytes written so far as a string (for small outputs and tests); the writer starts over. */
  takeText(): string {
    const s = Buffer.from(this.buf.buffer, this.buf.byteOffset, this.length).toString('utf8');
    this.length = 0;
    return s;
  }
}
