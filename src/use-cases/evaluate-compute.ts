/**
 * The computing half of `evaluate`: employees with their events (typed arrays,
 * grouped by employee in time order) → the engine → binary COPY tuples of
 * weekly_record. No I/O: it runs on the main thread for small evaluations
 * and in worker threads (evaluate-worker.ts) for large ones, with the same code.
 */
import type { LocalDate } from '../engine/dates.js';
import { evaluateEmployeeFacts, type Context, type EmployeeInput } from '../engine/compliance.js';
import { WEEK_STATUSES, type BadgeEvent, type Direction, type Employee, type WeekStatus, type WeeklyFacts } from '../engine/types.js';
import type { DigestHistoryWeek } from '../store/digest.repository.js';
import { writeWeeklyTuple } from '../store/compliance.repository.js';
import { CsvBytes } from '../store/csv-bytes.js';
import type { EventColumns } from '../store/badge.repository.js';

export interface HrFacts {
  leave: Map<string, EmployeeInput['leave'][number][]>;
  attestations: Map<string, EmployeeInput['attestations'][number][]>;
  exceptions: Map<string, EmployeeInput['exceptions'][number][]>;
  relocations: Map<string, NonNullable<EmployeeInput['relocation']>>;
}

/** Events grouped by employee, in time order: employee k's are the indexes [start[k], start[k + 1]). */
export interface GroupedEvents {
  start: Int32Array;
  office: Int16Array;
  at: Float64Array;
  /** 1 = in, 2 = out, 0 = unknown. */
  dir: Int8Array;
}

export interface ComputeJob {
  employees: Employee[];
  hr: HrFacts;
  officeIds: string[];
  mondays: LocalDate[];
  events: GroupedEvents;
  /**
   * The digest week and the first week of its history, both among `mondays`: the people out of
   * compliance that week are collected with their weeks [from, monday] (ComputeStats.out), which
   * spares the digests reading back what was just written.
   */
  digest?: { monday: LocalDate; from: LocalDate };
}

/** A person out of compliance in the digest week, with the weeks of its history (oldest first). */
export interface OutWithHistory {
  employeeId: string;
  policyId: string | null;
  policyVersion: number | null;
  weeks: DigestHistoryWeek[];
}

export interface ComputeStats {
  records: number;
  presenceDays: number;
  byStatus: Record<WeekStatus, number>;
  /** With ComputeJob.digest: the people out that week, in employee order of the job. */
  out: OutWithHistory[];
}

export function emptyStats(): ComputeStats {
  return { records: 0, presenceDays: 0, byStatus: Object.fromEntries(WEEK_STATUSES.map((s) => [s, 0])) as Record<WeekStatus, number>, out: [] };
}

export function addStats(into: ComputeStats, s: ComputeStats): void {
  into.records += s.records;
  into.presenceDays += s.presenceDays;
  for (const k of WEEK_STATUSES) into.byStatus[k] += s.byStatus[k];
  for (const o of s.out) into.out.push(o);
}

/** The digest's view of an employee's computed weeks, when the digest week is non-compliant. */
function outWithHistory(facts: readonly WeeklyFacts[], window: { monday: LocalDate; from: LocalDate }): OutWithHistory | null {
  const week = facts.find((f) => f.weekStart === window.monday);
  if (week === undefined || week.status !== 'non_compliant') return null;
  return {
    employeeId: week.employeeId,
    policyId: week.policy?.id ?? null,
    policyVersion: week.policy?.version ?? null,
    weeks: facts.filter((f) => f.weekStart >= window.from && f.weekStart <= window.monday)
      .map((f) => ({ weekStart: f.weekStart, status: f.status, reason: f.reason, present: f.present, required: f.required })),
  };
}

/** What most employees have of most HR facts: shared, and frozen (the engine only reads its input). */
const NONE: readonly never[] = Object.freeze([]);

/** A fact list of an employee: none without a lookup when nobody has any (at large, 350,000 lookups and lists fewer per kind). */
function factsOf<T>(m: Map<string, T[]>, id: string): readonly T[] {
  return m.size === 0 ? NONE : m.get(id) ?? NONE;
}

