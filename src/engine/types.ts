/** Plain domain data handed to and returned by the engine. No I/O, no classes. */
import type { LocalDate, Instant, IsoWeek, WeekdayName } from './dates.js';
import type { TimeZone } from './time-zone.js';

export type Arrangement = 'office' | 'hybrid' | 'remote';
export type Direction = 'in' | 'out' | null;

export interface Office {
  officeId: string;
  name: string;
  timezone: TimeZone;
  country: string;
  subdivision: string | null;
  /** ISO weekday numbers (1 = Monday … 7 = Sunday), sorted. */
  workWeek: readonly number[];
  readyFrom: LocalDate | null;
}

export interface Employee {
  employeeId: string;
  email: string;
  name: string;
  managerId: string | null;
  level: number;
  jobFamily: string | null;
  org: string | null;
  homeOfficeId: string;
  arrangement: Arrangement;
  hireDate: LocalDate;
  terminationDate: LocalDate | null;
}

export interface BadgeEvent {
  /** Source event id; duplicates of one id are one event. */
  eventId: string;
  officeId: string;
  at: Instant | number;
  direction: Direction;
}

/** An approved claim that the employee was at an office on a day (a resolved dispute). */
export interface Attestation {
  date: LocalDate;
  officeId: string;
  reference: string | null;
}

export type LeaveStatus = 'approved' | 'pending' | 'rejected' | 'cancelled';
export interface Leave {
  startDate: LocalDate;
  endDate: LocalDate;
  kind: string;
  status: LeaveStatus;
}

export interface ExceptionGrant {
  exceptionId: string;
  kind: string;
  startDate: LocalDate;
  endDate: LocalDate;
  /** `exempt`, or `reduced` with `daysPerWeek`. */
  effect: 'exempt' | 'reduced';
  daysPerWeek: number | null;
}

export interface Relocation {
  targetOfficeId: string;
  deadline: LocalDate;
  status: 'assigned' | 'accepted' | 'relocated' | 'declined' | 'overdue' | 'cancelled';
}

export type HolidayRule = 'proportional' | 'cap' | 'subtract';
export type CountOffices = 'any' | 'home';
export type SingleSwipe = 'count' | 'ignore';
export type TravelCounts = 'present' | 'excused';
export type StandingMeasure = 'weeks' | 'days';

export interface PolicyScope {
  orgs: readonly string[];
  levels: readonly number[];
  jobFamilies: readonly string[];
  offices: readonly string[];
  arrangements: readonly Arrangement[];
}

export interface Tier {
  name: string;
  min: number;
}

export interface StandingParams {
  windowWeeks: number;
  measure: StandingMeasure;
  minRatio: number;
  /** Best first (highest `min` first). */
  tiers: readonly Tier[];
}

/** Who hears about non-compliance (DESIGN "Manager awareness"). */
export interface DigestParams {
  /** Digests list indirect reports too (the manager's whole subtree), not only direct ones. */
  indirect: boolean;
}

/** Preconditions of the discipline steps (DESIGN "Discipline"). */
export interface DisciplineParams {
  /** Non-compliant weeks needed since the previous step (or since the case opened) to take the next. */
  nonCompliantWeeksPerStep: number;
  /** Minimum days between two steps. */
  minDaysBetweenSteps: number;
  /** A run of this many compliant weeks suggests closing the case as resolved. */
  compliantWeeksToResolve: number;
}

export interface ExceptionParams {
  /** Days before an exception's end at which the employee and HR are notified. */
  expiryNoticeDays: number;
}

export interface Policy {
  id: string;
  version: number;
  name: string;
  effectiveFrom: LocalDate;
  /** Optional last day (inclusive) on which the policy can govern a week's Monday. */
  effectiveTo: LocalDate | null;
  scope: PolicyScope;
  daysPerWeek: number;
  /** Minutes after local midnight at which a badge day begins. */
  dayStartsAtMinutes: number;
  countOffices: CountOffices;
  minDwellMinutes: number;
  singleSwipe: SingleSwipe;
  holidayRule: HolidayRule;
  travelCounts: TravelCounts;
  anchorDays: readonly WeekdayName[];
  graceDays: number;
  standing: StandingParams;
  vpLevel: number;
  digest: DigestParams;
  discipline: DisciplineParams;
  exceptions: ExceptionParams;
}

export type WeekStatus =
  | 'not_employed'
  | 'no_policy'
  | 'exempt'
  | 'grace'
  | 'excused'
  | 'compliant'
  | 'non_compliant';

export const WEEK_STATUSES: readonly WeekStatus[] = [
  'not_employed',
  'no_policy',
  'exempt',
  'grace',
  'excused',
  'compliant',
  'non_compliant',
];

/** Why the status is what it is: a stable code, never a sentence. */
export type WeekReason =
  | 'not_employed'
  | 'no_matching_policy'
  | 'exception_exempt'
  | 'remote_arrangement'
  | 'office_not_ready'
  | 'hire_grace'
  | 'nothing_required'
  | 'requirement_met'
  | 'below_requirement'
  | 'anchor_day_missed';

export type PresenceSource = 'badge' | 'attestation' | 'travel';

export interface PresenceDay {
  date: LocalDate;
  officeId: string;
  source: PresenceSource;
  /** Minutes between first and last event at the office; null when not from badges. */
  dwellMinutes: number | null;
  /** For an attestation: what it rests on (the id of the approved dispute). */
  reference?: string;
  firstAt: number | null;
  lastAt: number | null;
}

export type ExcusedReason = 'not_employed' | 'holiday' | 'leave' | 'travel' | 'outage';
export interface ExcusedDay {
  date: LocalDate;
  reason: ExcusedReason;
  /** Holiday name; for an outage, what HR declared happened. */
  name?: string;
  /** For an outage: its id. */
  reference?: string;
  /** Leave kind. */
  kind?: string;
}

export interface AnchorCheck {
  day: WeekdayName;
  date: LocalDate;
  state: 'present' | 'excused' | 'missed';
}

/** Everything a weekly record says, from which its explanation is derived. */
export interface WeeklyFacts {
  employeeId: string;
  week: IsoWeek;
  weekStart: LocalDate;
  policy: { id: string; version: number } | null;
  status: WeekStatus;
  reason: WeekReason;
  required: number;
  present: number;
  available: number;
  weekLength: number;
  /** The policy's daysPerWeek (0 when no policy). */
  policyDaysPerWeek: number;
  /** daysPerWeek after a reducing exception. */
  daysPerWeek: number;
  rule: HolidayRule | null;
  homeOfficeId: string;
  presentDays: PresenceDay[];
  excusedDays: ExcusedDay[];
  anchors: AnchorCheck[];
  exception: { exceptionId: string; kind: string; startDate: LocalDate; endDate: LocalDate; effect: 'exempt' | 'reduced'; daysPerWeek: number | null } | null;
  /** For grace weeks: the first Monday that is judged. For not_employed: hire/termination. */
  hireDate: LocalDate | null;
  terminationDate: LocalDate | null;
  graceUntil: LocalDate | null;
  readyFrom: LocalDate | null;
}

export interface WeeklyRecord extends WeeklyFacts {
  explanation: string;
}

export interface Standing {
  employeeId: string;
  asOf: LocalDate;
  windowWeeks: number;
  counted: number;
  compliant: number;
  ratio: number | null;
  goodStanding: boolean;
  tier: string | null;
  measure: StandingMeasure;
  minRatio: number;
  from: LocalDate;
  to: LocalDate;
  presentDays: number;
  requiredDays: number;
  policy: { id: string; version: number } | null;
}
