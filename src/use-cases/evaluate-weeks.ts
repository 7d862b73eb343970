/**
 * `hubday evaluate`: recomputes presence days and weekly compliance for every
 * ISO week overlapping [from, to], set-based over all employees: the events are
 * read with one COPY statement into typed arrays, grouped by employee, reduced
 * by the pure engine, and streamed back with one COPY, all in one transaction
 * (results are replaced per employee and week; readers see the old ones until
 * the new ones are complete). When the range covers its stored partitions whole,
 * the records go into a fresh table that replaces them at the end (startWeekSwap).
 */
import type { Deps, Progress } from './deps.js';
import { type LocalDate, addDays, dayNumber, mondaysBetween } from '../engine/dates.js';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { evaluateEmployee, type Context } from '../engine/compliance.js';
import type { Employee, WeekStatus, WeeklyRecord } from '../engine/types.js';
import { loadContext, loadContextData, buildContext, type ContextData } from './load-context.js';
import {
  addStats, emptyStats, hrFactsOf, inputOf, sliceGrouped, weeklyCopyChunks, type ComputeJob, type ComputeStats, type HrFacts,
} from './evaluate-compute.js';
import { digestWeekOf } from '../engine/digest.js';
import { digestHistoryFrom, digestInputOf } from './digests.js';
import { ACK, type WorkerJob, type WorkerMessage } from './evaluate-worker.js';
import { listEmployees, getEmployees } from '../store/employee.repository.js';
import { leaveByEmployee, attestationsByEmployee, exceptionsByEmployee, relocationsByEmployee } from '../store/hr.repository.js';
import {
  EventColumnsReader, eventCapacity, eventsOfEmployees, eventsReadSql, readEventColumns, groupByEmployee, type EventColumns,
} from '../store/badge.repository.js';
import type { Db } from '../store/db.js';
import {
  deleteResults, ensureWeekPartitions, finishWeekSwap, lockEvaluations, startWeekSwap, RECORD_COLUMNS,
} from '../store/compliance.repository.js';
import { HubdayError } from '../errors.js';
import { afterEvaluation } from './after-evaluation.js';

const DAY_MS = 86_400_000;

export interface EvaluateOptions {
  from: LocalDate;
  to: LocalDate;
  /** Worker threads computing the records (0: on the main thread; default: by size and store). */
  threads?: number;
  /**
   * Stream: read the events on a connection of their own and compute each employee as soon as its
   * events are in, while the rest is still being read (default: whenever the store has a spare
   * connection and the main thread computes in one pass; false: read everything first).
   */
  stream?: boolean;
  /** Streaming: the events held at once before the columns grow (default STREAM_EVENTS; tests make it small). */
  streamEvents?: number;
}

export interface EvaluateSummary {
  from: LocalDate;
  to: LocalDate;
  weeks: number;
  employees: number;
  records: number;
  presenceDays: number;
  events: number;
  byStatus: Record<WeekStatus, number>;
}

/** Events that can fall on a badge day of the weeks [firstMonday, lastMonday + 6], whatever the zone and dayStartsAt. */
export function eventWindowMs(firstMonday: LocalDate, lastMonday: LocalDate): { fromMs: number; toMs: number } {
  return { fromMs: (dayNumber(firstMonday) - 1) * DAY_MS, toMs: (dayNumber(lastMonday) + 9) * DAY_MS };
}

export async function loadHrFacts(deps: Deps, from: LocalDate, to: LocalDate, ids?: readonly string[]): Promise<HrFacts> {
  // One after another: deps.db may be a transaction (one connection), where queries cannot overlap.
  const leave = await leaveByEmployee(deps.db, from, to, ids);
  const attestations = await attestationsByEmployee(deps.db, from, to, ids);
  const exceptions = await exceptionsByEmployee(deps.db, from, to, ids);
  const relocations = await relocationsByEmployee(deps.db, ids);
  return { leave, attestations, exceptions, relocations };
}

