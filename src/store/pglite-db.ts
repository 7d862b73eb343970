/**
 * The embedded store: PGlite (PostgreSQL compiled to WebAssembly) on a folder of the local disk.
 *
 * Folder layout (`dataDir`):
 *   hubday.lock         exclusive lock: {"pid","host","token"} of the process that has the store open
 *   hubday-store.json   written once the PostgreSQL cluster below is fully created
 *   pgdata/             the PostgreSQL data directory PGlite runs on
 *   pgdata/hubday_copy/ scratch files of copyTo (emptied at every open)
 *
 * What we found about PGlite 0.5.16 (PostgreSQL 18.x in single-user mode) and durability:
 *
 *  - The data folder is mounted into the WASM file system with Emscripten's NODEFS, whose writes
 *    are plain fs.writeSync calls: every page PostgreSQL writes is in the OS page cache as soon as
 *    the write returns. NODEFS has no fsync hook and PGlite starts postgres with -F (fsync off), so
 *    nothing is ever fsync'ed. Consequence: a killed *process* (SIGKILL, OOM, crash) loses nothing
 *    the OS accepted and PostgreSQL's ordinary WAL crash recovery brings the store back to its last
 *    committed transaction on the next open (tested: src/store/db.test.ts kills a child process in
 *    the middle of a large transaction and of a large COPY). A power cut or kernel crash, however,
 *    can lose recent commits or, in the worst case, corrupt the folder: use PostgreSQL
 *    (DATABASE_URL) where that matters.
 *  - postmaster.pid: PGlite writes one with the pseudo-PID -42 and removes it on a clean close.
 *    After a kill it stays behind; older PGlite releases then failed to start ("RuntimeError:
 *    Aborted()", see e.g. decocms/studio#2677 and withoneai/cli#127 on GitHub). 0.5.16 ignores a
 *    stale one (we tried -42 and the live PID 1), but since hubday.lock already guarantees that no
 *    other process uses the folder, we delete a leftover postmaster.pid before starting anyway.
 *  - A fresh store is a copy of the template the build made (pglite-template.ts: a cluster PGlite
 *    created and closed), or, without one, PGlite runs initdb on a scratch in-memory file system
 *    and unpacks the result into the folder (the "exists" test is pgdata/PG_VERSION). A process
 *    killed during the copy or that unpacking can leave a half-written cluster; hubday-store.json
 *    is written only after the first successful start, so a pgdata/ without it is deleted and
 *    created again (it cannot hold data: openPgliteDb had not returned yet).
 *  - Two PGlite instances on one folder corrupt it (PostgreSQL's own postmaster.pid interlock does
 *    not work inside WASM: the PID is always -42), hence hubday.lock.
 *
 * COPY: `COPY … FROM '/dev/blob'` reads a Blob handed to the query, which PGlite copies whole into
 * memory, so copyFrom sends batches of ~16 MB, cut on row boundaries. `COPY … TO '/dev/blob'`
 * collects the entire output in JS memory; instead copyTo has PostgreSQL write the CSV to a
 * scratch file inside the mounted folder (real disk, same speed) and streams that file, so memory
 * stays bounded for any result size. Measured here, 3 million rows of ~45 bytes: copyFrom ~3.5 s
 * (PostgreSQL 15 on the same machine: ~1.5 s), copyTo ~1.7 s (~0.9 s); process RSS stays at about
 * 300-400 MB, most of it PGlite's own WASM heap (a store created without the template costs ~500 MB
 * more until GC reclaims the temporary instance PGlite runs initdb in).
 *
 * Types: PGlite's own parsers turn date/timestamptz into Date objects and keep numeric as a
 * string; we replace every parser on the instance with the shared table of ./db.ts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { PGlite, TransactionAbortedError as PgliteAbortedError, types as pgliteTypes, type Transaction } from '@electric-sql/pglite';
import {
  BINARY_COPY_HEADER, BINARY_COPY_TRAILER, binaryChunk, type CopyChunks, type CopyFormat, type Db, SESSION_SETUP_SQL, StreamingError, TYPE_PARSERS, TransactionAbortedError, chunkSource, copyFromSql, copyToSql, decodeChunks, normalizeParams, parserFor,
} from './db.js';
import { usableTemplate } from './pglite-template.js';

const LOCK_FILE = 'hubday.lock';
const MARKER_FILE = 'hubday-store.json';
const PGDATA_DIR = 'pgdata';
const COPY_DIR = 'hubday_copy';
/** Text per `COPY … FROM '/dev/blob'` statement. */
const COPY_BATCH_CHARS = 16 * 1024 * 1024;
/** A takeover guard older than this was left by a process that died while taking over. */
const TAKEOVER_STALE_MS = 10_000;

