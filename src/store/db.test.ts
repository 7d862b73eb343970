import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import fc from 'fast-check';
import { forEachStore, storeCases, tempDir } from '../testing/stores.js';
import {
  BINARY_COPY_HEADER, type Db, StreamingError, TransactionAbortedError, isoTimestamp, parsePgArray, quoteIdent, toPgArrayLiteral,
} from './db.js';
import { openPgliteDb } from './pglite-db.js';
import { CsvBytes } from './csv-bytes.js';
import { resolveStoreConfig } from './open-db.js';
import { HubdayError } from '../errors.js';

async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let s = '';
  for await (const c of chunks) s += c;
  return s;
}

// ---------------------------------------------------------------------------
// Pure helpers
// ---------------------------------------------------------------------------

test('isoTimestamp converts PostgreSQL ISO output', () => {
  assert.equal(isoTimestamp('2026-11-24 08:30:00+00', true), '2026-11-24T08:30:00.000Z');
  assert.equal(isoTimestamp('2026-11-24 08:30:00.1+00', true), '2026-11-24T08:30:00.100Z');
  assert.equal(isoTimestamp('2026-11-24 08:30:00.123999+00', true), '2026-11-24T08:30:00.123Z');
  assert.equal(isoTimestamp('2026-11-24 09:30:00+01', true), '2026-11-24T08:30:00.000Z');
  assert.equal(isoTimestamp('2026-11-24 03:00:00-05:30', true), '2026-11-24T08:30:00.000Z');
  assert.equal(isoTimestamp('2026-11-24 08:30:00', false), '2026-11-24T08:30:00.000');
  assert.equal(isoTimestamp('infinity', true), 'infinity');
  assert.equal(isoTimestamp('0044-03-15 12:00:00+00 BC', true), '0044-03-15 12:00:00+00 BC');
});

test('parsePgArray reads PostgreSQL array literals', () => {
  const id = (x: string) => x;
  assert.deepEqual(parsePgArray('{}', id), []);
  assert.deepEqual(parsePgArray('{a,"b c",NULL,"NULL","x\\"y\\\\z",""}', id), ['a', 'b c', null, 'NULL', 'x"y\\z', '']);
  assert.deepEqual(parsePgArray('{{1,2},{3,4}}', Number), [[1, 2], [3, 4]]);
  assert.deepEqual(parsePgArray('[0:1]={5,6}', Number), [5, 6]);
});

test('toPgArrayLiteral and parsePgArray round-trip any strings', () => {
  fc.assert(
    fc.property(fc.array(fc.option(fc.string({ unit: 'grapheme' }), { nil: null })), (xs) => {
      assert.deepEqual(parsePgArray(toPgArrayLiteral(xs), (x) => x), xs);
    }),
  );
});

test('quoteIdent accepts plain identifiers only', () => {
  assert.equal(quoteIdent('badge_event'), '"badge_event"');
  assert.equal(quoteIdent('Public.Order'), '"public"."order"');
  assert.throws(() => quoteIdent('t; drop table x'), /not a plain SQL identifier/);
  assert.throws(() => quoteIdent('a.b.c'), /not a plain SQL identifier/);
  assert.throws(() => quoteIdent('"t"'), /not a plain SQL identifier/);
});

