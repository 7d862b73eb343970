/**
 * Weekly compliance (DESIGN rules 3–6 and 8): for one employee and a list of
 * ISO weeks, the weekly records and the presence days behind them.
 */
import { type IsoWeek, type LocalDate, type WeekdayName, addDays, dayNumber, fromDayNumber, isoWeekOf, weekdayNameOf, weekdayNumberOf } from './dates.js';
import { explainWeek } from './explain.js';
import { PRESENCE_DEFAULTS, resolvePolicy, type ScopeSubject } from './policy.js';
import { badgePresenceDays, normaliseEvents, type PresenceParams } from './presence.js';
import type { OutageLookup } from './disputes.js';
import type {
  AnchorCheck, Attestation, BadgeEvent, Employee, ExceptionGrant, ExcusedDay, HolidayRule, Leave, Office, Policy,
  PresenceDay, Relocation, WeekReason, WeekStatus, WeeklyFacts, WeeklyRecord,
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
  const hireN = dayNumber(input.employee.hireDate);
  if (input.relocation === null && mondays.length > 0) {
    // Without a relocation the employee's scope and home office are those of every week: found once.
    const subject = scopeSubjectOf(input.employee, null, mondays[0]!);
    for (const frame of framesOf(ctx, mondays, subject.homeOfficeId)) out.push(evaluateWeek(input, events, leave, ctx, subject, frame, hireN));
  } else {
    for (const monday of mondays) {
      const subject = scopeSubjectOf(input.employee, input.relocation, monday);
      out.push(evaluateWeek(input, events, leave, ctx, subject, weekFrame(ctx, monday, subject.homeOfficeId), hireN));
    }
  }
  return out;
}

/**
 * What every employee at an office shares in a week: its dates, and the work-week days its
 * calendar closes (holidays, outages). Built once per (week, office) of a Context and shared
 * by the records (frozen: bulk evaluation writes hundreds of thousands of records a week).
 */
interface WeekFrame {
  monday: LocalDate;
  sunday: LocalDate;
  mondayN: number;
  week: IsoWeek;
  home: Office | undefined;
  workWeek: readonly number[];
  /** The date of each work-week day, in workWeek order. */
  dates: readonly LocalDate[];
  /** Per work-week day: the holiday or outage that closes it, or null. */
  closed: readonly (ExcusedDay | null)[];
  /** The closed days alone: the excused days of every week with nothing else excused. */
  closedDays: readonly ExcusedDay[];
  open: number;
  /** Per work-week day: its other excuses, made once and shared (not employed, leave by kind, travel). */
  excuses: readonly DayExcuses[];
  /** Anchor checks by policy anchor days and states (shared: most weeks repeat a few). */
  anchors: Map<readonly WeekdayName[], Map<number, readonly AnchorCheck[]>>;
}

interface DayExcuses {
  notEmployed?: ExcusedDay;
  travel?: ExcusedDay;
  leave: Map<string, ExcusedDay>;
}

/** Frames of a Context by Monday, then home office (a Context is not changed once built). */
const framesByMonday = new WeakMap<Context, Map<LocalDate, Map<string, WeekFrame>>>();

function weekFrame(ctx: Context, monday: LocalDate, homeOfficeId: string): WeekFrame {
  let byMonday = framesByMonday.get(ctx);
  if (!byMonday) framesByMonday.set(ctx, (byMonday = new Map()));
  let byOffice = byMonday.get(monday);
  if (!byOffice) byMonday.set(monday, (byOffice = new Map()));
  let frame = byOffice.get(homeOfficeId);
  if (!frame) byOffice.set(homeOfficeId, (frame = buildFrame(ctx, monday, homeOfficeId)));
  return frame;
}

/**
 * The frames of a list of Mondays at one home office, in the list's order: bulk evaluation passes
 * one list for every employee, so an employee's frames are one lookup instead of one per week.
 */
const framesByList = new WeakMap<Context, WeakMap<readonly LocalDate[], Map<string, readonly WeekFrame[]>>>();