export function inputOf(e: Employee, events: readonly BadgeEvent[], hr: HrFacts): EmployeeInput {
  return {
    employee: e,
    events,
    leave: factsOf(hr.leave, e.employeeId),
    attestations: factsOf(hr.attestations, e.employeeId),
    exceptions: factsOf(hr.exceptions, e.employeeId),
    relocation: hr.relocations.size === 0 ? null : hr.relocations.get(e.employeeId) ?? null,
  };
}

const DIRECTIONS: readonly Direction[] = [null, 'in', 'out'];

/**
 * Yields the weekly records of the job as binary COPY tuples (writeWeeklyTuple), in chunks of
 * about `chunkBytes` ending on a tuple, counting into `stats`; `progress(k)` after each chunk.
 */
export function* weeklyCopyChunks(job: ComputeJob, ctx: Context, stats: ComputeStats, progress?: (done: number) => void, chunkBytes = 1 << 16): Generator<Uint8Array> {
  const { employees, hr, officeIds, mondays, events } = job;
  const out = new CsvBytes(chunkBytes + (1 << 12));
  // The engine keeps nothing of an event (present days copy their fields), so one set of event
  // objects serves every employee in turn: millions fewer objects for the garbage collector.
  const pool: BadgeEvent[] = [];
  const list: BadgeEvent[] = [];
  for (let k = 0; k < employees.length; k++) {
    const e = employees[k]!;
    list.length = 0;
    for (let i = events.start[k]!, j = 0; i < events.start[k + 1]!; i++, j++) {
      if (j === pool.length) pool.push({ eventId: '', officeId: '', at: 0, direction: null });
      const ev = pool[j]!;
      ev.officeId = officeIds[events.office[i]!]!;
      ev.at = events.at[i]!;
      ev.direction = DIRECTIONS[events.dir[i]!]!;
      list.push(ev);
    }
    const input = inputOf(e, list, hr);
    input.eventsNormalised = true;
    const facts = evaluateEmployeeFacts(input, ctx, mondays);
    for (const w of facts) {
      writeWeeklyTuple(out, w);
      stats.records++;
      stats.byStatus[w.status]++;
      stats.presenceDays += w.presentDays.length;
    }
    if (job.digest) {
      const o = outWithHistory(facts, job.digest);
      if (o) stats.out.push(o);
    }
    if (out.length >= chunkBytes) {
      yield out.take();
      progress?.(k + 1);
    }
  }
  if (out.length > 0) yield out.take();
  progress?.(employees.length);
}

/**
 * The events of employees [from, to) of a read, grouped. Copies (a worker thread can own them),
 * except with `share` when the read came grouped (`order` null): views of the read's columns then.
 * `base`: the number of the event at position 0 of the columns (EventColumnsReader.offset).
 */
export function sliceGrouped(cols: EventColumns, order: Int32Array | null, start: Int32Array, from: number, to: number, share = false, base = 0): GroupedEvents {
  const a = start[from]! - base;
  const b = start[to]! - base;
  const n = b - a;
  const starts = new Int32Array(to - from + 1);
  for (let k = from; k <= to; k++) starts[k - from] = start[k]! - start[from]!;
  if (order === null) {
    return share
      ? { start: starts, office: cols.office.subarray(a, b), at: cols.at.subarray(a, b), dir: cols.dir.subarray(a, b) }
      : { start: starts, office: cols.office.slice(a, b), at: cols.at.slice(a, b), dir: cols.dir.slice(a, b) };
  }
  const out: GroupedEvents = { start: starts, office: new Int16Array(n), at: new Float64Array(n), dir: new Int8Array(n) };
  for (let j = 0; j < n; j++) {
    const i = order[a + j]!;
    out.office[j] = cols.office[i]!;
    out.at[j] = cols.at[i]!;
    out.dir[j] = cols.dir[i]!;
  }
  return out;
}

/** The HR facts of some employees only (what a worker thread needs of them). */
export function hrFactsOf(hr: HrFacts, employees: readonly Employee[]): HrFacts {
  const pick = <T>(m: Map<string, T>): Map<string, T> => {
    const out = new Map<string, T>();
    for (const e of employees) {
      const v = m.get(e.employeeId);
      if (v !== undefined) out.set(e.employeeId, v);
    }
    return out;
  };
  return { leave: pick(hr.leave), attestations: pick(hr.attestations), exceptions: pick(hr.exceptions), relocations: pick(hr.relocations) };
}