test('resolveStoreConfig picks the store', () => {
  const cwd = '/home/u/work';
  assert.deepEqual(resolveStoreConfig({ env: {}, cwd }), { kind: 'pglite', dataDir: '/home/u/work/hubday-data' });
  assert.deepEqual(resolveStoreConfig({ env: { HUBDAY_DATA: 'd' }, cwd }), { kind: 'pglite', dataDir: '/home/u/work/d' });
  assert.deepEqual(resolveStoreConfig({ dataFlag: '/x/y', env: { HUBDAY_DATA: 'd' }, cwd }), { kind: 'pglite', dataDir: '/x/y' });
  assert.deepEqual(resolveStoreConfig({ dataFlag: '/x/y', env: { DATABASE_URL: 'postgresql://h/db' }, cwd }), {
    kind: 'postgres', url: 'postgresql://h/db',
  });
  assert.deepEqual(resolveStoreConfig({ env: { DATABASE_URL: 'postgres://u:p@h:5432/db' }, cwd }), {
    kind: 'postgres', url: 'postgres://u:p@h:5432/db',
  });
  assert.deepEqual(resolveStoreConfig({ env: { DATABASE_URL: '' }, cwd }), { kind: 'pglite', dataDir: '/home/u/work/hubday-data' });
  assert.throws(() => resolveStoreConfig({ env: { DATABASE_URL: 'mysql://u:secret@h/db' }, cwd }), (e: Error) => {
    assert.match(e.message, /DATABASE_URL must be a PostgreSQL URL starting with postgres:\/\/ or postgresql:\/\//);
    assert.doesNotMatch(e.message, /secret/);
    assert.ok(e instanceof HubdayError && e.code === 'invalid_usage', 'a usage error (exit 2, one line), not a crash with a stack');
    return true;
  });
});

test('the postgres case refuses to run without a server', async () => {
  const saved = process.env.HUBDAY_TEST_PG_URL;
  delete process.env.HUBDAY_TEST_PG_URL;
  try {
    const pgCase = storeCases().find((c) => c.name === 'postgres')!;
    await assert.rejects(pgCase.open(), /HUBDAY_TEST_PG_URL is not set: run the tests with npm test, which starts PostgreSQL/);
  } finally {
    if (saved !== undefined) process.env.HUBDAY_TEST_PG_URL = saved;
  }
});

// ---------------------------------------------------------------------------
// Both stores
// ---------------------------------------------------------------------------

forEachStore('result types follow the conventions', async (_t, db) => {
  const [row] = await db.query(`SELECT
    '2026-11-24'::date AS d,
    '2026-11-24 09:30:00+01'::timestamptz AS ts,
    '2026-11-24 08:30:00.123456+00'::timestamptz AS ts_frac,
    '2026-11-24 08:30:00'::timestamp AS ts_local,
    9007199254740991::int8 AS big, 42::int4 AS i4, 7::int2 AS i2,
    12345.678::numeric AS num, 0.1::float8 AS f8, 'NaN'::float8 AS nan,
    count(*) AS cnt, sum(3) AS total,
    '{"a":[1,"x",null],"b":{"c":true}}'::json AS j, '[1,2]'::jsonb AS jb, 'null'::jsonb AS jnull,
    true AS yes, false AS no,
    ARRAY['a', 'b,c', NULL, 'd"e', ''] AS texts, ARRAY[1, 2]::int8[] AS ints, ARRAY['2026-01-02'::date] AS dates,
    '{}'::text[] AS empty, ARRAY[[1, 2], [3, 4]] AS matrix,
    NULL::text AS nothing, NULL::date AS no_date, NULL::int8 AS no_int,
    'héllo ✓ 😀'::text AS unicode, '1 day'::interval AS iv, 'infinity'::date AS forever`);
  assert.deepEqual(row, {
    d: '2026-11-24',
    ts: '2026-11-24T08:30:00.000Z',
    ts_frac: '2026-11-24T08:30:00.123Z',
    ts_local: '2026-11-24T08:30:00.000',
    big: 9007199254740991, i4: 42, i2: 7,
    num: 12345.678, f8: 0.1, nan: NaN,
    cnt: 1, total: 3,
    j: { a: [1, 'x', null], b: { c: true } }, jb: [1, 2], jnull: null,
    yes: true, no: false,
    texts: ['a', 'b,c', null, 'd"e', ''], ints: [1, 2], dates: ['2026-01-02'],
    empty: [], matrix: [[1, 2], [3, 4]],
    nothing: null, no_date: null, no_int: null,
    unicode: 'héllo ✓ 😀', iv: '1 day', forever: 'infinity',
  });
});

forEachStore('parameters: scalars, json objects, arrays, dates', async (_t, db) => {
  await db.exec(`CREATE TABLE p (
    id int8 PRIMARY KEY, d date, at timestamptz, n numeric, ok boolean, doc jsonb, doc2 json, tags text[], note text)`);
  await db.query('INSERT INTO p VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
    1, '2026-02-28', '2026-11-24T09:30:00+01:00', 2.5, true,
    { name: 'Zoë', nested: { list: [1, 'two', null] } }, JSON.stringify([1, { a: 'b' }]),
    ['x', 'y z', 'q"uote', 'back\\slash', 'comma,', null], null,
  ]);
  await db.query('INSERT INTO p (id, d, at, ok, doc) VALUES ($1, $2, $3, $4, $5)', [
    2, null, new Date('2026-11-24T08:30:00.250Z'), false, 'null',
  ]);
  const rows = await db.query('SELECT * FROM p ORDER BY id');
  assert.deepEqual(rows, [
    {
      id: 1, d: '2026-02-28', at: '2026-11-24T08:30:00.000Z', n: 2.5, ok: true,
      doc: { name: 'Zoë', nested: { list: [1, 'two', null] } }, doc2: [1, { a: 'b' }],
      tags: ['x', 'y z', 'q"uote', 'back\\slash', 'comma,', null], note: null,
    },
    { id: 2, d: null, at: '2026-11-24T08:30:00.250Z', n: null, ok: false, doc: null, doc2: null, tags: null, note: null },
  ]);
  // Arrays as parameters of = ANY, json field access with a text parameter.
  const picked = await db.query<{ id: number }>('SELECT id FROM p WHERE id = ANY($1::int8[]) ORDER BY id', [[2, 3]]);
  assert.deepEqual(picked, [{ id: 2 }]);
  const [name] = await db.query<{ v: string }>(`SELECT doc->>$1 AS v FROM p WHERE id = 1`, ['name']);
  assert.equal(name!.v, 'Zoë');
  const [echo] = await db.query(`SELECT $1::text AS s, $2::int4 AS i, $3::bool AS b, $4::text AS nothing, $5::date + 1 AS next`, [
    "it's", 5, false, undefined, '2026-12-31',
  ]);
  assert.deepEqual(echo, { s: "it's", i: 5, b: false, nothing: null, next: '2027-01-01' });
});