function framesOf(ctx: Context, mondays: readonly LocalDate[], homeOfficeId: string): readonly WeekFrame[] {
  let byList = framesByList.get(ctx);
  if (!byList) framesByList.set(ctx, (byList = new WeakMap()));
  let byOffice = byList.get(mondays);
  if (!byOffice) byList.set(mondays, (byOffice = new Map()));
  let frames = byOffice.get(homeOfficeId);
  // Checked against the list each time: a caller may have changed the list since.
  if (!frames || frames.length !== mondays.length || frames.some((f, i) => f.monday !== mondays[i])) {
    byOffice.set(homeOfficeId, (frames = mondays.map((m) => weekFrame(ctx, m, homeOfficeId))));
  }
  return frames;
}

function buildFrame(ctx: Context, monday: LocalDate, homeOfficeId: string): WeekFrame {
  const home = ctx.offices.get(homeOfficeId);
  const workWeek = home?.workWeek ?? MON_FRI;
  const mondayN = dayNumber(monday);
  const dates: LocalDate[] = [];
  const closed: (ExcusedDay | null)[] = [];
  for (const wd of workWeek) {
    const date = fromDayNumber(mondayN + wd - 1);
    dates.push(date);
    const holiday = ctx.holidays(homeOfficeId, date);
    const outage = holiday === null && ctx.outages ? ctx.outages(homeOfficeId, date) : null;
    closed.push(
      holiday !== null ? Object.freeze({ date, reason: 'holiday', name: holiday } as ExcusedDay)
        : outage !== null ? Object.freeze({ date, reason: 'outage', name: outage.reason, reference: outage.outageId } as ExcusedDay)
          : null,
    );
  }
  const closedDays = closed.filter((d): d is ExcusedDay => d !== null);
  return {
    monday, sunday: fromDayNumber(mondayN + 6), mondayN, week: isoWeekOf(monday), home, workWeek,
    dates: Object.freeze(dates), closed: Object.freeze(closed), closedDays: Object.freeze(closedDays), open: dates.length - closedDays.length,
    excuses: dates.map(() => ({ leave: new Map() })), anchors: new Map(),
  };
}

function notEmployedOn(frame: WeekFrame, i: number): ExcusedDay {
  const x = frame.excuses[i]!;
  return (x.notEmployed ??= Object.freeze({ date: frame.dates[i]!, reason: 'not_employed' } as ExcusedDay));
}

function onLeave(frame: WeekFrame, i: number, kind: string): ExcusedDay {
  const x = frame.excuses[i]!;
  let d = x.leave.get(kind);
  if (!d) x.leave.set(kind, (d = Object.freeze({ date: frame.dates[i]!, reason: 'leave', kind } as ExcusedDay)));
  return d;
}

function travelling(frame: WeekFrame, i: number): ExcusedDay {
  const x = frame.excuses[i]!;
  return (x.travel ??= Object.freeze({ date: frame.dates[i]!, reason: 'travel', kind: TRAVEL_KIND } as ExcusedDay));
}

/** A policy's reference in a record (shared by its records). */
const policyRefs = new WeakMap<Policy, NonNullable<WeeklyFacts['policy']>>();
function policyRef(p: Policy): NonNullable<WeeklyFacts['policy']> {
  let r = policyRefs.get(p);
  if (!r) policyRefs.set(p, (r = Object.freeze({ id: p.id, version: p.version })));
  return r;
}

const NO_ANCHORS: readonly AnchorCheck[] = Object.freeze([]);
const NO_EXCEPTIONS: readonly ExceptionGrant[] = Object.freeze([]);

/** Whether a list of date ranges touches [from, to]. */
function touches(items: readonly { startDate: LocalDate; endDate: LocalDate }[], from: LocalDate, to: LocalDate): boolean {
  for (const x of items) if (x.startDate <= to && x.endDate >= from) return true;
  return false;
}

/**
 * The anchor checks of a week (rule 5), in date order: each anchor day that is a working day
 * at the office, present, excused or missed. `presentMask`/`excusedMask`: bit i for Monday + i.
 */
