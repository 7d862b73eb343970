/**
 * `hubday evaluate`: recomputes presence days and weekly compliance for every
 * ISO week overlapping [from, to], set-based over all employees: the events are
 * read with one COPY statement into typed arrays, grouped by employee, reduced
 * by the pure engine, and streamed back with one COPY, all in one transaction
 * (results are replaced per employee and week; readers see the old ones until
 * the new ones are complete).
 */
import type { Deps } from './deps.js';
import { type LocalDate, addDays, dayNumber, mondaysBetween } from '../engine/dates.js';
import { evaluateEmployee, evaluateEmployeeFacts, type Context, type EmployeeInput } from '../engine/compliance.js';
import type { BadgeEvent, Direction, Employee, WeekStatus, WeeklyRecord } from '../engine/types.js';
import { WEEK_STATUSES } from '../engine/types.js';
import { loadContext } from './load-context.js';
import { listEmployees, getEmployees } from '../store/employee.repository.js';
import { leaveByEmployee, attestationsByEmployee, exceptionsByEmployee, relocationsByEmployee } from '../store/hr.repository.js';
import { eventsOfEmployees, readEventColumns, groupByEmployee } from '../store/badge.repository.js';
import { deleteResults, weeklyCsvLine, WEEKLY_COLUMNS } from '../store/compliance.repository.js';
import { HubdayError } from '../errors.js';
import { afterEvaluation } from './after-evaluation.js';

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
  // One after another: deps.db may be a transaction (one connection), where queries cannot overlap.
  const leave = await leaveByEmployee(deps.db, from, to, ids);
  const attestations = await attestationsByEmployee(deps.db, from, to, ids);
  const exceptions = await exceptionsByEmployee(deps.db, from, to, ids);
  const relocations = await relocationsByEmployee(deps.db, ids);
  return { leave, attestations, exceptions, relocations };
}

export function inputOf(e: Employee, events: readonly BadgeEvent[], hr: HrFacts): EmployeeInput {
  return {
    employee: e,
    events,
    leave: hr.leave.get(e.employeeId) ?? [],
    attestations: hr.attestations.get(e.employeeId) ?? [],
    exceptions: hr.exceptions.get(e.employeeId) ?? [],
    relocation: hr.relocations.get(e.employeeId) ?? null,
  };
}

export function validateRange(from: LocalDate, to: LocalDate): LocalDate[] {
  if (to < from) throw new HubdayError('invalid_usage', `--to ${to} is before --from ${from}`);
  const mondays = mondaysBetween(from, to);
  if (mondays.length > 530) throw new HubdayError('invalid_usage', `the range covers ${mondays.length} weeks; evaluate at most about ten years at a time`);
  return mondays;
}

const DIRECTIONS: readonly Direction[] = [null, 'in', 'out'];

export async function evaluateWeeks(deps: Deps, opts: EvaluateOptions): Promise<EvaluateSummary> {
  const mondays = validateRange(opts.from, opts.to);
  const first = mondays[0]!;
  const last = mondays[mondays.length - 1]!;
  const ctx = await loadContext(deps, first, addDays(last, 6));
  const employees = await listEmployees(deps.db);
  const hr = await loadHrFacts(deps, first, addDays(last, 6));
  const employeeIndex = new Map(employees.map((e, i) => [e.employeeId, i]));
  const officeIds = [...ctx.offices.keys()];
  const officeIndex = new Map(officeIds.map((id, i) => [id, i]));
  const byStatus = Object.fromEntries(WEEK_STATUSES.map((s) => [s, 0])) as Record<WeekStatus, number>;
  let records = 0;
  let presenceDays = 0;
  let events = 0;
  // PostgreSQL streams the events of the whole range; the embedded store hands a
  // COPY result over in one piece, so large companies go a few weeks at a time.
  const weeksPerPass = deps.db.kind === 'postgres' || employees.length <= 60_000 ? mondays.length : 2;
  const progress = deps.progress?.('evaluating');
  await deps.db.transaction(async (tx) => {
    await deleteResults(tx, mondays);
    await tx.query('DELETE FROM dirty_week WHERE week_start BETWEEN $1::date AND $2::date', [first, last]);
    for (let p = 0; p < mondays.length; p += weeksPerPass) {
      const pass = mondays.slice(p, p + weeksPerPass);
      const { fromMs, toMs } = eventWindowMs(pass[0]!, pass[pass.length - 1]!);
      const cols = await readEventColumns(tx, fromMs, toMs, employeeIndex, officeIndex);
      events += cols.count;
      const { order, start } = groupByEmployee(cols, employees.length);
      // Computing a chunk while PostgreSQL ingests the previous one: the two cores work together.
      const lines = function* (): Generator<string> {
        let buf = '';
        for (let k = 0; k < employees.length; k++) {
          const e = employees[k]!;
          const list: BadgeEvent[] = [];
          for (let j = start[k]!; j < start[k + 1]!; j++) {
            const i = order[j]!;
            list.push({ eventId: '', officeId: officeIds[cols.office[i]!]!, at: cols.at[i]!, direction: DIRECTIONS[cols.dir[i]!]! });
          }
          const input = inputOf(e, list, hr);
          input.eventsNormalised = true;
          for (const w of evaluateEmployeeFacts(input, ctx, pass)) {
            buf += weeklyCsvLine(w);
            byStatus[w.status]++;
            presenceDays += w.presentDays.length;
          }
          if (buf.length >= 1 << 16) {
            yield buf;
            buf = '';
            progress?.update((p + (k / employees.length) * pass.length) / mondays.length, `${k} of ${employees.length} employees`);
          }
        }
        if (buf) yield buf;
      };
      records += await tx.copyFrom('weekly_compliance', WEEKLY_COLUMNS, lines());
    }
    await tx.query(
      `INSERT INTO evaluation_run (from_week, to_week, employees, weeks, started_at) VALUES ($1, $2, $3, $4, $5)`,
      [first, last, employees.length, mondays.length, deps.clock.now().toISOString()],
    );
    await afterEvaluation(tx, deps, { mondays });
  });
  progress?.done();
  return { from: first, to: addDays(last, 6), weeks: mondays.length, employees: employees.length, records, presenceDays, events, byStatus };
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