forEachStore('any text survives a parameter round trip', async (_t, db) => {
  await fc.assert(
    fc.asyncProperty(fc.string({ unit: 'grapheme' }).filter((s) => !s.includes('\0')), fc.array(fc.string().filter((s) => !s.includes('\0')), { maxLength: 4 }), async (s, xs) => {
      const [r] = await db.query<{ s: string; xs: string[] }>('SELECT $1::text AS s, $2::text[] AS xs', [s, xs]);
      assert.equal(r!.s, s);
      assert.deepEqual(r!.xs, xs);
    }),
    { numRuns: 40 },
  );
});

forEachStore('run() reports affected rows', async (_t, db) => {
  assert.deepEqual(await db.run('CREATE TABLE r (id int PRIMARY KEY, v text)'), { rowCount: 0, rows: [] });
  assert.equal((await db.run(`INSERT INTO r VALUES (1, 'a'), (2, 'b'), (3, 'c')`)).rowCount, 3);
  assert.equal((await db.run(`UPDATE r SET v = v || '!' WHERE id >= $1`, [2])).rowCount, 2);
  assert.equal((await db.run('UPDATE r SET v = v WHERE id > 100')).rowCount, 0);
  const ins = await db.run(`INSERT INTO r VALUES (4, 'd') ON CONFLICT DO NOTHING RETURNING id`);
  assert.deepEqual(ins, { rowCount: 1, rows: [{ id: 4 }] });
  assert.equal((await db.run(`INSERT INTO r VALUES (4, 'd') ON CONFLICT DO NOTHING`)).rowCount, 0);
  assert.equal((await db.run('DELETE FROM r WHERE id <> 1')).rowCount, 3);
  assert.deepEqual(await db.query('SELECT * FROM r'), [{ id: 1, v: 'a' }]);
});

forEachStore('exec runs several statements; query runs one', async (_t, db) => {
  await db.exec(`
    CREATE TABLE e (id int);
    INSERT INTO e VALUES (1);
    INSERT INTO e VALUES (2); -- a comment
    UPDATE e SET id = id * 10;`);
  assert.deepEqual(await db.query('SELECT id FROM e ORDER BY id'), [{ id: 10 }, { id: 20 }]);
  await assert.rejects(db.exec('INSERT INTO e VALUES (3); SELECT * FROM no_such_table'), /no_such_table/);
  await assert.rejects(db.query('SELECT 1; SELECT 2'));
  await assert.rejects(db.query('SELECT * FROM e WHERE id = $1', ['not a number']), /invalid input syntax/);
  // The store is still usable after errors.
  assert.equal((await db.query('SELECT count(*) AS n FROM e'))[0]!.n, 2);
});

/** Rows with every CSV difficulty, the CSV for them, and what they read back as. */
const TRICKY_CSV = [
  '1,plain,2026-01-01\n',
  '2,"comma, inside",2026-01-02\n',
  '3,"quote "" inside",\n',
  '4,"line\nbreak and\r\nCRLF",2026-01-04\n',
  '5,,2026-01-05\n', // unquoted empty: NULL
  '6,"",2026-01-06\n', // quoted empty: empty string
  '7,"  spaces kept  ",2026-01-07\n',
  '8,"ünï ✓ 😀",2026-01-08\n',
  '9,"\\N and \\ backslash",2026-01-09\n',
];
const TRICKY_ROWS = [
  { id: 1, s: 'plain', d: '2026-01-01' },
  { id: 2, s: 'comma, inside', d: '2026-01-02' },
  { id: 3, s: 'quote " inside', d: null },
  { id: 4, s: 'line\nbreak and\r\nCRLF', d: '2026-01-04' },
  { id: 5, s: null, d: '2026-01-05' },
  { id: 6, s: '', d: '2026-01-06' },
  { id: 7, s: '  spaces kept  ', d: '2026-01-07' },
  { id: 8, s: 'ünï ✓ 😀', d: '2026-01-08' },
  { id: 9, s: '\\N and \\ backslash', d: '2026-01-09' },
];

forEachStore('copyFrom reads PostgreSQL CSV (quotes, newlines, NULL vs empty)', async (_t, db) => {
  await db.exec('CREATE TABLE c (id int, s text, d date)');
  assert.equal(await db.copyFrom('c', ['id', 's', 'd'], TRICKY_CSV), TRICKY_CSV.length);
  assert.deepEqual(await db.query('SELECT * FROM c ORDER BY id'), TRICKY_ROWS);
  // One string is one chunk; a last row without a newline is fine; columns in any order.
  await db.exec('DELETE FROM c');
  assert.equal(await db.copyFrom('c', ['d', 'id'], '2026-03-01,1\n2026-03-02,2'), 2);
  assert.deepEqual(await db.query('SELECT id, d FROM c ORDER BY id'), [{ id: 1, d: '2026-03-01' }, { id: 2, d: '2026-03-02' }]);
  // Nothing to copy.
  assert.equal(await db.copyFrom('c', ['id'], []), 0);
  assert.equal(await db.copyFrom('c', ['id'], (async function* () {})()), 0);
});