/** What both a PGlite instance and a PGlite transaction can do. */
type Target = Pick<Transaction, 'query' | 'exec'>;

interface Root {
  readonly pg: PGlite;
  readonly dataDir: string;
  /** Real path of the scratch folder for copyTo, and its path inside the WASM file system. */
  readonly copyDir: string;
  readonly copyDirInWasm: string;
  readonly releaseLock: () => void;
  closed: boolean;
  copies: number;
}

export interface OpenPgliteOptions {
  /**
   * The template a new store is copied from (pglite-template.ts): a folder made by makeTemplate,
   * used when its PGlite version is the installed one; null: none (PGlite creates the cluster);
   * default: the build's (dist/pglite-template), when usable.
   */
  template?: string | null;
}

/**
 * Opens (creating if needed) the store in `dataDir`, taking the folder's exclusive lock.
 * Throws `the data folder <dir> is in use by process <pid>` when another process has it open.
 */
export async function openPgliteDb(dataDir: string, opts: OpenPgliteOptions = {}): Promise<Db & { readonly dataDir: string }> {
  const dir = path.resolve(dataDir);
  fs.mkdirSync(dir, { recursive: true });
  const releaseLock = await acquireLock(dir);
  try {
    const pgdata = path.join(dir, PGDATA_DIR);
    const marker = path.join(dir, MARKER_FILE);
    const isNew = !fs.existsSync(marker);
    if (isNew) {
      fs.rmSync(pgdata, { recursive: true, force: true }); // an interrupted creation, see above
      // A copy of the build's template, when there is one: PGlite then opens a cluster instead of creating one.
      const template = opts.template === null ? null : usableTemplate(opts.template);
      if (template !== null) fs.cpSync(template, pgdata, { recursive: true });
    } else {
      fs.rmSync(path.join(pgdata, 'postmaster.pid'), { force: true });
    }
    const pg = await PGlite.create(pgdata);
    try {
      await pg.exec(SESSION_SETUP_SQL);
      useSharedParsers(pg);
      const copyDir = path.join(pgdata, COPY_DIR);
      fs.rmSync(copyDir, { recursive: true, force: true });
      fs.mkdirSync(copyDir);
      if (isNew) {
        writeFileAtomic(marker, JSON.stringify({ engine: 'pglite', created: new Date().toISOString() }, null, 2) + '\n');
      }
      const root: Root = {
        pg, dataDir: dir, copyDir, copyDirInWasm: `${PGlite.paths.PGDATA}/${COPY_DIR}`, releaseLock, closed: false, copies: 0,
      };
      return new PgliteDb(root, pg, false);
    } catch (e) {
      await pg.close().catch(() => undefined);
      throw e;
    }
  } catch (e) {
    releaseLock();
    throw e;
  }
}

/** Points every result parser of the instance (including its array types) at the shared table. */
function useSharedParsers(pg: PGlite): void {
  // PGlite falls back to its built-in parsers (types.parsers) for an OID missing from the instance's
  // table, so every OID of both gets an entry: ours, or the identity for types we keep as text.
  const oids = new Set([...Object.keys(pg.parsers), ...Object.keys(pgliteTypes.parsers)].map(Number));
  for (const oid of TYPE_PARSERS.keys()) oids.add(oid);
  for (const oid of oids) if (Number.isInteger(oid)) pg.parsers[oid] = parserFor(oid);
}

class PgliteDb implements Db {
  readonly kind = 'pglite' as const;
  /** Set when the transaction this handle belongs to has ended. */
  private ended = false;
  /** On a transaction handle: the COPY being streamed, during which other statements are refused. */
  private streaming: 'copyFrom' | 'copyTo' | null = null;

  constructor(
    private readonly root: Root,
    private readonly target: Target,
    private readonly inTransaction: boolean,
  ) {}

  get dataDir(): string {
    return this.root.dataDir;
  }

  private check(): void {
    if (this.root.closed) throw new Error(`the store in ${this.root.dataDir} is closed`);
    if (this.ended) throw new Error('this transaction has ended');
    if (this.streaming) throw new StreamingError(this.streaming);
  }

