/**
 * Test harness: run the same test on both stores.
 *
 *   forEachStore('imports badges', async (t, db) => { … });
 *
 * registers "imports badges [pglite]" and "imports badges [postgres]". The PGlite case opens a
 * fresh store in a temp folder (a copy of the template the build makes, which spares each test
 * PGlite's initdb); the PostgreSQL case creates a fresh database on the server given by
 * HUBDAY_TEST_PG_URL (scripts/with-postgres.sh starts one) and drops it on close. Without that
 * variable the PostgreSQL case fails: it is never silently skipped.
 */
import { test, type TestContext } from 'node:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { CopyFormat, Db } from '../store/db.js';
import { openPgliteDb } from '../store/pglite-db.js';
import { openPostgresDb } from '../store/postgres-db.js';

export type TestDb = Db & { dataDir?: string; url?: string };

export interface StoreCase {
  name: 'pglite' | 'postgres';
  open(): Promise<TestDb>;
}

export function storeCases(): StoreCase[] {
  return [
    { name: 'pglite', open: openTestPglite },
    { name: 'postgres', open: openTestPostgres },
  ];
}

/** Registers one node:test test per store, opening a fresh store before fn and closing it after. */
export function forEachStore(name: string, fn: (t: TestContext, db: TestDb) => Promise<void>): void {
  for (const c of storeCases()) {
    test(`${name} [${c.name}]`, async (t) => {
      const db = await c.open();
      try {
        await fn(t, db);
      } finally {
        await db.close();
      }
    });
  }
}

/** A fresh empty temp folder (removed by the caller). */
export function tempDir(prefix = 'hubday-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

async function openTestPglite(): Promise<TestDb> {
  const dir = tempDir();
  try {
    // A new store: a copy of the build's template (store/pglite-template.ts), as in the product.
    const db = await openPgliteDb(dir);
    return withCleanup(db, { dataDir: dir }, async () => fs.rmSync(dir, { recursive: true, force: true }));
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

async function openTestPostgres(): Promise<TestDb> {
  const database = await createTestDatabase('hubday_t');
  try {
    const db = await openPostgresDb(database.url);
    return withCleanup(db, { url: database.url }, database.drop);
  } catch (e) {
    await database.drop().catch(() => undefined);
    throw e;
  }
}

export interface TestDatabase {
  /** Its connection URL (for DATABASE_URL). */
  url: string;
  /** Runs one statement in it, on a connection of its own. */
  sql(statement: string): Promise<void>;
  /** Drops it (connections are closed first). */
  drop(): Promise<void>;
}

/**
 * A fresh, empty database on the test server (HUBDAY_TEST_PG_URL, which scripts/with-postgres.sh
 * sets): for tests that run the CLI as a separate process against it.
 */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const admin = process.env.HUBDAY_TEST_PG_URL;
  if (!admin) throw new Error('HUBDAY_TEST_PG_URL is not set: run the tests with npm test, which starts PostgreSQL');
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await adminQuery(admin, `CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    sql: (statement) => adminQuery(url.toString(), statement),
    drop: () => adminQuery(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** `db` with extra properties, whose close() also runs `cleanup` (once). */
function withCleanup<E extends object>(db: Db, extras: E, cleanup: () => Promise<void>): Db & E {
  let closing: Promise<void> | undefined;
  return {
    ...extras,
    kind: db.kind,
    query: <T = Record<string, unknown>>(sql: string, params?: readonly unknown[]) => db.query<T>(sql, params),
    run: (sql, params) => db.run(sql, params),
    exec: (sql) => db.exec(sql),
    copyFrom: (table, columns, chunks, format) => db.copyFrom(table, columns, chunks, format),
    copyTo: (selectSql) => db.copyTo(selectSql),
    copyToBytes: (selectSql, format) => db.copyToBytes(selectSql, format),
    ...(db.copyToBytesBeside ? { copyToBytesBeside: (selectSql: string, format?: CopyFormat) => db.copyToBytesBeside!(selectSql, format) } : {}),
    transaction: (fn) => db.transaction(fn),
    close: () =>
      (closing ??= (async () => {
        try {
          await db.close();
        } finally {
          await cleanup();
        }
      })()),
  };
}
