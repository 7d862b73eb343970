/**
 * Worker thread of `evaluate` for large companies: computes the weekly records of a
 * range of employees (evaluate-compute.ts) and posts them as binary COPY tuples to the
 * main thread, which writes them to the store. At most `credits` chunks are in
 * flight: the main thread acknowledges each one it takes, so memory stays bounded
 * when the store is slower than the engine.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildContext, type ContextData } from './load-context.js';
import { emptyStats, weeklyCopyChunks, type ComputeJob, type ComputeStats } from './evaluate-compute.js';

export interface WorkerJob {
  context: ContextData;
  job: ComputeJob;
  credits: number;
  chunkBytes: number;
}

export type WorkerMessage =
  | { kind: 'chunk'; bytes: Uint8Array }
  | { kind: 'done'; stats: ComputeStats }
  | { kind: 'error'; message: string; stack?: string };

export const ACK = 'ack';

if (parentPort && (workerData as WorkerJob | null)?.job) {
  const port = parentPort;
  const { context, job, credits, chunkBytes } = workerData as WorkerJob;
  let available = credits;
  let wake: (() => void) | null = null;
  port.on('message', (m) => {
    if (m !== ACK) return;
    available++;
    const w = wake;
    wake = null;
    w?.();
  });
  void (async () => {
    try {
      const ctx = buildContext(context);
      const stats = emptyStats();
      for (const bytes of weeklyCopyChunks(job, ctx, stats, undefined, chunkBytes)) {
        while (available === 0) await new Promise<void>((resolve) => (wake = resolve));
        available--;
        // Transferred, not copied: the main thread owns the bytes from now on.
        port.postMessage({ kind: 'chunk', bytes } satisfies WorkerMessage, [bytes.buffer as ArrayBuffer]);
      }
      port.postMessage({ kind: 'done', stats } satisfies WorkerMessage);
    } catch (e) {
      const err = e as Error;
      port.postMessage({ kind: 'error', message: err?.message ?? String(e), ...(err?.stack ? { stack: err.stack } : {}) } satisfies WorkerMessage);
    }
  })();
}