export function validateRange(from: LocalDate, to: LocalDate): LocalDate[] {
  if (to < from) throw new HubdayError('invalid_usage', `--to ${to} is before --from ${from}`);
  const mondays = mondaysBetween(from, to);
  if (mondays.length > 530) throw new HubdayError('invalid_usage', `the range covers ${mondays.length} weeks; evaluate at most about ten years at a time`);
  return mondays;
}

/**
 * Chunks (of 256 KiB) a worker may have in flight. PGlite ingests 16 MiB per COPY statement
 * on the main thread, blocking it meanwhile: the workers must be able to run ahead by more
 * than that, or they would wait for the main thread instead of working beside it.
 */
const CREDITS = 160;

/** Below this many employee-weeks the engine runs on the main thread: starting threads would cost more. */
const THREADS_FROM = 50_000;

/**
 * How many worker threads compute the weekly records (0: the main thread computes). The
 * PostgreSQL server ingests in its own process, on a core of its own: on two cores the main
 * thread computing beside it is faster than workers (measured at medium: write phase 2.8 s on
 * the main thread, 3.3 s with two workers, 3.5 s with one; a worker thread has to share the
 * cores with the server and the main thread, and it ran the engine 20 to 25 % slower than the
 * main thread even alone). With more cores, the cores beyond those two compute. PGlite ingests
 * on the main thread itself, so computing in a worker beside it always pays.
 */
export function defaultThreads(kind: 'pglite' | 'postgres', employeeWeeks: number): number {
  if (employeeWeeks < THREADS_FROM) return 0;
  const cores = availableParallelism();
  return kind === 'postgres' ? (cores > 2 ? cores - 1 : 0) : Math.max(1, cores - 1);
}

