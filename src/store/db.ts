/**
 * The database port: everything hubday needs from a SQL store, implemented by
 * an embedded PGlite (src/store/pglite-db.ts) and by a PostgreSQL server
 * (src/store/postgres-db.ts). Both adapters return identical JS values for the
 * same SQL; the conversions live here so they are literally the same code.
 *
 * Value conventions (results):
 *   date               → 'YYYY-MM-DD' string ('infinity' and BC dates stay PostgreSQL text)
 *   timestamptz        → ISO string '2026-11-24T08:30:00.000Z' (millisecond precision, truncated)
 *   timestamp          → '2026-11-24T08:30:00.000' (no zone)
 *   int2/int4/int8/oid, float4/float8, numeric → number (int8/numeric beyond 2^53 lose precision)
 *   json/jsonb         → parsed value
 *   bool               → boolean
 *   arrays of the above and of text/varchar/char/name/uuid → JS arrays
 *   NULL               → null
 *   any other type     → its PostgreSQL text representation (string)
 *
 * Parameter conventions: strings, numbers, booleans, null/undefined (→ NULL),
 * Dates (→ ISO instant), bigints, arrays (→ a PostgreSQL array literal, for
 * `text[]`, `int[]`… parameters) and plain objects (→ JSON text, for json/jsonb
 * parameters). To pass a JS *array* as a json/jsonb value, JSON.stringify it
 * yourself: a bare array always means a PostgreSQL array.
 */
import { StringDecoder } from 'node:string_decoder';

export type StoreKind = 'pglite' | 'postgres';

/**
 * What copyFrom reads: CSV text, as strings or as UTF-8 bytes (which must each end on a row
 * boundary: bytes are never split, so a byte chunk may not end inside a multi-byte character).
 */
export type CopyChunks = AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;

/**
 * The format of copyFrom's chunks. `csv`: PostgreSQL CSV text (no header). `binary`: PostgreSQL's
 * binary COPY tuples (each an int16 field count, then per field an int32 length, -1 for NULL,
 * and the value in the type's binary form), without the file header and trailer, which the
 * store adds; each chunk is a Uint8Array ending on a tuple boundary. The server parses binary
 * tuples for less than CSV lines: no quotes to look for, no dates or numbers to read from text
 * (4.55 million weekly records: 10.4 s against 13.3 to 16.7 s with psql, measured on a 2-core Intel Xeon).
 */
export type CopyFormat = 'csv' | 'binary';

/** The header of a binary COPY: its signature, no flags, no header extension. */
export const BINARY_COPY_HEADER: Uint8Array = Uint8Array.from([
  0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
]);
/** The length of a binary COPY's signature ("PGCOPY\n\377\r\n\0"), which its header begins with. */
export const BINARY_COPY_SIGNATURE_BYTES = 11;

/** Bytes as a Buffer, without a copy (COPY readers use Buffer's methods on what a store yields). */
export function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** The trailer of a binary COPY: a field count of -1. */
export const BINARY_COPY_TRAILER: Uint8Array = Uint8Array.from([0xff, 0xff]);