forEachStore('copyFrom is all or nothing', async (_t, db) => {
  await db.exec('CREATE TABLE a (id int PRIMARY KEY)');
  // A bad row.
  await assert.rejects(db.copyFrom('a', ['id'], ['1\n2\n', 'x\n']), /invalid input syntax/);
  // The source fails part way.
  async function* failing() {
    yield '10\n11\n';
    throw new Error('the file went away');
  }
  await assert.rejects(db.copyFrom('a', ['id'], failing()), /the file went away/);
  assert.deepEqual(await db.query('SELECT * FROM a'), []);
  assert.equal(await db.copyFrom('a', ['id'], ['1\n']), 1);
});

/** `n` CSV rows of ~110 characters, in chunks of `per` rows. */
function* bigCsv(n: number, per: number): Generator<string> {
  let chunk = '';
  for (let i = 1; i <= n; i++) {
    chunk += `${i},emp-${i % 997},2026-${String(1 + (i % 12)).padStart(2, '0')}-15,"note ${i}, with ""quotes"" and padding ${'x'.repeat(40)}"\n`;
    if (i % per === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

forEachStore('copyFrom of 200,000 rows in chunks, and copyTo back', async (_t, db) => {
  await db.exec('CREATE TABLE big (id int8 PRIMARY KEY, emp text NOT NULL, d date NOT NULL, note text NOT NULL)');
  const n = 200_000;
  // ~22 MB: more than one 16 MB batch on PGlite.
  assert.equal(await db.copyFrom('big', ['id', 'emp', 'd', 'note'], bigCsv(n, 1000)), n);
  const [stats] = await db.query(`SELECT count(*) AS n, sum(id) AS s, count(DISTINCT emp) AS emps, min(d) AS first FROM big`);
  assert.deepEqual(stats, { n, s: (n * (n + 1)) / 2, emps: 997, first: '2026-01-15' });
  const [one] = await db.query('SELECT * FROM big WHERE id = 12345');
  assert.deepEqual(one, { id: 12345, emp: 'emp-381', d: '2026-10-15', note: `note 12345, with "quotes" and padding ${'x'.repeat(40)}` });

  // copyTo gives PostgreSQL's CSV; feeding it back reproduces the table (source on the same Db).
  let chunks = 0;
  let text = '';
  for await (const c of db.copyTo('SELECT id, emp, d, note FROM big ORDER BY id')) {
    chunks++;
    text += c;
  }
  assert.ok(chunks > 1, 'streamed in several chunks');
  assert.equal(text, [...bigCsv(n, n)].join(''));
  await db.exec('CREATE TABLE big2 (LIKE big)');
  assert.equal(await db.copyFrom('big2', ['id', 'emp', 'd', 'note'], db.copyTo('SELECT * FROM big')), n);
  const [diff] = await db.query('SELECT count(*) AS n FROM (SELECT * FROM big EXCEPT SELECT * FROM big2) x');
  assert.equal(diff!.n, 0);
});

/** Binary COPY tuples of (id int4, s text, d date, n int2), `per` rows to a chunk. */
function* binaryRows(rows: ReadonlyArray<{ id: number; s: string | null; d: string; n: number | null }>, per: number): Generator<Uint8Array> {
  const w = new CsvBytes();
  let k = 0;
  for (const r of rows) {
    w.int16(4).int32(4).int32(r.id);
    if (r.s === null) w.int32(-1);
    else {
      const at = w.startField();
      w.raw(r.s);
      w.endField(at);
    }
    w.int32(4).int32(Date.parse(r.d) / 86_400_000 - 10_957);
    if (r.n === null) w.int32(-1);
    else w.int32(2).int16(r.n);
    if (++k % per === 0) yield w.take();
  }
  if (w.length > 0) yield w.take();
}

forEachStore('copyFrom reads binary COPY tuples (text as is, NULL, dates before 2000, negative numbers)', async (_t, db) => {
  await db.exec('CREATE TABLE b (id int PRIMARY KEY, s text, d date NOT NULL, n smallint)');
  const rows = [
    { id: 1, s: 'plain', d: '2026-11-23', n: 3 },
    { id: 2, s: 'quotes " , and\nnew\nlines\r\n, \\. alone:\n\\.\n', d: '1999-12-31', n: -2 },
    { id: 3, s: '', d: '2000-01-01', n: null },
    { id: 4, s: null, d: '1970-01-01', n: 32767 },
    { id: 5, s: 'Zürich 東京 🏢', d: '2038-01-19', n: -32768 },
  ];
  assert.equal(await db.copyFrom('b', ['id', 's', 'd', 'n'], binaryRows(rows, 2), 'binary'), rows.length);
  assert.deepEqual(await db.query('SELECT id, s, d, n FROM b ORDER BY id'), rows);
  // All or nothing: a tuple of the wrong shape, or text where bytes are due.
  const [bad] = binaryRows([{ id: 9, s: 'x', d: '2026-01-01', n: 1 }], 1);
  await assert.rejects(db.copyFrom('b', ['id', 's', 'd'], binaryRows([{ id: 8, s: 'x', d: '2026-01-01', n: 1 }], 1), 'binary'), /row field count is 4, expected 3/);
  await assert.rejects(db.copyFrom('b', ['id', 's', 'd', 'n'], [bad!, 'text'], 'binary'), /binary COPY takes bytes/);
  assert.equal((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM b'))[0]!.n, rows.length);
  assert.equal(await db.copyFrom('b', ['id', 's', 'd', 'n'], [], 'binary'), 0);
  // ~20 MB in chunks: more than one 16 MB batch on PGlite, each a binary COPY of its own.
  await db.exec('CREATE TABLE bb (id int PRIMARY KEY, s text, d date NOT NULL, n smallint)');
  const many = Array.from({ length: 200_000 }, (_, i) => ({ id: i, s: `row ${i} ${'y'.repeat(80)}`, d: '2026-05-04', n: i % 100 }));
  assert.equal(await db.transaction((tx) => tx.copyFrom('bb', ['id', 's', 'd', 'n'], binaryRows(many, 5000), 'binary')), many.length);
  const [stats] = await db.query('SELECT count(*)::int AS n, sum(id)::float8 AS s, sum(n)::int AS t, min(d) AS d FROM bb');
  assert.deepEqual(stats, { n: many.length, s: (many.length * (many.length - 1)) / 2, t: 2000 * 4950, d: '2026-05-04' });
});

forEachStore('copyToBytes in binary: the header, each row as length-prefixed fields (text as it is stored), the trailer', async (_t, db) => {
  await db.exec('CREATE TABLE b (id int, s text)');
  await db.query(`INSERT INTO b VALUES (1, 'comma, "quote"\nline'), (2, NULL), (3, 'ünï')`);
  const chunks: Buffer[] = [];
  for await (const c of db.copyToBytes('SELECT id, s FROM b ORDER BY id', 'binary')) chunks.push(Buffer.from(c));
  const out = Buffer.concat(chunks);
  assert.deepEqual(out.subarray(0, BINARY_COPY_HEADER.length), Buffer.from(BINARY_COPY_HEADER));
  const rows: Array<[number, string | null]> = [];
  let p = BINARY_COPY_HEADER.length;
  while (out.readInt16BE(p) !== -1) {
    assert.equal(out.readInt16BE(p), 2);
    assert.equal(out.readInt32BE(p + 2), 4);
    const id = out.readInt32BE(p + 6);
    const n = out.readInt32BE(p + 10);
    rows.push([id, n < 0 ? null : out.toString('utf8', p + 14, p + 14 + n)]);
    p += 14 + Math.max(0, n);
  }
  assert.equal(p + 2, out.length);
  assert.deepEqual(rows, [[1, 'comma, "quote"\nline'], [2, null], [3, 'ünï']]);
});

forEachStore('copyTo writes CSV that copyFrom reads back exactly', async (_t, db) => {
  await db.exec('CREATE TABLE c (id int, s text, d date)');
  await db.copyFrom('c', ['id', 's', 'd'], TRICKY_CSV);
  const csv = await collect(db.copyTo('SELECT id, s, d FROM c ORDER BY id;'));
  // PostgreSQL quotes only when needed; NULL is an empty field, '' is "".
  assert.equal(
    csv,
    '1,plain,2026-01-01\n2,"comma, inside",2026-01-02\n3,"quote "" inside",\n4,"line\nbreak and\r\nCRLF",2026-01-04\n' +
      '5,,2026-01-05\n6,"",2026-01-06\n7,  spaces kept  ,2026-01-07\n8,ünï ✓ 😀,2026-01-08\n9,\\N and \\ backslash,2026-01-09\n',
  );
  await db.exec('CREATE TABLE c2 (id int, s text, d date)');
  assert.equal(await db.copyFrom('c2', ['id', 's', 'd'], [csv]), 9);
  assert.deepEqual(await db.query('SELECT * FROM c2 ORDER BY id'), TRICKY_ROWS);
  // Types are written in PostgreSQL's text form (timestamptz in UTC).
  const typed = await collect(db.copyTo(`SELECT '2026-11-24 09:30:00+01'::timestamptz, true, 1.50::numeric, '{"a": 1}'::jsonb, ARRAY['x', 'y z']`));
  assert.equal(typed, '2026-11-24 08:30:00+00,t,1.50,"{""a"": 1}","{x,""y z""}"\n');
  // An empty result, and an error.
  assert.equal(await collect(db.copyTo('SELECT * FROM c WHERE false')), '');
  await assert.rejects(collect(db.copyTo('SELECT * FROM no_such_table')), /no_such_table/);
  assert.equal((await db.query('SELECT count(*) AS n FROM c'))[0]!.n, 9);
});

forEachStore('copyTo: notices between the rows are skipped; an error after many rows rejects, and the store stays usable', async (_t, db) => {
  // Rows around notices (other messages the server may send amid a COPY), several MB of them.
  await db.exec(`CREATE FUNCTION noisy(i int) RETURNS int LANGUAGE plpgsql AS $$
    BEGIN IF i % 5000 = 0 THEN RAISE NOTICE 'row %', i; END IF; RETURN i; END $$`);
  const csv = await collect(db.copyTo(`SELECT noisy(g), repeat('x', 1 + g % 200) FROM generate_series(1, 60000) g`));
  const lines = csv.split('\n');
  assert.equal(lines.length, 60001);
  assert.equal(lines[59999], `60000,${'x'.repeat(1)}`);
  assert.ok(lines.every((l, i) => (i === 60000 ? l === '' : l === `${i + 1},${'x'.repeat(1 + ((i + 1) % 200))}`)));
  // An error once tens of thousands of rows are out.
  await assert.rejects(collect(db.copyTo('SELECT 1 / (g - 40000), repeat(\'y\', 100) FROM generate_series(1, 50000) g')), /division by zero/);
  assert.deepEqual(await db.query('SELECT 2 AS two'), [{ two: 2 }]);
  await assert.rejects(db.transaction(async (tx) => {
    await collect(tx.copyTo('SELECT 1 / (g - 40000) FROM generate_series(1, 50000) g'));
  }), /division by zero/);
  assert.deepEqual(await db.query('SELECT 3 AS three'), [{ three: 3 }]);
});

forEachStore('an abandoned copyTo leaves the store usable', async (_t, db) => {
  await db.exec('CREATE TABLE g AS SELECT g AS id, repeat(\'x\', 100) AS pad FROM generate_series(1, 50000) g');
  for await (const chunk of db.copyTo('SELECT * FROM g')) {
    assert.ok(chunk.length > 0);
    break;
  }
  assert.equal((await db.query('SELECT count(*) AS n FROM g'))[0]!.n, 50000);
  await db.transaction(async (tx) => {
    for await (const chunk of tx.copyTo('SELECT * FROM g')) {
      assert.ok(chunk.length > 0);
      break;
    }
    await tx.query('DELETE FROM g WHERE id > 10');
  });
  assert.equal((await db.query('SELECT count(*) AS n FROM g'))[0]!.n, 10);
});

forEachStore('copyToBytesBeside reads on a connection of its own beside a transaction (PostgreSQL); none when no connection is spare', async (_t, db) => {
  await db.exec('CREATE TABLE b AS SELECT g AS id FROM generate_series(1, 30000) g');
  const text = async (source: AsyncIterable<Uint8Array>) => {
    const parts: Buffer[] = [];
    for await (const c of source) parts.push(Buffer.from(c));
    return Buffer.concat(parts).toString('utf8');
  };
  if (!db.copyToBytesBeside) {
    assert.equal(db.kind, 'pglite', 'the embedded store has one connection only');
    return;
  }
  await db.transaction(async (tx) => {
    assert.equal(tx.copyToBytesBeside?.('SELECT 1') ?? null, null, 'not on a transaction handle');
    await tx.query('DELETE FROM b WHERE id > 10');
    // The read beside sees what is committed, not the transaction's own changes, and the
    // transaction goes on meanwhile: a COPY into it while the read is still streaming.
    const source = db.copyToBytesBeside!('SELECT id FROM b ORDER BY id')!;
    const read = text(source);
    await tx.copyFrom('b', ['id'], ['-1\n-2\n']);
    const lines = (await read).trim().split('\n');
    assert.equal(lines.length, 30000);
    assert.equal(lines[29999], '30000');
    assert.equal((await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM b'))[0]!.n, 12);
  });
  // With every connection of the pool taken (4: one per transaction, waiting on each other), none is spare.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let opened = 0;
  let allOpen!: () => void;
  const open = new Promise<void>((resolve) => (allOpen = resolve));
  const holders = Array.from({ length: 4 }, () => db.transaction(async () => {
    if (++opened === 4) allOpen();
    await held;
  }));
  await open;
  assert.equal(db.copyToBytesBeside('SELECT 1'), null);
  release();
  await Promise.all(holders);
  // Abandoned half way, the connection is given back (discarded): the pool serves on.
  for await (const c of db.copyToBytesBeside('SELECT id FROM b')!) {
    assert.ok(c.length > 0);
    break;
  }
  assert.equal(await text(db.copyToBytesBeside('SELECT count(*) FROM b')!), '12\n');
});

forEachStore('transaction commits, and rolls back everything on a throw', async (_t, db) => {
  await db.exec('CREATE TABLE t (id int PRIMARY KEY, v text)');
  const result = await db.transaction(async (tx) => {
    await tx.query(`INSERT INTO t VALUES (1, 'one')`);
    await tx.copyFrom('t', ['id', 'v'], ['2,two\n3,three\n']);
    // Nested transaction() reuses the same transaction.
    await tx.transaction(async (inner) => {
      await inner.query(`INSERT INTO t VALUES (4, 'four')`);
    });
    return (await tx.query<{ n: number }>('SELECT count(*) AS n FROM t'))[0]!.n;
  });
  assert.equal(result, 4);

  await assert.rejects(
    db.transaction(async (tx) => {
      await tx.query(`UPDATE t SET v = 'changed'`);
      await tx.exec(`DELETE FROM t WHERE id = 1; INSERT INTO t VALUES (5, 'five')`);
      await tx.copyFrom('t', ['id', 'v'], bigCsvPairs(10_000));
      assert.equal((await tx.query<{ n: number }>('SELECT count(*) AS n FROM t'))[0]!.n, 10_004);
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.deepEqual(await db.query('SELECT * FROM t ORDER BY id'), [
    { id: 1, v: 'one' }, { id: 2, v: 'two' }, { id: 3, v: 'three' }, { id: 4, v: 'four' },
  ]);

  // A failing statement aborts the transaction; swallowing the error does not commit it.
  await assert.rejects(
    db.transaction(async (tx) => {
      await tx.query(`INSERT INTO t VALUES (6, 'six')`);
      await tx.query(`INSERT INTO t VALUES (1, 'duplicate')`).catch(() => undefined);
      return 'done';
    }),
    TransactionAbortedError,
  );
  // A transaction handle is dead once its transaction is over.
  let leaked: Db | undefined;
  await db.transaction(async (tx) => {
    leaked = tx;
  });
  await assert.rejects(leaked!.query('SELECT 1'), /transaction/);
  assert.equal((await db.query<{ n: number }>('SELECT count(*) AS n FROM t'))[0]!.n, 4);
  // Temp tables ON COMMIT DROP work with copyFrom inside a transaction.
  const staged = await db.transaction(async (tx) => {
    await tx.exec('CREATE TEMP TABLE stage (id int, v text) ON COMMIT DROP');
    await tx.copyFrom('stage', ['id', 'v'], ['7,seven\n8,eight\n']);
    return (await tx.run('INSERT INTO t SELECT * FROM stage')).rowCount;
  });
  assert.equal(staged, 2);
});

function* bigCsvPairs(n: number): Generator<string> {
  for (let i = 0; i < n; i += 1000) {
    let s = '';
    for (let j = i; j < i + 1000; j++) s += `${1000 + j},v${j}\n`;
    yield s;
  }
}

forEachStore('a transaction refuses statements while one of its COPYs streams', async (_t, db) => {
  await db.exec('CREATE TABLE s (id int)');
  await db.copyFrom('s', ['id'], ['1\n2\n3\n']);
  // Reading a copyTo while writing with another statement would deadlock on PostgreSQL.
  await assert.rejects(db.transaction((tx) => tx.copyFrom('s', ['id'], tx.copyTo('SELECT id + 10 FROM s'))), StreamingError);
  await assert.rejects(
    db.transaction(async (tx) => {
      for await (const _ of tx.copyTo('SELECT * FROM s')) await tx.query('SELECT 1');
    }),
    StreamingError,
  );
  await assert.rejects(
    db.transaction(async (tx) => {
      await tx.copyFrom('s', ['id'], (async function* () {
        yield '4\n';
        await tx.query('SELECT 1');
      })());
    }),
    StreamingError,
  );
  // A transaction that ends with a COPY half-read is rolled back.
  await assert.rejects(
    db.transaction(async (tx) => {
      await tx.query('INSERT INTO s VALUES (99)');
      const it = tx.copyTo('SELECT * FROM s')[Symbol.asyncIterator]();
      await it.next();
    }),
    StreamingError,
  );
  // Read fully first, then write: fine.
  await db.transaction(async (tx) => {
    const csv = await collect(tx.copyTo('SELECT id + 10 FROM s'));
    assert.equal(await tx.copyFrom('s', ['id'], [csv]), 3);
  });
  assert.deepEqual(await db.query('SELECT id FROM s ORDER BY id'), [1, 2, 3, 11, 12, 13].map((id) => ({ id })));
});

// ---------------------------------------------------------------------------
// PGlite only: the folder lock, persistence, crash recovery
// ---------------------------------------------------------------------------

const PGLITE_MODULE = new URL('./pglite-db.js', import.meta.url).href;

/** Starts a child node process running `code` (an ES module) with `args`; resolves when it prints `marker`. */
function startChild(code: string, args: string[], marker: string) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', code, '--', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ? null : code)));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(marker)) resolve();
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    void exited.then((code) => reject(new Error(`child exited (${code}) before "${marker}": ${out}\n${err}`)));
  });
  return { child, ready, exited };
}

test('pglite: data persists across close and reopen; the lock file goes away', async () => {
  const dir = tempDir();
  try {
    const db = await openPgliteDb(dir);
    await db.exec('CREATE TABLE kept (id int, at timestamptz)');
    await db.query(`INSERT INTO kept VALUES (1, '2026-11-24T08:30:00Z')`);
    await db.close();
    await db.close(); // twice is fine
    assert.equal(fs.existsSync(path.join(dir, 'hubday.lock')), false);
    await assert.rejects(db.query('SELECT 1'), /closed/);
    const again = await openPgliteDb(dir);
    assert.deepEqual(await again.query('SELECT * FROM kept'), [{ id: 1, at: '2026-11-24T08:30:00.000Z' }]);
    await again.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('pglite: one process at a time per folder', async () => {
  const dir = tempDir();
  try {
    const db = await openPgliteDb(dir);
    // The same process…
    await assert.rejects(openPgliteDb(dir), { message: `the data folder ${dir} is in use by process ${process.pid}` });
    await db.close();
    // …and another one.
    const holder = startChild(
      `const { openPgliteDb } = await import(process.argv[1]);
       const db = await openPgliteDb(process.argv[2]);
       console.log('opened');
       await new Promise((r) => setTimeout(r, 60_000));`,
      [PGLITE_MODULE, dir],
      'opened',
    );
    try {
      await holder.ready;
      await assert.rejects(openPgliteDb(dir), { message: `the data folder ${dir} is in use by process ${holder.child.pid}` });
    } finally {
      holder.child.kill('SIGKILL');
      await holder.exited;
    }
    // Its lock is stale now (dead PID): taken over.
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'hubday.lock'), 'utf8')).pid, holder.child.pid);
    const after = await openPgliteDb(dir);
    await after.close();
    // A garbage lock file (e.g. from a full disk) is taken over too.
    fs.writeFileSync(path.join(dir, 'hubday.lock'), '');
    const again = await openPgliteDb(dir);
    await again.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('pglite: an interrupted creation is redone', async () => {
  const dir = tempDir();
  try {
    // What a kill during the very first open leaves: part of a cluster and no hubday-store.json.
    fs.mkdirSync(path.join(dir, 'pgdata', 'base'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'pgdata', 'PG_VERSION'), '18\n');
    const db = await openPgliteDb(dir);
    assert.deepEqual(await db.query('SELECT 1 AS one'), [{ one: 1 }]);
    await db.close();
    assert.ok(fs.existsSync(path.join(dir, 'hubday-store.json')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** A child that commits 1,000 rows, then writes without end in one transaction (or one big copy) until killed. */
const CRASH_CHILD = `
const { openPgliteDb } = await import(process.argv[1]);
const [dir, mode] = process.argv.slice(2);
const db = await openPgliteDb(dir);
await db.exec('CREATE TABLE IF NOT EXISTS t (id int8 PRIMARY KEY, note text)');
const base = (await db.query('SELECT coalesce(max(id), 0) AS m FROM t'))[0].m;
const rows = function* (from, n) {
  for (let i = from; i < from + n; i += 1000) {
    let s = '';
    for (let j = i; j < i + 1000; j++) s += j + ',"row ' + j + ' ' + 'y'.repeat(60) + '"\\n';
    yield s;
  }
};
await db.copyFrom('t', ['id', 'note'], rows(base + 1, 1000));
const endless = function* () {
  let i = base + 1001;
  for (let k = 0; ; k++) {
    if (k === 50) console.log('writing');
    yield* rows(i, 1000);
    i += 1000;
  }
};
if (mode === 'transaction') {
  await db.transaction(async (tx) => {
    await tx.exec("UPDATE t SET note = 'changed'; DELETE FROM t WHERE id % 2 = 0");
    await tx.exec('CREATE TABLE doomed (x int)');
    await tx.copyFrom('t', ['id', 'note'], endless());
  });
} else {
  await db.copyFrom('t', ['id', 'note'], endless());
}
`;

for (const mode of ['transaction', 'copy'] as const) {
  test(`pglite: a process killed in the middle of a big ${mode} leaves the store as before it`, async () => {
    const dir = tempDir();
    try {
      for (let round = 1; round <= 2; round++) {
        const c = startChild(CRASH_CHILD, [PGLITE_MODULE, dir, mode], 'writing');
        await c.ready;
        // Let it write for a while (several 16 MB COPY statements, checkpoints…), then kill it.
        await new Promise((r) => setTimeout(r, 300 + 700 * round));
        c.child.kill('SIGKILL');
        assert.equal(await c.exited, null);
        assert.ok(fs.existsSync(path.join(dir, 'hubday.lock')), 'the killed process left its lock');

        const db = await openPgliteDb(dir);
        try {
          const [r] = await db.query(`SELECT count(*) AS n, max(id) AS m, count(*) FILTER (WHERE note = 'changed') AS changed FROM t`);
          assert.deepEqual(r, { n: 1000 * round, m: 1000 * round, changed: 0 });
          assert.deepEqual(await db.query(`SELECT to_regclass('doomed') AS t`), [{ t: null }]);
          // Still writable.
          await db.query(`INSERT INTO t VALUES (-${round}, 'after')`);
          await db.query(`DELETE FROM t WHERE id = -${round}`);
        } finally {
          await db.close();
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