export async function evaluateWeeks(deps: Deps, opts: EvaluateOptions): Promise<EvaluateSummary> {
  const mondays = validateRange(opts.from, opts.to);
  const first = mondays[0]!;
  const last = mondays[mondays.length - 1]!;
  const contextData = await loadContextData(deps, first, addDays(last, 6));
  const ctx = buildContext(contextData);
  const employees = await listEmployees(deps.db);
  const employeeIndex = new Map(employees.map((e, i) => [e.employeeId, i]));
  const officeIds = [...ctx.offices.keys()];
  const officeIndex = new Map(officeIds.map((id, i) => [id, i]));
  const stats = emptyStats();
  let events = 0;
  // PostgreSQL streams the events of the whole range; the embedded store hands a
  // COPY result over in one piece, so large companies go a few weeks at a time.
  const weeksPerPass = deps.db.kind === 'postgres' || employees.length <= 60_000 ? mondays.length : 2;
  const threads = opts.threads ?? defaultThreads(deps.db.kind, employees.length * mondays.length);
  const stream = opts.stream !== false && threads === 0 && weeksPerPass >= mondays.length && deps.db.copyToBytesBeside !== undefined;
  // Streaming, the HR facts are read inside the transaction, while the events come in.
  let hr: HrFacts | null = stream ? null : await loadHrFacts(deps, first, addDays(last, 6));
  // When one pass computes the digest week and all its history, the digests take the people out
  // from the computation instead of reading back what was just written (at large: seconds).
  const digestMonday = digestWeekOf(mondays, deps.clock.today());
  const digest = digestMonday !== null && weeksPerPass >= mondays.length && digestHistoryFrom(digestMonday) >= first
    ? { monday: digestMonday, from: digestHistoryFrom(digestMonday) } : undefined;
  const progress = deps.progress?.('evaluating');
  const run = (streaming: boolean) => deps.db.transaction(async (tx) => {
    await lockEvaluations(tx);
    // The weeks' records go into a table of their own, swapped in at the end, when the stored
    // partitions of these weeks hold no other week; else they are replaced in place.
    const swap = await startWeekSwap(tx, first, last);
    if (swap === null) {
      await ensureWeekPartitions(tx, mondays);
      await deleteResults(tx, mondays);
    }
    const target = swap?.table ?? 'weekly_record';
    await tx.query('DELETE FROM dirty_week WHERE week_start BETWEEN $1::date AND $2::date', [first, last]);
    const loadHr = () => loadHrFacts({ ...deps, db: tx }, first, addDays(last, 6));
    const streamed = streaming ? await streamedEvaluation(deps.db, tx, target, { events: opts.streamEvents ?? STREAM_EVENTS, employees, employeeIndex, officeIds, officeIndex, mondays, digest }, loadHr, ctx, stats, progress) : null;
    if (streamed !== null) events = streamed;
    else for (let p = 0; p < mondays.length; p += weeksPerPass) {
      hr ??= await loadHr();
      const pass = mondays.slice(p, p + weeksPerPass);
      const { fromMs, toMs } = eventWindowMs(pass[0]!, pass[pass.length - 1]!);
      const cols = await readEventColumns(tx, fromMs, toMs, employeeIndex, officeIndex);
      events += cols.count;
      const { order, start } = groupByEmployee(cols, employees.length);
      const report = (done: number) => progress?.update((p + (done / employees.length) * pass.length) / mondays.length, `${done} of ${employees.length} employees`);
      // Computing while the store ingests what is already computed: the cores work together.
      const chunks = threads > 0
        ? threadedChunks(contextData, employees, hr, officeIds, pass, digest, cols, order, start, threads, stats, report)
        : weeklyCopyChunks({ employees, hr, officeIds, mondays: pass, events: sliceGrouped(cols, order, start, 0, employees.length, true), digest }, ctx, stats, report);
      await tx.copyFrom(target, RECORD_COLUMNS, chunks, 'binary');
    }
    await tx.query(
      `INSERT INTO evaluation_run (from_week, to_week, employees, weeks, started_at) VALUES ($1, $2, $3, $4, $5)`,
      [first, last, employees.length, mondays.length, deps.clock.now().toISOString()],
    );
    await afterEvaluation(tx, deps, { mondays, ...(digest ? { digest: { monday: digest.monday, input: digestInputOf(stats.out, employees) } } : {}) },
      swap ? () => finishWeekSwap(tx, swap) : undefined);
  });
  try {
    await run(stream);
  } catch (e) {
    if (!(e instanceof UngroupedReadError)) throw e;
    // The stored weeks did not come in the employees' order (not seen: both are ordered by
    // employee_id): what was written is rolled back, and the evaluation reads everything first.
    Object.assign(stats, emptyStats());
    events = 0;
    await run(false);
  }
  progress?.done();
  return { from: first, to: addDays(last, 6), weeks: mondays.length, employees: employees.length, records: stats.records, presenceDays: stats.presenceDays, events, byStatus: stats.byStatus };
}

/** wait() resolves at the next signal(): a loop waiting for what callbacks bring. */
function wakeUp(): { wait: () => Promise<void>; signal: () => void } {
  let wake: (() => void) | null = null;
  return {
    wait: () => new Promise<void>((resolve) => (wake = resolve)),
    signal: () => {
      const w = wake;
      wake = null;
      w?.();
    },
  };
}

/** A streamed evaluation found the stored weeks out of the employees' order. */
class UngroupedReadError extends Error {}

/** Computing waits until this many more employees are complete (or the read is done): batches of a useful size. */
const STREAM_BATCH = 512;

/**
 * The events a streamed evaluation holds at once (30 MB of columns): the employees computed are
 * compacted away between batches, and the read waits for room meanwhile (it runs ahead of the
 * computing otherwise). One set of columns for the whole read, at large 22 million events, would
 * be 330 MB of fresh memory: a page fault per 4 KiB on first use, which cost more than the
 * decoding on the virtual machine of the benchmarks. The columns grow past it only for a batch
 * of employees with more events than that.
 */
const STREAM_EVENTS = 1 << 21;

interface StreamJob {
  /** The events held at once (see STREAM_EVENTS). */
  events: number;
  employees: Employee[];
  employeeIndex: ReadonlyMap<string, number>;
  officeIds: string[];
  officeIndex: ReadonlyMap<string, number>;
  mondays: LocalDate[];
  digest: ComputeJob['digest'];
}