  async query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    this.check();
    const r = await this.target.query<T>(sql, normalizeParams(params));
    return r.rows;
  }

  async run(sql: string, params?: readonly unknown[]): Promise<{ rowCount: number; rows: Record<string, unknown>[] }> {
    this.check();
    const r = await this.target.query<Record<string, unknown>>(sql, normalizeParams(params));
    return { rowCount: r.rowCount ?? r.affectedRows ?? 0, rows: r.rows };
  }

  async exec(sql: string): Promise<void> {
    this.check();
    await this.target.exec(sql);
  }

  async copyFrom(table: string, columns: readonly string[], chunks: CopyChunks, format: CopyFormat = 'csv'): Promise<number> {
    this.check();
    const sql = copyFromSql(table, columns, `'/dev/blob'`, format);
    const source = iteratorOf(chunkSource(chunks));
    const batcher = format === 'binary' ? new BinaryBatcher() : new CsvBatcher();
    /** Reads chunks until a batch is full (true) or the source is exhausted (false). */
    const fill = async (): Promise<boolean> => {
      for (;;) {
        const r = await source.next();
        if (r.done) return false;
        if (batcher.add(r.value)) return true;
      }
    };
    /** Sends the batch read so far as one COPY statement. */
    const send = async (target: Target): Promise<number> => {
      const blob = batcher.take();
      if (!blob) return 0;
      const r = await target.query(sql, [], { blob });
      return r.rowCount ?? r.affectedRows ?? 0;
    };
    /** The whole copy, as several statements, on a transaction. */
    const all = async (target: Target, more: boolean): Promise<number> => {
      let total = await send(target);
      while (more) {
        more = await fill();
        total += await send(target);
      }
      return total;
    };
    try {
      if (this.inTransaction) {
        this.streaming = 'copyFrom';
        try {
          return await all(this.target, await fill());
        } finally {
          this.streaming = null;
        }
      }
      // Outside a transaction the first batch is read before the database is taken, so a source
      // that queries this Db first (e.g. db.copyTo(…)) works. A copy of up to one batch is a
      // single statement, atomic on its own; a bigger one runs in a transaction, all or nothing.
      const more = await fill();
      if (!more) return await send(this.root.pg);
      return await this.root.pg.transaction((ptx) => all(ptx, true));
    } catch (e) {
      await Promise.resolve(source.return?.()).catch(() => undefined); // let the source clean up
      throw e;
    }
  }

  copyTo(selectSql: string): AsyncIterable<string> {
    return decodeChunks(this.copyToBytes(selectSql));
  }

  async *copyToBytes(selectSql: string, format: CopyFormat = 'csv'): AsyncIterable<Uint8Array> {
    this.check();
    const name = `out-${process.pid}-${++this.root.copies}-${randomUUID()}.csv`;
    const file = path.join(this.root.copyDir, name);
    if (this.inTransaction) this.streaming = 'copyTo';
    try {
      await this.target.query(copyToSql(selectSql, `'${this.root.copyDirInWasm}/${name}'`, format));
      // The statement is over: reading the file holds no lock on the database. (Transactions
      // still refuse other statements until the end, to behave like PostgreSQL, whose connection
      // is busy streaming.)
      yield* fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>;
    } finally {
      if (this.inTransaction) this.streaming = null;
      fs.rmSync(file, { force: true });
    }
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    this.check();
    if (this.inTransaction) return fn(this);
    try {
      return await this.root.pg.transaction(async (ptx) => {
        const tx = new PgliteDb(this.root, ptx, true);
        try {
          const result = await fn(tx);
          // Like on PostgreSQL, where COMMIT cannot get through a half-read COPY: roll back.
          if (tx.streaming) throw new StreamingError(tx.streaming);
          return result;
        } finally {
          tx.ended = true;
        }
      });
    } catch (e) {
      if (e instanceof PgliteAbortedError) throw new TransactionAbortedError();
      throw e;
    }
  }

  async close(): Promise<void> {
    if (this.inTransaction) throw new Error('close() the store, not a transaction');
    if (this.root.closed) return;
    this.root.closed = true;
    try {
      await this.root.pg.close();
      fs.rmSync(this.root.copyDir, { recursive: true, force: true });
    } finally {
      this.root.releaseLock();
    }
  }
}

function iteratorOf<T>(src: AsyncIterable<T> | Iterable<T>): AsyncIterator<T> | Iterator<T> {
  return Symbol.asyncIterator in src ? src[Symbol.asyncIterator]() : src[Symbol.iterator]();
}

/**
 * Collects CSV chunks into batches of ~16 MB, cut only on row boundaries: after a chunk that ends
 * with a newline while outside a quoted field. The parity of the '"' seen so far tells the latter
 * (a doubled "" inside a field counts twice), so chunks split anywhere are still handled.
 */
class CsvBatcher {
  private parts: Array<string | Uint8Array> = [];
  private size = 0;
  private insideQuotes = false;

