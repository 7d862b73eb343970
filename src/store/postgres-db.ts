/**
 * The server store: a PostgreSQL database reached with node-postgres.
 *
 * - A small pool (4 connections); every connection runs SESSION_SETUP_SQL (TimeZone UTC…) before
 *   its first use (not from the pool's 'connect' event: queueing a query there trips pg's
 *   "client is already executing a query" deprecation, and pg 9 drops that queueing).
 * - Result parsing uses the shared table of ./db.ts through the pool's own `types` (the global
 *   pg.types registry is left alone, so other pg users in the process are not affected).
 * - query/run always use the extended protocol (one statement, like PGlite); exec uses the simple
 *   protocol (several statements).
 * - COPY streams through pg-copy-streams: copyFrom pipes `chunks` with backpressure (a single
 *   COPY statement, so it is atomic), copyTo yields the server's output as it arrives.
 * - transaction pins one pooled client for its duration.
 */
import pg from 'pg';
import { from as copyFromStream } from 'pg-copy-streams';
import { copyOut } from './copy-out-stream.js';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type CopyChunks, type CopyFormat, type Db, SESSION_SETUP_SQL, framedBinary, StreamingError, TransactionAbortedError, chunkSource, copyFromSql, copyToSql, decodeChunks, normalizeParams, parserFor,
} from './db.js';

const POOL_SIZE = 4;

/** Parsers for the pool: ours for text results; binary results are not used by hubday. */
const POOL_TYPES = {
  getTypeParser: (oid: number, format?: string) =>
    format === 'binary' ? (value: unknown) => value : parserFor(oid),
};

/** Opens a pool on `url` (postgres://…) and checks that the server answers. */
export async function openPostgresDb(url: string): Promise<Db & { readonly url: string }> {
  const pool = new pg.Pool({
    connectionString: url,
    max: POOL_SIZE,
    application_name: 'hubday',
    types: POOL_TYPES as unknown as pg.CustomTypesConfig,
  });
  // An idle client losing its connection (server restart…) must not crash the process: the pool
  // drops it and the next checkout gets a new one.
  pool.on('error', () => undefined);
  const db = new PostgresDb(pool, url, null);
  try {
    await db.query('SELECT 1');
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw e;
  }
  return db;
}

class PostgresDb implements Db {
  readonly kind = 'postgres' as const;
  private closed = false;
  /** On a transaction handle: the COPY being streamed, during which other statements are refused. */
  private streaming: 'copyFrom' | 'copyTo' | null = null;

  constructor(
    private readonly pool: pg.Pool,
    readonly url: string,
    /** The pinned client of a transaction, or null for the pool. */
    private readonly client: pg.PoolClient | null,
  ) {}

  private check(): void {
    if (this.closed) throw new Error(this.client ? 'this transaction has ended' : 'the store is closed');
    // Anything sent now would queue behind the COPY on the same connection: a deadlock.
    if (this.streaming) throw new StreamingError(this.streaming);
  }

  private async statement(sql: string, params?: readonly unknown[]): Promise<pg.QueryResult> {
    this.check();
    // queryMode is supported by pg ≥ 8.12 but missing from @types/pg.
    const config = { text: sql, values: normalizeParams(params), queryMode: 'extended' } as pg.QueryConfig;
    return this.withClient((client) => client.query(config));
  }