/**
 * evaluate's one pass, streamed (PostgreSQL, main thread): the events are read on a connection of
 * their own (copyToBytesBeside) while the transaction reads the HR facts, and each batch of
 * employees whose events are all in is computed and sent to the transaction's COPY at once: the
 * server reads and ingests while Node decodes and computes, instead of one after the other.
 * Returns the number of events read, or null when the store has no spare connection now (the
 * caller then reads on its transaction). Throws UngroupedReadError, having written part of the
 * records, if the read turns out not to be in the employees' order.
 */
async function streamedEvaluation(
  db: Db, tx: Db, target: string, job: StreamJob, loadHr: () => Promise<HrFacts>, ctx: Context, stats: ComputeStats, progress: Progress | undefined,
): Promise<number | null> {
  const { employees, mondays } = job;
  const { fromMs, toMs } = eventWindowMs(mondays[0]!, mondays[mondays.length - 1]!);
  const capacity = await eventCapacity(tx, fromMs, toMs);
  const source = db.copyToBytesBeside?.(eventsReadSql(fromMs, toMs), 'binary') ?? null;
  if (source === null) return null;
  const reader = new EventColumnsReader(Math.min(capacity, job.events), employees.length, fromMs, toMs, job.employeeIndex, job.officeIndex);
  let failure: unknown = null;
  let stop = false;
  // Employees [0, done) are computed; `computing` while a batch holds views of the columns (they
  // may not move then).
  let done = 0;
  let computing = false;
  const { wait, signal } = wakeUp();
  const batchEnd = wakeUp();
  const reading = (async () => {
    try {
      for await (const bytes of source) {
        // Breaking out gives the connection back (discarded, as the rest of its output is unread).
        if (stop) break;
        // Every event takes more than 4 bytes of the output: room for bytes / 4 events is room enough.
        while (reader.room() < bytes.length >> 2 && !stop) {
          if (computing) await batchEnd.wait();
          else {
            reader.compact(done);
            break; // still short: the columns grow
          }
        }
        reader.take(bytes);
        signal();
        if (reader.unordered) break;
      }
      if (!stop && !reader.unordered) reader.finish();
    } catch (e) {
      failure = e;
    }
    signal();
  })();
  async function* computed(hr: HrFacts): AsyncGenerator<Uint8Array> {
    const n = employees.length;
    let sorted = 0;
    for (let from = 0; from < n;) {
      for (;;) {
        if (failure !== null) throw failure;
        if (reader.unordered) throw new UngroupedReadError('the stored badge weeks were not read in the employees\' order');
        if (reader.finished || reader.ready - from >= STREAM_BATCH) break;
        await wait();
      }
      const to = reader.finished ? n : reader.ready;
      reader.compact(from);
      while (sorted < reader.unsorted.length && reader.unsorted[sorted]! < to) reader.sortGroup(reader.unsorted[sorted++]!);
      const events = sliceGrouped(reader.columns(), null, reader.start, from, to, true, reader.offset);
      computing = true;
      try {
        yield* weeklyCopyChunks({ employees: employees.slice(from, to), hr, officeIds: job.officeIds, mondays, events, ...(job.digest ? { digest: job.digest } : {}) },
          ctx, stats, (k) => progress?.update((from + k) / n, `${from + k} of ${n} employees`));
      } finally {
        computing = false;
        done = from = to;
        batchEnd.signal();
      }
    }
  }
  try {
    const hr = await loadHr();
    await tx.copyFrom(target, RECORD_COLUMNS, computed(hr), 'binary');
  } finally {
    stop = true;
    batchEnd.signal();
    await reading;
  }
  if (failure !== null) throw failure;
  return reader.count;
}

/**
 * Splits the employees into `threads` contiguous ranges of about as many events, computes
 * each in a worker thread, and yields their chunks of binary COPY tuples as they come.
 */