  /** Adds a chunk; true when the batch is full and may be sent. */
  add(chunk: string | Uint8Array): boolean {
    if (chunk.length === 0) return false;
    this.parts.push(chunk);
    this.size += chunk.length;
    let endsRow: boolean;
    if (typeof chunk === 'string') {
      for (let i = chunk.indexOf('"'); i !== -1; i = chunk.indexOf('"', i + 1)) this.insideQuotes = !this.insideQuotes;
      endsRow = chunk.endsWith('\n');
    } else {
      const b = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
      for (let i = b.indexOf(34); i !== -1; i = b.indexOf(34, i + 1)) this.insideQuotes = !this.insideQuotes;
      endsRow = chunk[chunk.length - 1] === 10;
    }
    return this.size >= COPY_BATCH_CHARS && !this.insideQuotes && endsRow;
  }

  /** The batch as a Blob (null when empty), starting a new one. */
  take(): Blob | null {
    if (this.size === 0) return null;
    const blob = new Blob(this.parts as ConstructorParameters<typeof Blob>[0]);
    this.parts = [];
    this.size = 0;
    return blob;
  }
}

/**
 * Collects binary COPY chunks (each ending on a tuple boundary) into batches of ~16 MB, each a
 * whole binary COPY stream of its own: header, tuples, trailer.
 */
class BinaryBatcher {
  private parts: Uint8Array[] = [BINARY_COPY_HEADER];
  private size = 0;

  add(chunk: string | Uint8Array): boolean {
    const bytes = binaryChunk(chunk);
    if (bytes.length === 0) return false;
    this.parts.push(bytes);
    this.size += bytes.length;
    return this.size >= COPY_BATCH_CHARS;
  }

  take(): Blob | null {
    if (this.size === 0) return null;
    this.parts.push(BINARY_COPY_TRAILER);
    const blob = new Blob(this.parts as ConstructorParameters<typeof Blob>[0]);
    this.parts = [BINARY_COPY_HEADER];
    this.size = 0;
    return blob;
  }
}

// ---------------------------------------------------------------------------
// The folder lock
// ---------------------------------------------------------------------------

interface LockHolder {
  raw: string;
  pid: number | null;
  host: string | null;
}

function readLock(file: string): LockHolder | null {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const v = JSON.parse(raw) as { pid?: unknown; host?: unknown };
    return { raw, pid: Number.isInteger(v.pid) ? (v.pid as number) : null, host: typeof v.host === 'string' ? v.host : null };
  } catch {
    return { raw, pid: null, host: null };
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Takes `<dir>/hubday.lock`. The file is created complete and atomically (written under a private
 * name, then hard-linked into place, which fails if the lock exists), so a reader never sees a
 * half-written lock. A lock whose process is dead (on this host) is taken over; the takeover itself
 * is guarded by `hubday.lock.takeover` (created with 'wx') so two openers that both found the same
 * stale lock cannot both remove it and both believe they hold the new one.
 */
async function acquireLock(dir: string): Promise<() => void> {
  const file = path.join(dir, LOCK_FILE);
  const mine = JSON.stringify({ pid: process.pid, host: os.hostname(), token: randomUUID(), since: new Date().toISOString() }) + '\n';
  const release = (): void => {
    if (readLock(file)?.raw === mine) fs.rmSync(file, { force: true });
  };
  for (let attempt = 0; attempt < 200; attempt++) {
    if (createExclusive(file, mine)) return release;
    const holder = readLock(file);
    if (holder === null) continue; // released in between: try again
    const sameHost = holder.host === null || holder.host === os.hostname();
    if (holder.pid !== null && (!sameHost || processIsAlive(holder.pid))) {
      throw new Error(`the data folder ${dir} is in use by process ${holder.pid}${sameHost ? '' : ` on ${holder.host}`}`);
    }
    // The holder is dead (or the file is garbage): take it over.
    const guard = `${file}.takeover`;
    if (createExclusive(guard, `${process.pid}\n`)) {
      try {
        if (readLock(file)?.raw === holder.raw) fs.rmSync(file, { force: true });
      } finally {
        fs.rmSync(guard, { force: true });
      }
    } else {
      try {
        if (Date.now() - fs.statSync(guard).mtimeMs > TAKEOVER_STALE_MS) fs.rmSync(guard, { force: true });
      } catch {
        // the guard vanished: fine
      }
      await sleep(25);
    }
  }
  throw new Error(`could not lock the data folder ${dir} (${file})`);
}

/** Creates `file` with `content` unless it exists; true when created. */
function createExclusive(file: string, content: string): boolean {
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  fs.writeFileSync(tmp, content);
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw e;
    // A file system without hard links: fall back to 'wx' (a reader may briefly see it empty).
    try {
      fs.writeFileSync(file, content, { flag: 'wx' });
      return true;
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e2;
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function writeFileAtomic(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}
