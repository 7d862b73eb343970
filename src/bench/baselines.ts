/**
 * What a user would reach for instead of hubday, run on the same files:
 * (a) the floor: reading the badge file and counting its lines;
 * (b) DuckDB: present days per employee and ISO week in one SQL statement over the CSV files;
 * (c) PostgreSQL: a plain COPY into an unindexed table, then the same statement.
 *
 * The rule the statements share with hubday (DESIGN rules 1–3 with the default
 * policy parameters): an event's local date is its instant in the office's time
 * zone, shifted back by 4 hours (days start at 04:00); a present day is a date
 * with an event whose direction is `in` or empty; present days are counted
 * distinct per employee and ISO week (Monday).
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

import type { DuckDBConnection } from '@duckdb/node-api';

export type DuckDb = typeof import('@duckdb/node-api');

/** A path as a SQL string literal. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

// ---------------------------------------------------------------------------
// (a) The floor.
// ---------------------------------------------------------------------------

/** Reads the file's bytes and counts newline bytes. */
export async function countLines(file: string): Promise<{ lines: number; bytes: number }> {
  let lines = 0;
  let bytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 4 << 20 }) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    let i = chunk.indexOf(0x0a);
    while (i !== -1) {
      lines++;
      i = chunk.indexOf(0x0a, i + 1);
    }
  }
  return { lines, bytes };
}

// ---------------------------------------------------------------------------
// (b) DuckDB.
// ---------------------------------------------------------------------------

export async function loadDuckDb(): Promise<DuckDb> {
  return import('@duckdb/node-api');
}

export const BADGE_COLUMNS_DUCKDB = `{'event_id': 'VARCHAR', 'employee_id': 'VARCHAR', 'office_id': 'VARCHAR', 'timestamp': 'TIMESTAMPTZ', 'direction': 'VARCHAR'}`;

/** The one statement: weekly present days per employee, materialised into `table`. */
export function duckdbWeeklySql(table: string, badgeFiles: readonly string[], officesFile: string): string {
  const files = badgeFiles.length === 1 ? sqlString(badgeFiles[0]!) : `[${badgeFiles.map(sqlString).join(', ')}]`;
  return `CREATE TABLE ${table} AS
SELECT employee_id, date_trunc('week', d)::DATE AS week_start, count(DISTINCT d) AS days
FROM (
  SELECT b.employee_id, ((b."timestamp" AT TIME ZONE o.timezone) - INTERVAL 4 HOUR)::DATE AS d
  FROM read_csv(${files}, header = true, columns = ${BADGE_COLUMNS_DUCKDB}) b
  JOIN read_csv(${sqlString(officesFile)}, header = true, all_varchar = true) o ON o.office_id = b.office_id
  WHERE b.direction = 'in' OR b.direction IS NULL OR b.direction = ''
) e
GROUP BY 1, 2`;
}

export interface DuckdbSession {
  version: string;
  threads: number;
  con: DuckDBConnection;
  close(): void;
}

/** An in-memory DuckDB with its default settings (threads = cores). */
export async function openDuckdb(): Promise<DuckdbSession> {
  const { DuckDBInstance } = await loadDuckDb();
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  const row = (await con.runAndReadAll(`SELECT version() AS v, current_setting('threads') AS t`)).getRowObjects()[0]!;
  return {
    version: String(row.v),
    threads: Number(row.t),
    con,
    close: () => {
      con.closeSync();
      instance.closeSync();
    },
  };
}

/** Runs the statement, then reads the row count of the result. */
export async function duckdbWeekly(session: DuckdbSession, table: string, badgeFiles: readonly string[], officesFile: string): Promise<number> {
  await session.con.run(duckdbWeeklySql(table, badgeFiles, officesFile));
  const row = (await session.con.runAndReadAll(`SELECT count(*) AS n FROM ${table}`)).getRowObjects()[0]!;
  return Number(row.n);
}

// ---------------------------------------------------------------------------
// (c) PostgreSQL: COPY, then one statement.
// ---------------------------------------------------------------------------

export const PG_WEEKLY_SQL = `CREATE TEMP TABLE weekly AS
SELECT employee_id, date_trunc('week', d)::date AS week_start, count(DISTINCT d) AS days
FROM (
  SELECT b.employee_id, ((b.ts AT TIME ZONE o.timezone) - interval '4 hours')::date AS d
  FROM badge_raw b JOIN office_raw o ON o.office_id = b.office_id
  WHERE b.direction = 'in' OR b.direction IS NULL OR b.direction = ''
) e
GROUP BY 1, 2`;

export interface PgBaseline {
  client: pg.Client;
  /** COPY of the badge file into the unindexed table; returns rows copied. */
  copy(): Promise<number>;
  /** The statement, then the row count of its result. */
  statement(): Promise<number>;
  /** Drops the statement's result, so that it can run again. */
  reset(): Promise<void>;
  /** Drops the database. */
  close(): Promise<void>;
}

/** A fresh database on the server with the two plain tables; offices already copied in. */
export async function openPgBaseline(adminUrl: string, files: { badges: string; offices: string }): Promise<PgBaseline> {
  const name = `hubday_bench_base_${randomBytes(5).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString(), application_name: 'hubday-bench-baseline' });
  const drop = () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  try {
    await client.connect();
    await client.query(`SET TimeZone = 'UTC'`);
    // No autovacuum: the database stays open while the stores run (the pairs run the statement
    // again), and vacuuming 21 million rows in the background took a core from them.
    await client.query(`CREATE TABLE badge_raw (event_id text, employee_id text, office_id text, ts timestamptz, direction text) WITH (autovacuum_enabled = false)`);
    await client.query(`CREATE TABLE office_raw (office_id text, name text, timezone text, country text, subdivision text, work_week text, ready_from date) WITH (autovacuum_enabled = false)`);
    await copyFile(client, `COPY office_raw FROM STDIN WITH (FORMAT csv, HEADER true)`, files.offices);
  } catch (e) {
    await client.end().catch(() => undefined);
    await drop().catch(() => undefined);
    throw e;
  }
  return {
    client,
    copy: () => copyFile(client, `COPY badge_raw FROM STDIN WITH (FORMAT csv, HEADER true)`, files.badges),
    statement: async () => {
      await client.query(PG_WEEKLY_SQL);
      return Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM weekly')).rows[0]!.n);
    },
    reset: async () => {
      await client.query('DROP TABLE IF EXISTS weekly');
    },
    close: async () => {
      await client.end().catch(() => undefined);
      await drop();
    },
  };
}

async function copyFile(client: pg.Client, sql: string, file: string): Promise<number> {
  const stream = client.query(copyFrom(sql));
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), stream);
  return Number(stream.rowCount ?? 0);
}

export async function adminQuery<T extends pg.QueryResultRow = Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}
