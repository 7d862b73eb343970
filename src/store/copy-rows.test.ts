/**
 * CopyRowsParser reads back exactly the rows PostgreSQL writes as COPY CSV, whatever the values
 * (quotes, commas, line breaks, edge spaces, empty strings against NULL, 2- to 4-byte UTF-8) and
 * wherever the chunks are cut; copyRows on both stores returns what db.query returns.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CopyRowsParser, copyRows, sqlDate, type CopyRow, type CopyRowsOptions } from './copy-rows.js';
import { forEachStore } from '../testing/stores.js';
import type { LocalDate } from '../engine/dates.js';

type Row = (string | null)[];

/** A field as PostgreSQL's CSV output writes it (CopyAttributeOutCSV), or quoted anyway when `quote`. */
function pgField(v: string | null, quote: boolean, alone: boolean): string {
  if (v === null) return '';
  if (quote || v === '' || /[",\n\r]/.test(v) || (alone && v === '\\.')) return `"${v.replace(/"/g, '""')}"`;
  return v;
}

function pgCsv(rows: readonly Row[], quoted: readonly boolean[] = []): string {
  let k = 0;
  return rows.map((r) => `${r.map((v) => pgField(v, quoted[k++ % Math.max(1, quoted.length)] === true, r.length === 1)).join(',')}\n`).join('');
}

/** Parses `bytes` fed in pieces of the given sizes (cycled); the rows, copied. */
function parse(bytes: Uint8Array, cuts: readonly number[], options: CopyRowsOptions = {}): Row[] {
  const rows: Row[] = [];
  const p = new CopyRowsParser((f) => rows.push([...f]), options);
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const n = Math.max(1, cuts[i % cuts.length]!);
    // Plain Uint8Arrays and Buffers both (the stores give Buffers).
    const piece = bytes.subarray(at, at + n);
    p.take(i % 2 === 0 ? new Uint8Array(piece) : Buffer.from(piece));
    at += n;
  }
  p.finish();
  assert.equal(p.rows, rows.length);
  return rows;
}

const UNITS = [',', '"', '\n', '\r', ' ', 'a', 'Z', '0', '\\', '.', 'é', 'ß', '€', '✓', '中', '😀', '𝄞'];
const arbText = fc.oneof(
  fc.string({ unit: fc.constantFrom(...UNITS), maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.constantFrom('', ' ', '\\.', '""', ' lead', 'trail ', '\r\n'),
);
const arbRows = fc.array(fc.array(fc.option(arbText, { nil: null, freq: 4 }), { minLength: 1, maxLength: 6 }), { maxLength: 20 });

test('CopyRowsParser reads back any rows as PostgreSQL writes them, cut anywhere', () => {
  fc.assert(
    fc.property(
      arbRows, fc.array(fc.boolean(), { maxLength: 7 }), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }), fc.subarray([0, 1, 2, 3, 4, 5]),
      (rows, quoted, cuts, shared) => {
        const bytes = Buffer.from(pgCsv(rows, quoted), 'utf8');
        assert.deepEqual(parse(bytes, cuts, { shared }), rows);
      },
    ),
    { numRuns: 2000 },
  );
});

test('CopyRowsParser: one byte at a time, one chunk, NULL and empty kept apart, a last row without its newline', () => {
  const rows: Row[] = [['1', 'plain', null], ['2', '', ''], [null], ['x"y', 'a,b', 'l\r\nm'], ['😀', ' é ', '\\.']];
  const text = pgCsv(rows);
  assert.equal(text, '1,plain,\n2,"",""\n\n"x""y","a,b","l\r\nm"\n😀, é ,\\.\n');
  const bytes = Buffer.from(text);
  assert.deepEqual(parse(bytes, [1]), rows);
  assert.deepEqual(parse(bytes, [bytes.length]), rows);
  assert.deepEqual(parse(Buffer.from('a,"b""",c\nd,,'), [3]), [['a', 'b"', 'c'], ['d', null, null]]);
  assert.deepEqual(parse(new Uint8Array(0), [1]), []);
});

test('CopyRowsParser: shared columns stay right when their values outnumber the cache', () => {
  const rows: Row[] = Array.from({ length: 30_000 }, (_, i) => [`id${i}`, `office${i % 7}`, `m${(i * 7919) % 9000}`, i % 5 === 0 ? null : i % 5 === 1 ? '' : `d${i % 3}`]);
  assert.deepEqual(parse(Buffer.from(pgCsv(rows)), [65_536], { shared: [0, 1, 2, 3] }), rows);
});

test('CopyRowsParser refuses output that is not COPY CSV', () => {
  assert.throws(() => parse(Buffer.from('"a"b,c\n'), [100]), /malformed COPY CSV/);
  assert.throws(() => parse(Buffer.from('a,"open\n'), [100]), /ends inside a quoted field/);
});

test('sqlDate inlines valid dates only', () => {
  assert.equal(sqlDate('2026-08-24' as LocalDate), "DATE '2026-08-24'");
  for (const bad of ["2026-08-24'; DROP TABLE leave; --", '2026-02-30', '2026-8-24', '', 20260824]) {
    assert.throws(() => sqlDate(bad as LocalDate), /not a date/);
  }
});

/** Values that need every rule of the format, each inserted as a parameter. */
const TRICKY = [
  'plain', '', ' ', '  spaces at both edges  ', 'comma, inside', 'quote " inside', '"', '""', 'line\nbreak', 'CRLF\r\nand lone\rCR',
  '\\.', '\\N', 'NULL', 'ünï ✓ 中 😀 𝄞', `${'long '.repeat(60)}, "quoted" and\nbroken`,
];

forEachStore('copyRows returns what db.query returns (NULL and empty string apart), across chunks', async (_t, db) => {
  await db.exec('CREATE TABLE t (id int PRIMARY KEY, s text, u text)');
  await db.query('INSERT INTO t (id, s, u) SELECT k, v, NULL FROM unnest($1::text[]) WITH ORDINALITY AS x(v, k)', [TRICKY]);
  await db.query('INSERT INTO t (id, s, u) VALUES ($1, $2, $3), ($4, $5, $6)', [100, null, '', 101, 'ü', null]);
  // Enough rows (a few MB) for the output to come in several chunks on both stores.
  await db.query(
    `INSERT INTO t (id, s, u) SELECT 1000 + g * 100 + k, v, CASE WHEN g % 3 = 0 THEN NULL ELSE reverse(v) END
     FROM generate_series(1, 2000) g, unnest($1::text[]) WITH ORDINALITY AS x(v, k)`,
    [TRICKY],
  );
  const expected = (await db.query<{ id: number; s: string | null; u: string | null }>('SELECT id, s, u FROM t ORDER BY id')).map((r) => [String(r.id), r.s, r.u]);
  assert.ok(expected.length > 30_000);
  const rows: Row[] = [];
  let chunks = 0;
  const parser = new CopyRowsParser((f: CopyRow) => rows.push([...f]));
  for await (const bytes of db.copyToBytes('SELECT id, s, u FROM t ORDER BY id')) {
    chunks++;
    parser.take(bytes);
  }
  parser.finish();
  assert.ok(chunks > 1, `${chunks} chunk(s)`);
  assert.deepEqual(rows, expected);
  const sharing: Row[] = [];
  await copyRows(db, 'SELECT id, s, u FROM t ORDER BY id', (f) => sharing.push([...f]), { shared: [1, 2] });
  assert.deepEqual(sharing, expected);
  // copyRows, and a one-column result (where PostgreSQL quotes \. and writes NULL as an empty line).
  const single: Row[] = [];
  assert.equal(await copyRows(db, 'SELECT s FROM t WHERE id < 1000 ORDER BY id', (f) => single.push([...f])), TRICKY.length + 2);
  assert.deepEqual(single, [...TRICKY.map((v) => [v]), [null], ['ü']]);
  // An empty result; an error surfaces.
  assert.equal(await copyRows(db, 'SELECT s FROM t WHERE false', () => assert.fail('no row')), 0);
  await assert.rejects(copyRows(db, 'SELECT * FROM no_such_table', () => undefined), /no_such_table/);
});
