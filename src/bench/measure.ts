/**
 * Timing and memory of the benchmark's steps.
 *
 * Memory: during a step, `process.memoryUsage()` is sampled every 50 ms twice
 * over: on the main thread (rss and heapUsed, between tasks) and in a worker
 * thread (rss, plus the summed RSS of the PostgreSQL server's processes), so the
 * peak RSS is caught even while the main thread is busy in synchronous work.
 * The heap can only be read on the main thread: its peak is the largest value
 * seen between tasks (and at the start and end of the step).
 */
import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { parentPid, serverCpuSeconds, type SamplerReport, type SamplerRequest } from './memory-sampler.js';

export const SAMPLE_MS = 50;

/** Writes the system's dirty pages out (`sync`); not timed. Where there is no `sync`, nothing. */
function flushDirtyPages(): void {
  try {
    execFileSync('sync', { stdio: 'ignore' });
  } catch {
    // no sync command (not Linux): the steps may then be slowed by each other's writeback
  }
}
const MIB = 1024 * 1024;

export interface StepMemory {
  /** MiB: the process's RSS when the step began (what earlier steps left), and its peak during the step. */
  startRssMib: number;
  peakRssMib: number;
  peakHeapMib: number;
  /** MiB, summed over the PostgreSQL server's processes; null where no server is involved. */
  peakPgRssMib: number | null;
  /**
   * CPU seconds of this process (all its threads) and of the PostgreSQL server (all its
   * processes; null where no server is involved) during the step: with the seconds, they tell
   * which side bounds a step, and whether the cores were all busy.
   */
  cpuSeconds: number;
  pgCpuSeconds: number | null;
}

export interface Measured<T> {
  value: T;
  seconds: number;
  memory: StepMemory;
}

export class MemorySampler {
  private constructor(private readonly worker: Worker) {}

  static async create(): Promise<MemorySampler> {
    const worker = new Worker(new URL('./memory-sampler.js', import.meta.url));
    await new Promise<void>((resolve, reject) => {
      worker.once('online', resolve);
      worker.once('error', reject);
    });
    // Unreferenced only once running: the process should not stay alive for the sampler alone.
    worker.unref();
    return new MemorySampler(worker);
  }

  private request(msg: SamplerRequest): void {
    this.worker.postMessage(msg);
  }

  /** Starts sampling; the returned function stops it and gives the peaks. */
  start(pgPid: number | null): () => Promise<StepMemory> {
    let peakRss = 0;
    let peakHeap = 0;
    const local = () => {
      const m = process.memoryUsage();
      if (m.rss > peakRss) peakRss = m.rss;
      if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
    };
    local();
    const startRss = peakRss;
    const cpu0 = process.cpuUsage();
    const pgCpu0 = pgPid === null ? null : serverCpuSeconds(pgPid);
    const timer = setInterval(local, SAMPLE_MS);
    this.request({ cmd: 'start', intervalMs: SAMPLE_MS, pgPid });
    return async () => {
      clearInterval(timer);
      local();
      const cpu = process.cpuUsage(cpu0);
      const pgCpu = pgPid === null ? null : serverCpuSeconds(pgPid) - pgCpu0!;
      const report = await new Promise<SamplerReport>((resolve, reject) => {
        const onError = (e: Error) => reject(e);
        this.worker.once('error', onError);
        this.worker.once('message', (r: SamplerReport) => {
          this.worker.off('error', onError);
          resolve(r);
        });
        this.request({ cmd: 'stop' });
      });
      return {
        startRssMib: startRss / MIB,
        peakRssMib: Math.max(peakRss, report.peakRss) / MIB,
        peakHeapMib: peakHeap / MIB,
        peakPgRssMib: report.peakPgRss === null ? null : report.peakPgRss / MIB,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        pgCpuSeconds: pgCpu,
      };
    };
  }

  /** Times `fn` and samples memory meanwhile. `pgPid`: the postmaster to sample too, or null. */
  async measure<T>(pgPid: number | null, fn: () => Promise<T>): Promise<Measured<T>> {
    // Each step starts with the previous steps' garbage collected (node --expose-gc),
    // so that a step is not charged for a collection of another step's objects.
    (globalThis as { gc?: () => void }).gc?.();
    // …and with their writes on disk: the kernel flushes dirty pages in the background, and
    // a backlog left by an earlier step (the (c) baseline's COPY writes about 3 GB at large)
    // throttles the next step's writes. Measured: the large evaluate took 22 s alone and 44 s
    // started behind 2 GB of dirty pages.
    flushDirtyPages();
    const stop = this.start(pgPid);
    const t0 = performance.now();
    let value: T;
    try {
      value = await fn();
    } catch (e) {
      await stop().catch(() => undefined);
      throw e;
    }
    const seconds = (performance.now() - t0) / 1000;
    const memory = await stop();
    return { value, seconds, memory };
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * The pid of the postmaster of the PostgreSQL server at `url`, when it runs on
 * this machine (the parent of our backend, seen in /proc), else null.
 */
export async function postmasterPid(url: string): Promise<number | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const backend = Number((await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid);
    const parent = parentPid(backend);
    if (parent === null) return null;
    const comm = readFileSync(`/proc/${parent}/comm`, 'latin1').trim();
    return comm.startsWith('postgres') ? parent : null;
  } catch {
    return null;
  } finally {
    await client.end();
  }
}

/** The p-th percentile (0–100) of a sample, nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Runs `fn` `warmup` times untimed, then `reps` times, each timed alone (ms). */
export async function latencies(reps: number, warmup: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn(i);
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
  }
  return out;
}
