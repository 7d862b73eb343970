/** CSV written as bytes says exactly what csvField and String say. */
import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import { CsvBytes } from './csv-bytes.js';
import { csvField } from './csv-text.js';

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

test('property: text fields are csvField, byte for byte, for any text (quotes, commas, line breaks, edge spaces, non-ASCII)', () => {
  const piece = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom('"', ',', '\n', '\r', ' ', 'é', '東京', '😀', ''));
  fc.assert(fc.property(fc.array(piece, { maxLength: 4 }).map((p) => p.join('')), (s: string) => {
    const w = new CsvBytes(4);
    w.text(s).comma().raw(s);
    const got = text(w.take());
    assert.equal(got, csvField(s) + ',' + s);
    assert.equal(w.length, 0);
  }), { numRuns: 2000 });
});

test('property: numbers are written as String writes them', () => {
  const n = fc.oneof(fc.nat(), fc.integer({ min: 0, max: 2 ** 53 + 10 }), fc.integer({ min: -1e15, max: -1 }), fc.double({ noNaN: false }), fc.constantFrom(0, 9, 10, 99, 100, 999_999_999, 1e9, 1e9 + 1, 2 ** 31, 2 ** 32, 1e15, 1787579206000, 1e18 - 1, 2 ** 53 - 1, 10, 11, 100_000_009, 1_000_000_009, 1_700_000_000_005));
  fc.assert(fc.property(fc.array(n, { minLength: 1, maxLength: 5 }), (ns: number[]) => {
    const w = new CsvBytes(1);
    ns.forEach((v, i) => (i > 0 ? w.comma() : w).num(v));
    assert.equal(w.takeText(), ns.map(String).join(','));
  }), { numRuns: 2000 });
});

test('the writer grows past its capacity and take() hands over exactly what was written', () => {
  const w = new CsvBytes(2);
  for (let i = 0; i < 1000; i++) w.text(`E${i}`).comma().num(i).newline();
  const out = w.take();
  const lines = text(out).split('\n');
  assert.equal(lines.length, 1001);
  assert.equal(lines[999], 'E999,999');
  assert.equal(out.buffer.byteLength, out.length, 'an exact-size copy, safe to transfer');
});

test('property: a binary text field is its length in bytes and its UTF-8, for any text; a smallint field is 2 and the value', () => {
  const piece = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom('é', '東京', '😀', '', 'E00042'));
  fc.assert(fc.property(fc.array(piece, { maxLength: 4 }).map((p) => p.join('')), fc.integer({ min: -32768, max: 32767 }), (s: string, v: number) => {
    const w = new CsvBytes(4);
    w.textField(s).int16Field(v);
    const utf8 = Buffer.from(s, 'utf8');
    const expected = Buffer.alloc(4 + utf8.length + 6);
    expected.writeInt32BE(utf8.length, 0);
    utf8.copy(expected, 4);
    expected.writeInt32BE(2, 4 + utf8.length);
    expected.writeInt16BE(v, 8 + utf8.length);
    assert.deepEqual(Buffer.from(w.take()), expected);
  }), { numRuns: 2000 });
});
