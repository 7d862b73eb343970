/**
 * COPY CSV written straight into bytes. Bulk evaluation writes hundreds of MB of CSV: built as
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
    if (!(v >= 0 && v < 2 ** 53) || v !== Math.floor(v)) return this.raw(String(v));
    let digits = 1;
    for (let p = 10; p <= v; p *= 10) digits++;
    this.room(digits);
    const buf = this.buf;
    let at = this.length + digits;
    this.length = at;
    do {
      const q = Math.floor(v / 10);
      buf[--at] = 48 + (v - q * 10);
      v = q;
    } while (v > 0);
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
