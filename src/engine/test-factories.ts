/**
 * Small builders for the engine's tests. Test support only: never imported by
 * the engine itself. Every date is a plain "YYYY-MM-DD", every time an
 * office-local wall time "HH:MM" turned into an instant with that office's
 * zone, so no test depends on the process's time zone.
 */
import type { Actor, Chain, Role } from './org.js';
import type { Transition } from './refusal.js';
import { type LocalDate, type IsoWeek, parseLocalDate, parseIsoWeek, parseWorkWeek } from './dates.js';
import { type TimeZone, instantOfWallTime, isValidTimeZone } from './time-zone.js';
import { parsePolicyDocument, parseClock } from './policy.js';
import { evaluateEmployee, type Context, type EmployeeInput, type HolidayLookup } from './compliance.js';
import type {
  Attestation, BadgeEvent, Direction, Employee, ExceptionGrant, Leave, LeaveStatus, Office, Policy, Relocation, WeeklyRecord,
} from './types.js';

/** A checked local date. */
export function date(text: string): LocalDate {
  const d = parseLocalDate(text);
  if (d === null) throw new Error(`test bug: not a date: ${text}`);
  return d;
}

/** A checked IANA zone. */
export function zone(text: string): TimeZone {
  if (!isValidTimeZone(text)) throw new Error(`test bug: not a zone: ${text}`);
  return text;
}

/** The Monday of an ISO week such as "2026-W48"; a Monday date is returned as is. */
export function monday(week: string): LocalDate {
  if (/^\d{4}-\d{2}-\d{2}$/.test(week)) return date(week);
  const w = parseIsoWeek(week);
  if (w === null) throw new Error(`test bug: not an ISO week: ${week}`);
  return w.monday;
}

export function isoWeek(text: string): IsoWeek {
  const w = parseIsoWeek(text);
  if (w === null) throw new Error(`test bug: not an ISO week: ${text}`);
  return w.week;
}

export type OfficeInit = Partial<Omit<Office, 'timezone' | 'workWeek' | 'readyFrom'>> & {
  timezone?: string;
  /** "Mon-Fri", "Sun-Thu", or ISO weekday numbers. */
  workWeek?: string | readonly number[];
  readyFrom?: string | null;
};

export function buildOffice(init: OfficeInit = {}): Office {
  const workWeek = typeof init.workWeek === 'string' ? parseWorkWeek(init.workWeek) : init.workWeek ?? [1, 2, 3, 4, 5];
  if (workWeek === null) throw new Error(`test bug: bad work week ${String(init.workWeek)}`);
  return {
    officeId: init.officeId ?? 'SEA1',
    name: init.name ?? init.officeId ?? 'Seattle 1',
    timezone: zone(init.timezone ?? 'America/Los_Angeles'),
    country: init.country ?? 'US',
    subdivision: init.subdivision === undefined ? 'WA' : init.subdivision,
    workWeek,
    readyFrom: init.readyFrom ? date(init.readyFrom) : null,
  };
}

/** The standard offices of the tests. */
export const SEA1 = buildOffice();
export const LON1 = buildOffice({ officeId: 'LON1', name: 'London 1', timezone: 'Europe/London', country: 'GB', subdivision: 'ENG' });
export const TYO1 = buildOffice({ officeId: 'TYO1', name: 'Tokyo 1', timezone: 'Asia/Tokyo', country: 'JP', subdivision: null });
export const TLV1 = buildOffice({ officeId: 'TLV1', name: 'Tel Aviv 1', timezone: 'Asia/Jerusalem', country: 'IL', subdivision: null, workWeek: 'Sun-Thu' });
export const NYC1 = buildOffice({ officeId: 'NYC1', name: 'New York 1', timezone: 'America/New_York', subdivision: 'NY' });
export const STANDARD_OFFICES: readonly Office[] = [SEA1, LON1, TYO1, TLV1, NYC1];

export type EmployeeInit = Partial<Omit<Employee, 'hireDate' | 'terminationDate'>> & { hireDate?: string; terminationDate?: string | null };

export function buildEmployee(init: EmployeeInit = {}): Employee {
  const id = init.employeeId ?? 'E100';
  return {
    employeeId: id,
    email: init.email ?? `${id.toLowerCase()}@example.com`,
    name: init.name ?? `Employee ${id}`,
    managerId: init.managerId === undefined ? 'M1' : init.managerId,
    level: init.level ?? 6,
    jobFamily: init.jobFamily === undefined ? 'sde' : init.jobFamily,
    org: init.org === undefined ? 'eng' : init.org,
    homeOfficeId: init.homeOfficeId ?? 'SEA1',
    arrangement: init.arrangement ?? 'hybrid',
    hireDate: date(init.hireDate ?? '2020-01-06'),
    terminationDate: init.terminationDate ? date(init.terminationDate) : null,
  };
}

/**
 * A policy from a partial policy document (the shape of a policy file), through
 * parsePolicyDocument, with version 1 unless given. Throws on an invalid document.
 */
export function buildPolicy(doc: Record<string, unknown> = {}, version = 1): Policy {
  const parsed = parsePolicyDocument({ id: 'rto-3', effectiveFrom: '2020-01-06', ...doc });
  if (!parsed.ok) throw new Error(`test bug: invalid policy: ${JSON.stringify(parsed.errors)}`);
  return { ...parsed.policy, version };
}

let eventSeq = 0;

/**
 * A badge event at an office at an office-local wall time ("HH:MM" or minutes
 * after midnight), through instantOfWallTime in that office's zone.
 */