function anchorChecks(frame: WeekFrame, anchorDays: readonly WeekdayName[], presentMask: number, excusedMask: number): readonly AnchorCheck[] {
  let code = 0;
  let n = 0;
  for (const name of anchorDays) {
    const wd = weekdayNumberOf(name)!;
    if (!frame.workWeek.includes(wd)) continue; // not a working day at this office
    const bit = 1 << (wd - 1);
    code = code * 3 + ((presentMask & bit) !== 0 ? 0 : (excusedMask & bit) !== 0 ? 1 : 2);
    n++;
  }
  if (n === 0) return NO_ANCHORS;
  let byCode = frame.anchors.get(anchorDays);
  if (!byCode) frame.anchors.set(anchorDays, (byCode = new Map()));
  let checks = byCode.get(code);
  if (!checks) {
    const list: AnchorCheck[] = [];
    for (const name of anchorDays) {
      const wd = weekdayNumberOf(name)!;
      if (!frame.workWeek.includes(wd)) continue;
      const bit = 1 << (wd - 1);
      const date = fromDayNumber(frame.mondayN + wd - 1);
      list.push(Object.freeze({ day: weekdayNameOf(wd), date, state: (presentMask & bit) !== 0 ? 'present' : (excusedMask & bit) !== 0 ? 'excused' : 'missed' }));
    }
    list.sort((a, b) => (a.date < b.date ? -1 : 1));
    byCode.set(code, (checks = Object.freeze(list)));
  }
  return checks;
}

