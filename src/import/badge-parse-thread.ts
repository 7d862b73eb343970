/**
 * Parsing a badge file in a worker thread: the calling thread reads the file's bytes and hands
 * them over (1 MiB at a time, transferred, not copied twice), the worker parses and validates
 * them with parseBadgeFile and posts the batches back in columns. The calling thread only
 * groups, packs and writes: on two cores, parsing no longer waits for packing and writing.
 *
 * Both sides are in this module; the worker's side runs when the module is loaded as a worker
 * with `workerData.badgeParse`.
 *
 * Memory stays bounded: the calling thread hands over at most READ_AHEAD chunks beyond those
 * whose batches it has taken, and one more only when it has nothing to do and the worker has
 * taken every chunk (a batch may need more than READ_AHEAD chunks of very long lines).
 */
import { parentPort, workerData, Worker } from 'node:worker_threads';
import { parseBadgeFile, type BadgeParseItem, type BadgeParseSetup } from './badge-batches.js';
import { CsvSyntaxError } from './csv-reader.js';

const READ_AHEAD = 8;
const encoder = new TextEncoder();

type ToWorker = { kind: 'bytes'; bytes: Uint8Array } | { kind: 'end' };

type FromWorker =
  | { kind: 'pulled'; pulled: number }
  | { kind: 'item'; item: BadgeParseItem; pulled: number }
  | { kind: 'syntax'; line: number; column: number; reason: string }
  | { kind: 'failed'; message: string; stack?: string }
  | { kind: 'done' };

/** parseBadgeFile in a worker thread, over the bytes of `source`. Same items, same errors. */
export async function* parseBadgeFileInThread(source: AsyncIterable<string | Uint8Array>, setup: BadgeParseSetup): AsyncGenerator<BadgeParseItem> {
  const worker = new Worker(new URL(import.meta.url), { workerData: { badgeParse: setup } });
  const reader = source[Symbol.asyncIterator]();
  const queue: FromWorker[] = [];
  let failure: Error | null = null;
  let finished = false;
  let wake: (() => void) | null = null;
  const signal = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  worker.on('message', (m: FromWorker) => {
    queue.push(m);
    signal();
  });
  worker.on('error', (e) => {
    failure ??= e;
    signal();
  });
  worker.on('exit', (code) => {
    if (!finished) failure ??= new Error(`the badge parsing thread stopped (exit code ${code})`);
    signal();
  });
  let posted = 0;
  let pulled = 0;
  let taken = 0;
  let ended = false;
  const postNext = async () => {
    const r = await reader.next();
    if (r.done) {
      ended = true;
      worker.postMessage({ kind: 'end' } satisfies ToWorker);
      return;
    }
    const chunk = r.value;
    const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : new Uint8Array(chunk); // a copy the worker owns
    worker.postMessage({ kind: 'bytes', bytes } satisfies ToWorker, [bytes.buffer as ArrayBuffer]);
    posted++;
  };
  try {
    for (;;) {
      while (!ended && posted - taken < READ_AHEAD) await postNext();
      const m = queue.shift();
      if (m === undefined) {
        if (failure) throw failure;
        if (!ended && pulled === posted) await postNext();
        else await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      if (m.kind === 'pulled') pulled = m.pulled;
      else if (m.kind === 'item') {
        pulled = Math.max(pulled, m.pulled);
        yield m.item;
        taken = m.pulled;
      } else if (m.kind === 'syntax') throw new CsvSyntaxError(m.line, m.column, m.reason);
      else if (m.kind === 'failed') {
        const e = new Error(`the badge parsing thread failed: ${m.message}`);
        if (m.stack) e.stack = m.stack;
        throw e;
      } else {
        finished = true;
        return;
      }
    }
  } finally {
    finished = true;
    await worker.terminate();
    // A consumer that stops early (a refused row) closes the source too; none of its reads is pending here.
    if (!ended) await reader.return?.();
  }
}

if (parentPort && (workerData as { badgeParse?: BadgeParseSetup } | null)?.badgeParse) {
  const port = parentPort;
  const setup = (workerData as { badgeParse: BadgeParseSetup }).badgeParse;
  const chunks: Uint8Array[] = [];
  let ended = false;
  let pulled = 0;
  let wake: (() => void) | null = null;
  port.on('message', (m: ToWorker) => {
    if (m.kind === 'bytes') chunks.push(m.bytes);
    else ended = true;
    const w = wake;
    wake = null;
    w?.();
  });
  const source = async function* (): AsyncGenerator<Uint8Array> {
    for (;;) {
      const c = chunks.shift();
      if (c !== undefined) {
        pulled++;
        port.postMessage({ kind: 'pulled', pulled } satisfies FromWorker);
        yield c;
      } else if (ended) return;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  void (async () => {
    try {
      for await (const item of parseBadgeFile(source(), setup)) {
        if (item.kind === 'batch') {
          const b = item.batch;
          port.postMessage({ kind: 'item', item, pulled } satisfies FromWorker, [b.employee.buffer, b.office.buffer, b.at.buffer, b.dir.buffer] as ArrayBuffer[]);
        } else port.postMessage({ kind: 'item', item, pulled } satisfies FromWorker);
      }
      port.postMessage({ kind: 'done' } satisfies FromWorker);
    } catch (e) {
      if (e instanceof CsvSyntaxError) port.postMessage({ kind: 'syntax', line: e.line, column: e.column, reason: e.reason } satisfies FromWorker);
      else {
        const err = e as Error;
        port.postMessage({ kind: 'failed', message: err?.message ?? String(e), ...(err?.stack ? { stack: err.stack } : {}) } satisfies FromWorker);
      }
    }
  })();
}