export function badge(office: Office, day: string, time: string | number, direction: Direction = 'in', eventId?: string): BadgeEvent {
  const minutes = typeof time === 'number' ? time : parseClock(time);
  if (minutes === null) throw new Error(`test bug: bad time ${String(time)}`);
  return {
    eventId: eventId ?? `${office.officeId}-${day}-${String(time)}-${direction ?? 'x'}-${++eventSeq}`,
    officeId: office.officeId,
    at: instantOfWallTime(office.timezone, date(day), minutes),
    direction,
  };
}

/** A badge event at a raw UTC instant (ISO 8601 text with Z or an offset). */
export function badgeAt(office: Office, iso: string, direction: Direction = 'in', eventId?: string): BadgeEvent {
  const at = Date.parse(iso);
  if (!Number.isFinite(at) || !/(Z|[+-]\d{2}:\d{2})$/.test(iso)) throw new Error(`test bug: give an absolute instant: ${iso}`);
  return { eventId: eventId ?? `${office.officeId}-${iso}-${direction ?? 'x'}-${++eventSeq}`, officeId: office.officeId, at, direction };
}

/** An in/out pair at an office on a day. */
export function officeDay(office: Office, day: string, from = '09:00', to = '17:00'): BadgeEvent[] {
  return [badge(office, day, from, 'in'), badge(office, day, to, 'out')];
}

/** `in` events at 09:00 on each given day. */
export function ins(office: Office, ...days: string[]): BadgeEvent[] {
  return days.map((d) => badge(office, d, '09:00', 'in'));
}

export function buildLeave(start: string, end: string = start, kind = 'pto', status: LeaveStatus = 'approved'): Leave {
  return { startDate: date(start), endDate: date(end), kind, status };
}

export function buildException(init: Partial<Omit<ExceptionGrant, 'startDate' | 'endDate'>> & { startDate: string; endDate: string }): ExceptionGrant {
  return {
    exceptionId: init.exceptionId ?? 'X1',
    kind: init.kind ?? 'accommodation',
    startDate: date(init.startDate),
    endDate: date(init.endDate),
    effect: init.effect ?? 'exempt',
    daysPerWeek: init.daysPerWeek ?? null,
  };
}

export function buildRelocation(init: Partial<Omit<Relocation, 'deadline'>> & { deadline: string }): Relocation {
  return { targetOfficeId: init.targetOfficeId ?? 'SEA1', deadline: date(init.deadline), status: init.status ?? 'assigned' };
}

export function buildAttestation(day: string, officeId = 'SEA1', reference: string | null = 'D1'): Attestation {
  return { date: date(day), officeId, reference };
}

/** A holiday lookup from { officeId: { date: name } }. */
export function holidayTable(table: Record<string, Record<string, string>> = {}): HolidayLookup {
  return (officeId, day) => table[officeId]?.[day] ?? null;
}

export interface Scenario {
  employee?: EmployeeInit;
  events?: readonly BadgeEvent[];
  leave?: readonly Leave[];
  attestations?: readonly Attestation[];
  exceptions?: readonly ExceptionGrant[];
  relocation?: Relocation | null;
  offices?: readonly Office[];
  /** Defaults to one policy with every default (rto-3 v1 from 2020-01-06). */
  policies?: readonly Policy[];
  holidays?: HolidayLookup | Record<string, Record<string, string>>;
}

export function buildInput(s: Scenario = {}): EmployeeInput {
  return {
    employee: buildEmployee(s.employee),
    events: s.events ?? [],
    leave: s.leave ?? [],
    attestations: s.attestations ?? [],
    exceptions: s.exceptions ?? [],
    relocation: s.relocation ?? null,
  };
}

export function buildContext(s: Scenario = {}): Context {
  const offices = s.offices ?? STANDARD_OFFICES;
  return {
    offices: new Map(offices.map((o) => [o.officeId, o])),
    policies: s.policies ?? [buildPolicy()],
    holidays: typeof s.holidays === 'function' ? s.holidays : holidayTable(s.holidays ?? {}),
  };
}

/** Weekly records of the given weeks ("2026-W48" or Mondays). */
export function evaluateWeeks(s: Scenario, ...weeks: string[]): WeeklyRecord[] {
  return evaluateEmployee(buildInput(s), buildContext(s), weeks.map(monday)).weeks;
}

/** The weekly record of one week. */
export function evaluateWeek(s: Scenario, week: string): WeeklyRecord {
  return evaluateWeeks(s, week)[0]!;
}

/** The dates of a record's present days. */
export function presentDates(r: WeeklyRecord): string[] {
  return r.presentDays.map((d) => d.date);
}

/** A person acting, with company-wide roles. */
export function person(id: string, ...roles: Role[]): Actor {
  return { id, kind: 'person', roles };
}

/** A management chain from `[id, level]` pairs, the person first and the root last. */
export function buildChain(...links: readonly (readonly [string, number])[]): Chain {
  return links.map(([employeeId, level], i) => ({ employeeId, level, managerId: links[i + 1]?.[0] ?? null }));
}

/** The next state of an allowed transition; a refusal fails the test with its reason. */
export function allowedState<S>(t: Transition<S>): S {
  if (!t.ok) throw new Error(`expected the step to be allowed, but it was refused (${t.reason}): ${t.message}`);
  return t.state;
}

/** The reason code of a refused transition; an allowed one fails the test. */
export function refusalReason<S>(t: Transition<S>): string {
  if (t.ok) throw new Error('expected a refusal, but the step was allowed');
  return t.reason;
}
