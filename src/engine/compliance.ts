/**
 * Weekly compliance (DESIGN rules 3–6 and 8): for one employee and a list of
 * ISO weeks, the weekly records and the presence days behind them.
 */
import { type LocalDate, addDays, dayNumber, fromDayNumber, isoWeekOf, weekdayNameOf, weekdayNumberOf } from './dates.js';
import { explainWeek } from './explain.js';
import { PRESENCE_DEFAULTS, resolvePolicy, type ScopeSubject } from './policy.js';
import { badgePresenceDays, normaliseEvents, type PresenceParams } from './presence.js';
import type { OutageLookup } from './disputes.js';
import type {
  AnchorCheck, Attestation, BadgeEvent, Employee, ExceptionGrant, ExcusedDay, HolidayRule, Leave, Office, Policy,
  PresenceDay, Relocation, WeeklyFacts, WeeklyRecord,
} from './types.js';

/** Holiday name at an office on a date (public holidays with company overrides applied), or null. */
export type HolidayLookup = (officeId: string, date: LocalDate) => string | null;

export interface EmployeeInput {
  employee: Employee;
  events: readonly BadgeEvent[];
  leave: readonly Leave[];
  attestations: readonly Attestation[];
  exceptions: readonly ExceptionGrant[];
  relocation: Relocation | null;
  /** Set when `events` are already in time order with unique ids (as read from the store): skips normalising. */
  eventsNormalised?: boolean;
}

export interface Context {
  offices: ReadonlyMap<string, Office>;
  policies: readonly Policy[];
  holidays: HolidayLookup;
  /** Badge-reader outages declared by HR: their days are excused at the office, like holidays (none when absent). */
  outages?: OutageLookup;
}

export interface EmployeeResult {
  weeks: WeeklyRecord[];
  /** Presence days of the evaluated weeks (under each week's policy). */
  presenceDays: PresenceDay[];
}

const MON_FRI: readonly number[] = [1, 2, 3, 4, 5];
export const TRAVEL_KIND = 'business_travel';

interface ApprovedLeave {
  absence: Leave[];
  travel: Leave[];
}

/** Round half up of daysPerWeek × available / weekLength, in integers. */
export function requiredDays(rule: HolidayRule, daysPerWeek: number, available: number, weekLength: number): number {
  let r: number;
  if (weekLength <= 0) r = 0;
  else if (rule === 'proportional') r = Math.floor((2 * daysPerWeek * available + weekLength) / (2 * weekLength));
  else if (rule === 'cap') r = Math.min(daysPerWeek, available);
  else r = Math.max(0, daysPerWeek - (weekLength - available));
  return Math.max(0, Math.min(r, available));
}

/** Whether a relocation makes the hub the home office for the week beginning on `monday`. */
export function relocationInForce(relocation: Relocation | null, monday: LocalDate): boolean {
  return relocation !== null && relocation.status !== 'cancelled' && relocation.deadline <= monday;
}

/**
 * What the policy scopes see of an employee in the week beginning `monday`: a relocation in
 * force makes the hub the home office, and a remote employee is then judged as hybrid there.
 */
export function scopeSubjectOf(employee: Employee, relocation: Relocation | null, monday: LocalDate): ScopeSubject {
  const relocated = relocationInForce(relocation, monday);
  return {
    org: employee.org,
    level: employee.level,
    jobFamily: employee.jobFamily,
    homeOfficeId: relocated ? relocation!.targetOfficeId : employee.homeOfficeId,
    arrangement: relocated && employee.arrangement === 'remote' ? 'hybrid' : employee.arrangement,
  };
}

/** Whether the employee is employed on the date (hire and termination dates included). */
export function employedOn(e: Employee, date: LocalDate): boolean {
  return date >= e.hireDate && (e.terminationDate === null || date <= e.terminationDate);
}

function covering<T extends { startDate: LocalDate; endDate: LocalDate }>(items: readonly T[], date: LocalDate): T | undefined {
  return items.find((x) => x.startDate <= date && date <= x.endDate);
}

/**
 * Evaluates the given weeks (their Mondays) for one employee. Events may come in
 * any order and with repeated ids. Pure.
 */