  async query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return (await this.statement(sql, params)).rows as T[];
  }

  async run(sql: string, params?: readonly unknown[]): Promise<{ rowCount: number; rows: Record<string, unknown>[] }> {
    const r = await this.statement(sql, params);
    return { rowCount: r.rowCount ?? 0, rows: r.rows as Record<string, unknown>[] };
  }

  async exec(sql: string): Promise<void> {
    this.check();
    await this.withClient((client) => client.query(sql));
  }

  async copyFrom(table: string, columns: readonly string[], chunks: CopyChunks, format: CopyFormat = 'csv'): Promise<number> {
    this.check();
    const sql = copyFromSql(table, columns, 'STDIN', format);
    return this.withClient(async (client) => {
      const stream = client.query(copyFromStream(sql));
      if (this.client) this.streaming = 'copyFrom';
      try {
        // pipeline waits for 'finish', which pg-copy-streams emits only once the server has
        // acknowledged the COPY; an error in `chunks` destroys the stream, which sends CopyFail.
        await pipeline(Readable.from(format === 'binary' ? framedBinary(chunks) : chunkSource(chunks)), stream);
      } finally {
        if (this.client) this.streaming = null;
      }
      return stream.rowCount;
    });
  }

  copyTo(selectSql: string): AsyncIterable<string> {
    return decodeChunks(this.copyToBytes(selectSql));
  }

  copyToBytes(selectSql: string, format: CopyFormat = 'csv'): AsyncIterable<Uint8Array> {
    return this.streamCopyOut(selectSql, null, format);
  }

  copyToBytesBeside(selectSql: string, format: CopyFormat = 'csv'): AsyncIterable<Uint8Array> | null {
    if (this.client || this.closed) return null;
    const pool = this.pool;
    if (pool.waitingCount > 0 || (pool.idleCount === 0 && pool.totalCount >= POOL_SIZE)) return null;
    // Asked for now (pg-pool counts the request at once), not when the iteration begins.
    const client = acquire(pool);
    client.catch(() => undefined); // surfaces when iterated
    return this.streamCopyOut(selectSql, client, format);
  }

  /** COPY TO STDOUT on the transaction's client, a pooled one, or `own` (a client taken beforehand). */
  private async *streamCopyOut(selectSql: string, own: Promise<pg.PoolClient> | null, format: CopyFormat): AsyncIterable<Uint8Array> {
    if (own === null) this.check();
    const client = own ? await own : this.client ?? (await acquire(this.pool));
    const inTx = own === null && this.client !== null;
    if (inTx) this.streaming = 'copyTo';
    const stream = client.query(copyOut(copyToSql(selectSql, 'STDOUT', format)));
    // pg reports errors of an abandoned stream too (e.g. "Connection terminated" once we discard
    // the connection below); the iteration sees real errors through its own listener.
    stream.on('error', () => undefined);
    let state: 'streaming' | 'done' | 'failed' = 'streaming';
    try {
      // destroyOnReturn: false so that an abandoned iteration can still drain the stream below.
      for await (const buf of stream.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) yield buf;
      state = 'done';
    } catch (e) {
      state = 'failed';
      throw e;
    } finally {
      if (inTx) {
        this.streaming = null;
        // A transaction's connection must stay usable: read (and drop) the rest of the output.
        if (state === 'streaming' && !stream.readableEnded && !stream.destroyed) {
          await new Promise<void>((resolve) => {
            stream.once('end', resolve).once('close', resolve).once('error', () => resolve());
            stream.resume();
          });
        }
      } else if (state === 'streaming') {
        // Abandoned: rather than draining a possibly huge result, discard the connection.
        stream.destroy();
        client.release(new Error('copyTo abandoned'));
      } else {
        client.release(state === 'failed' ? new Error('copyTo failed') : undefined);
      }
    }
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    this.check();
    if (this.client) return fn(this);
    const client = await acquire(this.pool);
    // Set when the connection can no longer be trusted: release() then closes it.
    let discard: Error | undefined;
    try {
      try {
        await client.query('BEGIN');
      } catch (e) {
        discard = e as Error;
        throw e;
      }
      const tx = new PostgresDb(this.pool, this.url, client);
      let result: T;
      try {
        result = await fn(tx);
        // fn left a COPY half-read: COMMIT would wait behind it forever.
        if (tx.streaming) throw new StreamingError(tx.streaming);
      } catch (e) {
        tx.closed = true;
        if (tx.streaming) {
          // The connection is stuck in the COPY: closing it rolls the transaction back.
          discard = new Error('transaction ended during a COPY');
        } else {
          await client.query('ROLLBACK').catch((re: Error) => {
            discard = re;
          });
        }
        throw e;
      }
      tx.closed = true;
      let commit: pg.QueryResult;
      try {
        commit = await client.query('COMMIT');
      } catch (e) {
        // A failed COMMIT (e.g. a deferred constraint) has ended the transaction; a lost
        // connection has not told us anything.
        if (isConnectionError(e)) discard = e as Error;
        throw e;
      }
      // COMMIT of a transaction that an error aborted answers ROLLBACK instead of failing.
      if (commit.command === 'ROLLBACK') throw new TransactionAbortedError();
      return result;
    } finally {
      client.release(discard);
    }
  }

  async close(): Promise<void> {
    if (this.client) throw new Error('close() the store, not a transaction');
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /** Runs fn on the transaction's client, or on a pooled one (discarded if the connection broke). */
  private async withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.client) return fn(this.client);
    const client = await acquire(this.pool);
    try {
      const result = await fn(client);
      client.release();
      return result;
    } catch (e) {
      client.release(isConnectionError(e) ? (e as Error) : undefined);
      throw e;
    }
  }
}

/** Connections that have run SESSION_SETUP_SQL. */
const prepared = new WeakSet<pg.PoolClient>();

/** A pooled client with the session set up. */
async function acquire(pool: pg.Pool): Promise<pg.PoolClient> {
  const client = await pool.connect();
  if (!prepared.has(client)) {
    try {
      await client.query(SESSION_SETUP_SQL);
    } catch (e) {
      client.release(e as Error);
      throw e;
    }
    prepared.add(client);
  }
  return client;
}

function isConnectionError(e: unknown): boolean {
  // Errors from the server carry a SQLSTATE `code` of 5 characters; anything else (ECONNRESET,
  // "Connection terminated"…) means the connection itself is gone.
  const code = (e as { code?: unknown } | null)?.code;
  return !(typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code));
}
