/**
 * `hubday evaluate`: recomputes presence days and weekly compliance for every
 * ISO week overlapping [from, to], set-based over all employees: events are
 * streamed out of the store a few weeks at a time with one statement, reduced
 * by the pure engine, and written back with COPY, all in one transaction
 * (results are replaced per employee and week; readers see the old ones until
 * the new ones are complete).
 */
import type { Deps } from './deps.js';
import { type LocalDate, addDays, dayNumber, mondaysBetween } from '../engine/dates.js';
import { evaluateEmployee, type Context, type EmployeeInput } from '../engine/compliance.js';
import type { BadgeEvent, Direction, Employee, WeekStatus, WeeklyRecord } from '../engine/types.js';
import { WEEK_STATUSES } from '../engine/types.js';
import { loadContext } from './load-context.js';
import { listEmployees, getEmployees } from '../store/employee.repository.js';
import { leaveByEmployee, attestationsByEmployee, exceptionsByEmployee, relocationsByEmployee } from '../store/hr.repository.js';
import { eventsOfEmployee, streamEventsInWindow } from '../store/badge.repository.js';
import { deleteResults, presenceCsvLine, weeklyCsvLine, WEEKLY_COLUMNS, PRESENCE_COLUMNS } from '../store/compliance.repository.js';
import { readCsv } from '../import/csv-reader.js';
import { HubdayError } from '../errors.js';

const DAY_MS = 86_400_000;

export interface EvaluateOptions {
  from: LocalDate;
  to: LocalDate;
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

export interface HrFacts {
  leave: Map<string, EmployeeInput['leave'][number][]>;
  attestations: Map<string, EmployeeInput['attestations'][number][]>;
  exceptions: Map<string, EmployeeInput['exceptions'][number][]>;
  relocations: Map<string, NonNullable<EmployeeInput['relocation']>>;
}

export async function loadHrFacts(deps: Deps, from: LocalDate, to: LocalDate, ids?: readonly string[]): Promise<HrFacts> {
  const [leave, attestations, exceptions, relocations] = await Promise.all([
    leaveByEmployee(deps.db, from, to, ids),
    attestationsByEmployee(deps.db, from, to, ids),
    exceptionsByEmployee(deps.db, from, to, ids),
    relocationsByEmployee(deps.db, ids),
  ]);
  return { leave, attestations, exceptions, relocations };
}

function inputOf(e: Employee, events: readonly BadgeEvent[], hr: HrFacts): EmployeeInput {
  return {
    employee: e,
    events,
    leave: hr.leave.get(e.employeeId) ?? [],
    attestations: hr.attestations.get(e.employeeId) ?? [],
    exceptions: hr.exceptions.get(e.employeeId) ?? [],
    relocation: hr.relocations.get(e.employeeId) ?? null,
  };
}

function validateRange(from: LocalDate, to: LocalDate): LocalDate[] {
  if (to < from) throw new HubdayError('invalid_usage', `--to ${to} is before --from ${from}`);
  const mondays = mondaysBetween(from, to);
  if (mondays.length > 530) throw new HubdayError('invalid_usage', `the range covers ${mondays.length} weeks; evaluate at most about ten years at a time`);
  return mondays;
}

/** Reads one window of events from the store, grouped by employee, in one statement. */
async function eventsByEmployee(deps: Deps, fromMs: number, toMs: number): Promise<{ byEmployee: Map<string, BadgeEvent[]>; count: number }> {
  const byEmployee = new Map<string, BadgeEvent[]>();
  let count = 0;
  for await (const batch of readCsv(streamEventsInWindow(deps.db, fromMs, toMs))) {
    for (const rec of batch) {
      const f = rec.fields;
      const employeeId = f[0]!;
      let list = byEmployee.get(employeeId);
      if (!list) byEmployee.set(employeeId, (list = []));
      // Stored events are unique per employee, so the running count is a valid event id here.
      list.push({ eventId: String(count++), officeId: f[1]!, at: Number(f[2]), direction: (f[3] || null) as Direction });
    }
  }
  return { byEmployee, count };
}

export async function evaluateWeeks(deps: Deps, opts: EvaluateOptions): Promise<EvaluateSummary> {
  const mondays = validateRange(opts.from, opts.to);
  const first = mondays[0]!;
  const last = mondays[mondays.length - 1]!;
  const ctx = await loadContext(deps, first, addDays(last, 6));
  const employees = await listEmployees(deps.db);
  const hr = await loadHrFacts(deps, first, addDays(last, 6));
  const byStatus = Object.fromEntries(WEEK_STATUSES.map((s) => [s, 0])) as Record<WeekStatus, number>;
  let records = 0;
  let presenceDays = 0;
  let events = 0;
  // A few weeks per pass keeps memory bounded whatever the size of the company.
  const weeksPerPass = Math.max(1, Math.min(4, Math.floor(1_000_000 / Math.max(1, employees.length))));
  const progress = deps.progress?.('evaluating');
  await deps.db.transaction(async (tx) => {
    const txDeps = { ...deps, db: tx };
    await deleteResults(tx, mondays);
    for (let i = 0; i < mondays.length; i += weeksPerPass) {
      const pass = mondays.slice(i, i + weeksPerPass);
      const { fromMs, toMs } = eventWindowMs(pass[0]!, pass[pass.length - 1]!);
      const read = await eventsByEmployee(txDeps, fromMs, toMs);
      events += read.count;
      const weekly: string[] = [];
      const days: string[] = [];
      for (const e of employees) {
        const result = evaluateEmployee(inputOf(e, read.byEmployee.get(e.employeeId) ?? [], hr), ctx, pass);
        for (const w of result.weeks) {
          weekly.push(weeklyCsvLine(w));
          byStatus[w.status]++;
        }
        for (const d of result.presenceDays) days.push(presenceCsvLine(e.employeeId, d));
      }
      records += await tx.copyFrom('weekly_compliance', WEEKLY_COLUMNS, joinChunks(weekly));
      presenceDays += await tx.copyFrom('presence_day', PRESENCE_COLUMNS, joinChunks(days));
      progress?.update((i + pass.length) / mondays.length, `${i + pass.length}/${mondays.length} weeks`);
    }
    await tx.query(
      `INSERT INTO evaluation_run (from_week, to_week, employees, weeks, started_at) VALUES ($1, $2, $3, $4, $5)`,
      [first, last, employees.length, mondays.length, deps.clock.now().toISOString()],
    );
  });
  progress?.done();
  return { from: first, to: addDays(last, 6), weeks: mondays.length, employees: employees.length, records, presenceDays, events, byStatus };
}

function* joinChunks(lines: string[], size = 1 << 20): Generator<string> {
  let buf = '';
  for (const l of lines) {
    buf += l;
    if (buf.length >= size) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
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
  for (const e of employees) {
    const events = await eventsOfEmployee(deps.db, e.employeeId, fromMs, toMs);
    out.set(e.employeeId, evaluateEmployee(inputOf(e, events, hr), context, sorted).weeks);
  }
  return out;
}