export function evaluateEmployee(input: EmployeeInput, ctx: Context, mondays: readonly LocalDate[]): EmployeeResult {
  const weeks: WeeklyRecord[] = [];
  const presenceDays: PresenceDay[] = [];
  for (const facts of evaluateEmployeeFacts(input, ctx, mondays)) {
    weeks.push({ ...facts, explanation: explainWeek(facts) });
    presenceDays.push(...facts.presentDays);
  }
  return { weeks, presenceDays };
}

/** The facts of each week, without the explanation text (bulk paths store facts; explanations are derived on read). */
export function evaluateEmployeeFacts(input: EmployeeInput, ctx: Context, mondays: readonly LocalDate[]): WeeklyFacts[] {
  const events = input.eventsNormalised ? input.events : normaliseEvents(input.events);
  // Approved leave, split once per employee: absences excuse a day; business travel excuses it or counts as present.
  const leave: ApprovedLeave = { absence: [], travel: [] };
  for (const l of input.leave) if (l.status === 'approved') (l.kind === TRAVEL_KIND ? leave.travel : leave.absence).push(l);
  const out: WeeklyFacts[] = [];
  for (const monday of mondays) out.push(evaluateWeek(input, events, leave, ctx, monday));
  return out;
}

function evaluateWeek(
  input: EmployeeInput,
  events: readonly BadgeEvent[],
  leave: ApprovedLeave,
  ctx: Context,
  monday: LocalDate,
): WeeklyFacts {
  const { employee } = input;
  const subject = scopeSubjectOf(employee, input.relocation, monday);
  const homeOfficeId = subject.homeOfficeId;
  const home = ctx.offices.get(homeOfficeId);
  const workWeek = home?.workWeek ?? MON_FRI;
  const policy = resolvePolicy(ctx.policies, subject, monday);
  const params: PresenceParams = policy ?? PRESENCE_DEFAULTS;

  // Presence days of the week's seven badge days.
  const mondayN = dayNumber(monday);
  const sundayN = mondayN + 6;
  const lo = (mondayN - 2) * 86_400_000;
  const hi = (sundayN + 3) * 86_400_000;
  // Badge days come in date order; attestation and travel days are appended, then sorted.
  const days = badgePresenceDays(events, ctx.offices, homeOfficeId, params, mondayN, sundayN, lowerBound(events, lo), lowerBound(events, hi));
  const presentDates = new Set(days.map((d) => d.date));
  for (const a of input.attestations) {
    const n = dayNumber(a.date);
    if (n < mondayN || n > sundayN || presentDates.has(a.date)) continue;
    const day: PresenceDay = { date: a.date, officeId: a.officeId, source: 'attestation', dwellMinutes: null, firstAt: null, lastAt: null };
    if (a.reference !== null && a.reference !== '') day.reference = a.reference;
    days.push(day);
    presentDates.add(a.date);
  }

  // Work-week days: available or excused (rule 4).
  const travelPresent = policy?.travelCounts === 'present';
  const excusedDays: ExcusedDay[] = [];
  let available = 0;
  for (const wd of workWeek) {
    const date = fromDayNumber(mondayN + wd - 1);
    let excused: ExcusedDay | null = null;
    if (!employedOn(employee, date)) excused = { date, reason: 'not_employed' };
    else {
      const holiday = ctx.holidays(homeOfficeId, date);
      const outage = holiday === null && ctx.outages ? ctx.outages(homeOfficeId, date) : null;
      if (holiday !== null) excused = { date, reason: 'holiday', name: holiday };
      else if (outage !== null) excused = { date, reason: 'outage', name: outage.reason, reference: outage.outageId };
      else {
        const absence = covering(leave.absence, date);
        if (absence) excused = { date, reason: 'leave', kind: absence.kind };
        else if (covering(leave.travel, date)) {
          if (travelPresent) {
            if (!presentDates.has(date)) {
              days.push({ date, officeId: homeOfficeId, source: 'travel', dwellMinutes: null, firstAt: null, lastAt: null });
              presentDates.add(date);
            }
          } else excused = { date, reason: 'travel', kind: TRAVEL_KIND };
        }
      }
    }
    if (excused) excusedDays.push(excused);
    else available++;
  }
  for (let i = 1; i < days.length; i++) {
    if (days[i - 1]!.date > days[i]!.date) {
      days.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
      break;
    }
  }
  const weekLength = workWeek.length;
  const present = days.length;

  const base: WeeklyFacts = {
    employeeId: employee.employeeId,
    week: isoWeekOf(monday),
    weekStart: monday,
    policy: policy ? { id: policy.id, version: policy.version } : null,
    status: 'non_compliant',
    reason: 'below_requirement',
    required: 0,
    present,
    available,
    weekLength,
    policyDaysPerWeek: policy?.daysPerWeek ?? 0,
    daysPerWeek: policy?.daysPerWeek ?? 0,
    rule: policy?.holidayRule ?? null,
    homeOfficeId,
    presentDays: days,
    excusedDays,
    anchors: [],
    exception: null,
    hireDate: employee.hireDate,
    terminationDate: employee.terminationDate,
    graceUntil: null,
    readyFrom: home?.readyFrom ?? null,
  };
  const done = (f: Partial<WeeklyFacts>): WeeklyFacts => Object.assign(base, f);

  // Status, first match wins (rule 6).
  const sunday = fromDayNumber(sundayN);
  const employedAny = employee.hireDate <= sunday && (employee.terminationDate === null || employee.terminationDate >= monday);
  if (!employedAny) return done({ status: 'not_employed', reason: 'not_employed', available: 0 });
  if (!policy) return done({ status: 'no_policy', reason: 'no_matching_policy' });

  const overlapping = input.exceptions.filter((x) => x.startDate <= sunday && x.endDate >= monday);
  const exempting = overlapping.find((x) => x.effect === 'exempt');
  if (exempting) return done({ status: 'exempt', reason: 'exception_exempt', exception: exceptionFacts(exempting) });
  if (subject.arrangement === 'remote') return done({ status: 'exempt', reason: 'remote_arrangement' });
  if (home?.readyFrom && monday < home.readyFrom) return done({ status: 'exempt', reason: 'office_not_ready' });

  const graceUntil = addDays(employee.hireDate, policy.graceDays);
  if (monday < graceUntil) return done({ status: 'grace', reason: 'hire_grace', graceUntil });

  // A reducing exception lowers daysPerWeek before the holiday rule applies.
  let daysPerWeek = policy.daysPerWeek;
  let reducing: ExceptionGrant | null = null;
  for (const x of overlapping) {
    if (x.effect === 'reduced' && x.daysPerWeek !== null && x.daysPerWeek < daysPerWeek) {
      daysPerWeek = x.daysPerWeek;
      reducing = x;
    }
  }
  const required = requiredDays(policy.holidayRule, daysPerWeek, available, weekLength);
  const exception = reducing ? exceptionFacts(reducing) : null;
  if (required === 0) return done({ status: 'excused', reason: 'nothing_required', required, daysPerWeek, exception });

  const excusedDates = new Set(excusedDays.map((d) => d.date));
  const anchors: AnchorCheck[] = [];
  for (const name of policy.anchorDays) {
    const wd = weekdayNumberOf(name)!;
    if (!workWeek.includes(wd)) continue; // not a working day at this office
    const date = fromDayNumber(mondayN + wd - 1);
    anchors.push({ day: weekdayNameOf(wd), date, state: presentDates.has(date) ? 'present' : excusedDates.has(date) ? 'excused' : 'missed' });
  }
  anchors.sort((a, b) => (a.date < b.date ? -1 : 1));
  const missed = anchors.some((a) => a.state === 'missed');
  if (present >= required && !missed) return done({ status: 'compliant', reason: 'requirement_met', required, daysPerWeek, exception, anchors });
  return done({
    status: 'non_compliant',
    reason: present >= required ? 'anchor_day_missed' : 'below_requirement',
    required,
    daysPerWeek,
    exception,
    anchors,
  });
}

function exceptionFacts(x: ExceptionGrant): WeeklyFacts['exception'] {
  return { exceptionId: x.exceptionId, kind: x.kind, startDate: x.startDate, endDate: x.endDate, effect: x.effect, daysPerWeek: x.daysPerWeek };
}

/** The index of the first event at or after t in a time-sorted list (binary search). */
function lowerBound(events: readonly BadgeEvent[], t: number): number {
  let a = 0;
  let b = events.length;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (events[m]!.at < t) a = m + 1;
    else b = m;
  }
  return a;
}