export interface Db {
  readonly kind: StoreKind;
  /** Parameterised query ($1, $2…). Returns rows as plain objects. One statement only. */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Like query but returns the affected row count (INSERT/UPDATE/DELETE) as well as rows. */
  run(sql: string, params?: readonly unknown[]): Promise<{ rowCount: number; rows: Record<string, unknown>[] }>;
  /** Several statements, no parameters. */
  exec(sql: string): Promise<void>;
  /**
   * COPY table (columns) FROM STDIN in PostgreSQL CSV format (no header), or in binary format (see
   * CopyFormat). `chunks` yields CSV text (or binary tuples), each chunk ending on a row boundary.
   * Returns rows copied. Atomic: when it fails nothing is copied.
   * Must handle tens of millions of rows with bounded memory.
   * `table` and `columns` are plain SQL identifiers (optionally `schema.table`), case-folded like unquoted SQL.
   * On PGlite outside a transaction the copy holds the database for its whole duration, so `chunks`
   * must not itself query the same Db (use a transaction and its `tx` for both sides instead).
   */
  copyFrom(table: string, columns: readonly string[], chunks: CopyChunks, format?: CopyFormat): Promise<number>;
  /**
   * COPY (select…) TO STDOUT in CSV format (no header); yields text chunks (boundaries are arbitrary,
   * not necessarily on rows). Memory stays bounded whatever the size of the result.
   * Inside a transaction, finish (or abandon) the iteration before running other statements on the
   * same `tx` (they throw StreamingError meanwhile, on both stores: on PostgreSQL the connection is
   * busy streaming). The same holds while a tx.copyFrom is reading its chunks.
   */
  copyTo(selectSql: string): AsyncIterable<string>;
  /**
   * copyTo as the server's UTF-8 bytes, undecoded (chunk boundaries may fall inside a character),
   * or with `binary` PostgreSQL's binary COPY format (header, tuples, trailer).
   */
  copyToBytes(selectSql: string, format?: CopyFormat): AsyncIterable<Uint8Array>;
  /**
   * copyToBytes on a connection of its own, beside what this store is doing (an open transaction
   * of it included): the statement sees what is committed when it starts, as a statement of a
   * READ COMMITTED transaction does. Null when no connection is spare right now (PGlite's only
   * one, a transaction handle, a pool in full use): the caller reads on its transaction instead.
   * The connection is taken at once, so that two callers never wait on each other for the last
   * one: iterate the result (to its end, or break) to give it back.
   */
  copyToBytesBeside?(selectSql: string, format?: CopyFormat): AsyncIterable<Uint8Array> | null;
  /**
   * Runs fn in one transaction (BEGIN/COMMIT, ROLLBACK on throw). Nested calls on the tx reuse it
   * (no savepoints). If a statement failed inside and fn swallowed the error, the COMMIT turns into
   * a rollback and transaction() throws. Inside fn use only `tx`: on PGlite the outer Db waits for
   * the transaction to end (a deadlock if fn awaits it).
   */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /** Closes the store (a transaction handle cannot be closed). */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Shared helpers for the adapters (not part of the port proper).
// ---------------------------------------------------------------------------

/** Statements each adapter runs on every new session so results look the same everywhere. */
export const SESSION_SETUP_SQL = `SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres'`;

/** Thrown by transaction() when COMMIT found the transaction aborted by an earlier error. */
export class TransactionAbortedError extends Error {
  constructor() {
    super('the transaction was aborted by an earlier error and has been rolled back');
    this.name = 'TransactionAbortedError';
  }
}

/**
 * Thrown when a statement is issued on a transaction while one of its copyFrom/copyTo is still
 * streaming (on PostgreSQL that connection is busy until then: waiting would deadlock).
 */
export class StreamingError extends Error {
  constructor(what: 'copyFrom' | 'copyTo') {
    super(`a ${what} is still streaming on this transaction: finish it before running other statements on the transaction`);
    this.name = 'StreamingError';
  }
}

/** A parser from PostgreSQL text output to a JS value. */
export type TextParser = (text: string) => unknown;

const TS_RE = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?([+-]\d\d(?::\d\d){0,2})?$/;

/** PostgreSQL timestamp(tz) text (DateStyle ISO) → ISO 8601; infinities and BC dates are returned unchanged. */
export function isoTimestamp(text: string, withZone: boolean): string {
  const m = TS_RE.exec(text);
  if (!m) return text;
  const [, y, mo, d, h, mi, s, frac, offset] = m;
  const ms = (frac ?? '').padEnd(3, '0').slice(0, 3);
  const local = `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}`;
  if (!withZone) return local;
  if (offset === undefined || offset === '+00') return `${local}Z`;
  // Sessions are set to UTC, so this only happens if someone changed TimeZone: convert.
  const [oh = '0', om = '0', os = '0'] = offset.slice(1).split(':');
  const shiftMs = (offset[0] === '-' ? -1 : 1) * ((Number(oh) * 60 + Number(om)) * 60 + Number(os)) * 1000;
  const utc = Date.parse(`${local}Z`) - shiftMs;
  return Number.isFinite(utc) ? new Date(utc).toISOString() : text;
}

/**
 * Parses a PostgreSQL array literal ('{a,"b c",NULL}', nested '{{1,2},{3,4}}', optionally
 * prefixed by dimensions '[0:1]={…}') into nested JS arrays, applying `element` to each
 * non-NULL element.
 */
export function parsePgArray(text: string, element: TextParser): unknown[] {
  let i = 0;
  if (text[0] === '[') {
    const eq = text.indexOf('=');
    i = eq + 1;
  }
  const parseLevel = (): unknown[] => {
    // text[i] === '{'
    i++;
    const out: unknown[] = [];
    if (text[i] === '}') {
      i++;
      return out;
    }
    for (;;) {
      const c = text[i];
      if (c === '{') {
        out.push(parseLevel());
      } else if (c === '"') {
        i++;
        let s = '';
        for (;;) {
          const ch = text[i++];
          if (ch === '\\') s += text[i++];
          else if (ch === '"') break;
          else if (ch === undefined) throw new Error(`malformed array literal: ${text}`);
          else s += ch;
        }
        out.push(element(s));
      } else {
        let j = i;
        while (j < text.length && text[j] !== ',' && text[j] !== '}') j++;
        const raw = text.slice(i, j);
        i = j;
        out.push(raw.toUpperCase() === 'NULL' ? null : element(raw));
      }
      const sep = text[i++];
      if (sep === '}') return out;
      if (sep !== ',') throw new Error(`malformed array literal: ${text}`);
    }
  };
  if (text[i] !== '{') throw new Error(`malformed array literal: ${text}`);
  return parseLevel();
}

const asString: TextParser = (x) => x;
const asNumber: TextParser = (x) => Number(x);
const asBool: TextParser = (x) => x === 't';
const asJson: TextParser = (x) => JSON.parse(x) as unknown;
const asDate: TextParser = (x) => x;
const asTimestamp: TextParser = (x) => isoTimestamp(x, false);
const asTimestamptz: TextParser = (x) => isoTimestamp(x, true);

/** Scalar type OID → parser; its array type OID → element parser. */
const SCALARS: ReadonlyArray<[oid: number, arrayOid: number, parse: TextParser]> = [
  [16, 1000, asBool], // bool
  [20, 1016, asNumber], // int8
  [21, 1005, asNumber], // int2
  [23, 1007, asNumber], // int4
  [26, 1028, asNumber], // oid
  [700, 1021, asNumber], // float4
  [701, 1022, asNumber], // float8
  [1700, 1231, asNumber], // numeric
  [114, 199, asJson], // json
  [3802, 3807, asJson], // jsonb
  [1082, 1182, asDate], // date
  [1114, 1115, asTimestamp], // timestamp
  [1184, 1185, asTimestamptz], // timestamptz
  [25, 1009, asString], // text
  [1043, 1015, asString], // varchar
  [1042, 1014, asString], // bpchar
  [19, 1003, asString], // name
  [2950, 2951, asString], // uuid
];

/**
 * The one parser table both adapters use, by type OID. Types not listed are returned as
 * their PostgreSQL text (callers cast in SQL when they want something else).
 */
export const TYPE_PARSERS: ReadonlyMap<number, TextParser> = new Map(
  SCALARS.flatMap(([oid, arrayOid, parse]): [number, TextParser][] => [
    [oid, parse],
    [arrayOid, (x) => parsePgArray(x, parse)],
  ]),
);

/** Parser for a result column of type `oid` (identity for types not in TYPE_PARSERS). */
export function parserFor(oid: number): TextParser {
  return TYPE_PARSERS.get(oid) ?? asString;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A PostgreSQL array literal for a JS array (elements as in normalizeParam; nested arrays nest). */
export function toPgArrayLiteral(values: readonly unknown[]): string {
  const parts = values.map((v): string => {
    if (v === null || v === undefined) return 'NULL';
    if (Array.isArray(v)) return toPgArrayLiteral(v);
    const text = String(normalizeParam(v));
    return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  });
  return `{${parts.join(',')}}`;
}

/** Converts one JS parameter to what both drivers send identically. */
export function normalizeParam(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return toPgArrayLiteral(v);
  if (isPlainObject(v)) return JSON.stringify(v);
  return v;
}

export function normalizeParams(params: readonly unknown[] | undefined): unknown[] {
  return params ? params.map(normalizeParam) : [];
}

const IDENT_RE = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/**
 * Quotes a plain identifier ('badge_event', 'public.badge_event') for COPY, folding it to
 * lower case like unquoted SQL would (so reserved words such as "order" work too).
 */
export function quoteIdent(name: string): string {
  const parts = name.split('.');
  if (parts.length > 2 || !parts.every((p) => IDENT_RE.test(p))) {
    throw new Error(`not a plain SQL identifier: ${JSON.stringify(name)}`);
  }
  return parts.map((p) => `"${p.toLowerCase()}"`).join('.');
}

/**
 * SQL: the public table named by the text expression `name` is not a partition (whose rows are
 * its parent's: weekly_record is partitioned by week), for lists of tables from the catalog.
 */
export function notAPartition(name: string): string {
  return `NOT EXISTS (SELECT 1 FROM pg_class k WHERE k.oid = to_regclass(quote_ident(${name})) AND k.relispartition)`;
}

/** In a transaction: locks the table against other writers until the transaction ends (readers go on). */
export async function lockAgainstWriters(tx: Db, table: string): Promise<void> {
  await tx.exec(`LOCK TABLE ${quoteIdent(table)} IN SHARE ROW EXCLUSIVE MODE`);
}

/**
 * In a transaction: whether the table holds no row, with the table locked against other writers
 * until the transaction ends (readers go on), so that a bulk writer may COPY straight in instead
 * of upserting through a stage without a concurrent import slipping rows in between.
 */
export async function emptyForBulkLoad(tx: Db, table: string): Promise<boolean> {
  await lockAgainstWriters(tx, table);
  const rows = await tx.query<{ empty: boolean }>(`SELECT NOT EXISTS (SELECT 1 FROM ${quoteIdent(table)}) AS empty`);
  return rows[0]!.empty === true;
}

/** `COPY table (cols) FROM <source> WITH (FORMAT csv|binary)` */
export function copyFromSql(table: string, columns: readonly string[], source: string, format: CopyFormat = 'csv'): string {
  if (columns.length === 0) throw new Error('copyFrom needs at least one column');
  return `COPY ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) FROM ${source} WITH (FORMAT ${format === 'binary' ? 'binary' : 'csv'})`;
}

/** A chunk of a binary COPY: bytes (text is refused, as it cannot hold binary tuples). */
export function binaryChunk(c: string | Uint8Array): Uint8Array {
  if (typeof c === 'string') throw new Error('a binary COPY takes bytes, not text');
  return c;
}

/** Binary COPY chunks framed as a whole COPY stream: the header, the chunks, the trailer. */
export async function* framedBinary(chunks: CopyChunks): AsyncGenerator<Uint8Array> {
  yield BINARY_COPY_HEADER;
  for await (const c of chunkSource(chunks)) {
    const bytes = binaryChunk(c);
    if (bytes.length > 0) yield bytes;
  }
  yield BINARY_COPY_TRAILER;
}

/** `COPY (select) TO <dest> WITH (FORMAT csv)` (or binary); a trailing semicolon of the select is dropped. */
export function copyToSql(selectSql: string, dest: string, format: CopyFormat = 'csv'): string {
  return `COPY (${selectSql.trim().replace(/;+$/, '')}) TO ${dest} WITH (FORMAT ${format === 'binary' ? 'binary' : 'csv'})`;
}

/** A lone string is one chunk (not an iterable of characters). */
/** Text of byte chunks in UTF-8 (a character cut between chunks is joined). */
export async function* decodeChunks(chunks: AsyncIterable<Uint8Array>): AsyncIterable<string> {
  const decoder = new StringDecoder('utf8');
  for await (const b of chunks) {
    const text = decoder.write(b as Buffer);
    if (text) yield text;
  }
  const tail = decoder.end();
  if (tail) yield tail;
}

export function chunkSource(chunks: CopyChunks): CopyChunks {
  return typeof chunks === 'string' ? [chunks] : chunks;
}