async function* threadedChunks(
  context: ContextData, employees: Employee[], hr: HrFacts, officeIds: string[], mondays: LocalDate[], digest: ComputeJob['digest'],
  cols: EventColumns, order: Int32Array | null, start: Int32Array, threads: number, stats: ComputeStats, report: (done: number) => void,
): AsyncGenerator<Uint8Array> {
  const n = employees.length;
  const bounds = [0];
  for (let t = 1; t < threads; t++) {
    let k = bounds[t - 1]!;
    // By events and by people alike: the engine's work grows with both.
    while (k < n && start[k]! / Math.max(1, cols.count) + k / n < (2 * t) / threads) k++;
    bounds.push(k);
  }
  bounds.push(n);
  const queue: Array<{ worker: Worker; bytes: Uint8Array }> = [];
  let running = 0;
  let failure: Error | null = null;
  const { wait, signal } = wakeUp();
  const workers: Worker[] = [];
  let done = 0;
  for (let t = 0; t < threads; t++) {
    const from = bounds[t]!;
    const to = bounds[t + 1]!;
    if (to <= from) continue;
    const slice = employees.slice(from, to);
    const events = sliceGrouped(cols, order, start, from, to);
    const job: WorkerJob = { context, job: { employees: slice, hr: hrFactsOf(hr, slice), officeIds, mondays, events, ...(digest ? { digest } : {}) }, credits: CREDITS, chunkBytes: 1 << 18 };
    const worker = new Worker(new URL('./evaluate-worker.js', import.meta.url), {
      workerData: job, transferList: [events.start.buffer, events.office.buffer, events.at.buffer, events.dir.buffer] as ArrayBuffer[],
    });
    let finished = false;
    worker.on('message', (m: WorkerMessage) => {
      if (m.kind === 'chunk') queue.push({ worker, bytes: m.bytes });
      else if (m.kind === 'done') {
        finished = true;
        addStats(stats, m.stats);
        running--;
        done += to - from;
        report(done);
        void worker.terminate();
      } else {
        failure = new HubdayError('internal', `evaluation thread failed: ${m.message}`);
        if (m.stack) failure.stack = m.stack;
      }
      signal();
    });
    worker.on('error', (e) => {
      failure = e;
      signal();
    });
    worker.on('exit', (code) => {
      if (!finished && !failure) failure = new HubdayError('internal', `evaluation thread stopped (exit code ${code})`);
      signal();
    });
    workers.push(worker);
    running++;
  }
  try {
    for (;;) {
      if (failure) throw failure;
      const next = queue.shift();
      if (next) {
        next.worker.postMessage(ACK);
        yield next.bytes;
        continue;
      }
      if (running === 0) return;
      await wait();
    }
  } finally {
    for (const w of workers) void w.terminate();
  }
}

/**
 * Computes (without storing) the weekly records of a few employees, from the
 * same data and with the same engine as `evaluate`. Used for weeks that have
 * not been evaluated yet.
 */
export async function computeWeeksLive(deps: Deps, employeeIds: readonly string[], mondays: readonly LocalDate[], ctx?: Context): Promise<Map<string, WeeklyRecord[]>> {
  const out = new Map<string, WeeklyRecord[]>();
  if (employeeIds.length === 0 || mondays.length === 0) return out;
  const sorted = [...mondays].sort();
  const first = sorted[0]!;
  const last = sorted[sorted.length - 1]!;
  const context = ctx ?? (await loadContext(deps, first, addDays(last, 6)));
  const employees = await getEmployees(deps.db, employeeIds);
  const hr = await loadHrFacts(deps, first, addDays(last, 6), employeeIds);
  const { fromMs, toMs } = eventWindowMs(first, last);
  const events = await eventsOfEmployees(deps.db, employees.map((e) => e.employeeId), fromMs, toMs);
  for (const e of employees) out.set(e.employeeId, evaluateEmployee(inputOf(e, events.get(e.employeeId) ?? [], hr), context, sorted).weeks);
  return out;
}