function evaluateWeek(
  input: EmployeeInput,
  events: readonly BadgeEvent[],
  leave: ApprovedLeave,
  ctx: Context,
  /** What the policy scopes see of the employee that week (scopeSubjectOf). */
  subject: ScopeSubject,
  /** The week at the subject's home office (weekFrame). */
  frame: WeekFrame,
  /** dayNumber(input.employee.hireDate), once per employee. */
  hireN: number,
): WeeklyFacts {
  const { employee } = input;
  const homeOfficeId = subject.homeOfficeId;
  const { monday, home, workWeek, mondayN, sunday } = frame;
  const policy = resolvePolicy(ctx.policies, subject, monday);
  const params: PresenceParams = policy ?? PRESENCE_DEFAULTS;

  // Presence days of the week's seven badge days (bit i of presentMask: Monday + i). A badge day
  // starts dayStartsAt after local midnight, and a zone's offset is less than a day (ECMA-262):
  // the events of days [mondayN, sundayN] are the instants in [lo, hi).
  const sundayN = mondayN + 6;
  const startMs = params.dayStartsAtMinutes * 60_000;
  const lo = (mondayN - 1) * 86_400_000 + startMs;
  const hi = (sundayN + 2) * 86_400_000 + startMs;
  // Badge days come in date order; attestation and travel days are appended, then sorted.
  const days = badgePresenceDays(events, ctx.offices, homeOfficeId, params, mondayN, sundayN, lowerBound(events, lo), lowerBound(events, hi));
  let presentMask = 0;
  for (const d of days) presentMask |= 1 << (dayNumber(d.date) - mondayN);
  for (const a of input.attestations) {
    const n = dayNumber(a.date);
    if (n < mondayN || n > sundayN || (presentMask & (1 << (n - mondayN))) !== 0) continue;
    const day: PresenceDay = { date: a.date, officeId: a.officeId, source: 'attestation', dwellMinutes: null, firstAt: null, lastAt: null };
    if (a.reference !== null && a.reference !== '') day.reference = a.reference;
    days.push(day);
    presentMask |= 1 << (n - mondayN);
  }

  // Work-week days: available or excused (rule 4). Most weeks excuse only what the office's
  // calendar closes: the frame's days, shared.
  const travelPresent = policy?.travelCounts === 'present';
  const employedAll = employee.hireDate <= monday && (employee.terminationDate === null || employee.terminationDate >= sunday);
  let excusedDays: readonly ExcusedDay[] = frame.closedDays;
  let available = frame.open;
  if (!employedAll || touches(leave.absence, monday, sunday) || touches(leave.travel, monday, sunday)) {
    const list: ExcusedDay[] = [];
    available = 0;
    for (let i = 0; i < workWeek.length; i++) {
      const date = frame.dates[i]!;
      let excused: ExcusedDay | null = null;
      if (!employedOn(employee, date)) excused = notEmployedOn(frame, i);
      else if (frame.closed[i] !== null) excused = frame.closed[i]!;
      else {
        const absence = covering(leave.absence, date);
        if (absence) excused = onLeave(frame, i, absence.kind);
        else if (covering(leave.travel, date)) {
          if (travelPresent) {
            const bit = 1 << (workWeek[i]! - 1);
            if ((presentMask & bit) === 0) {
              days.push({ date, officeId: homeOfficeId, source: 'travel', dwellMinutes: null, firstAt: null, lastAt: null });
              presentMask |= bit;
            }
          } else excused = travelling(frame, i);
        }
      }
      if (excused) list.push(excused);
      else available++;
    }
    excusedDays = list;
  }
  for (let i = 1; i < days.length; i++) {
    if (days[i - 1]!.date > days[i]!.date) {
      days.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
      break;
    }
  }
  const weekLength = workWeek.length;
  const present = days.length;

  // Status, first match wins (rule 6); the record is built once, below.
  let status: WeekStatus = 'non_compliant';
  let reason: WeekReason = 'below_requirement';
  let required = 0;
  let daysPerWeek = policy?.daysPerWeek ?? 0;
  let exception: WeeklyFacts['exception'] = null;
  let anchors: readonly AnchorCheck[] = NO_ANCHORS;
  let graceUntil: LocalDate | null = null;
  judge: {
    const employedAny = employee.hireDate <= sunday && (employee.terminationDate === null || employee.terminationDate >= monday);
    if (!employedAny) {
      status = 'not_employed';
      reason = 'not_employed';
      available = 0;
      break judge;
    }
    if (!policy) {
      status = 'no_policy';
      reason = 'no_matching_policy';
      break judge;
    }
    const overlapping = input.exceptions.length === 0 ? NO_EXCEPTIONS : input.exceptions.filter((x) => x.startDate <= sunday && x.endDate >= monday);
    const exempting = overlapping.find((x) => x.effect === 'exempt');
    if (exempting || subject.arrangement === 'remote' || (home?.readyFrom && monday < home.readyFrom)) {
      status = 'exempt';
      reason = exempting ? 'exception_exempt' : subject.arrangement === 'remote' ? 'remote_arrangement' : 'office_not_ready';
      if (exempting) exception = exceptionFacts(exempting);
      break judge;
    }
    if (mondayN < hireN + policy.graceDays) {
      status = 'grace';
      reason = 'hire_grace';
      graceUntil = addDays(employee.hireDate, policy.graceDays);
      break judge;
    }

    // A reducing exception lowers daysPerWeek before the holiday rule applies.
    let reducing: ExceptionGrant | null = null;
    for (const x of overlapping) {
      if (x.effect === 'reduced' && x.daysPerWeek !== null && x.daysPerWeek < daysPerWeek) {
        daysPerWeek = x.daysPerWeek;
        reducing = x;
      }
    }
    required = requiredDays(policy.holidayRule, daysPerWeek, available, weekLength);
    if (reducing) exception = exceptionFacts(reducing);
    if (required === 0) {
      status = 'excused';
      reason = 'nothing_required';
      break judge;
    }
    let excusedMask = 0;
    for (const d of excusedDays) excusedMask |= 1 << (dayNumber(d.date) - mondayN);
    anchors = anchorChecks(frame, policy.anchorDays, presentMask, excusedMask);
    const missed = anchors.some((a) => a.state === 'missed');
    if (present >= required && !missed) {
      status = 'compliant';
      reason = 'requirement_met';
    } else reason = present >= required ? 'anchor_day_missed' : 'below_requirement';
  }
  return {
    employeeId: employee.employeeId,
    week: frame.week,
    weekStart: monday,
    policy: policy ? policyRef(policy) : null,
    status,
    reason,
    required,
    present,
    available,
    weekLength,
    policyDaysPerWeek: policy?.daysPerWeek ?? 0,
    daysPerWeek,
    rule: policy?.holidayRule ?? null,
    homeOfficeId,
    presentDays: days,
    excusedDays: excusedDays as ExcusedDay[],
    anchors: anchors as AnchorCheck[],
    exception,
    hireDate: employee.hireDate,
    terminationDate: employee.terminationDate,
    graceUntil,
    readyFrom: home?.readyFrom ?? null,
  };
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
