/**
 * Validation of one CSV row per import file kind (see DESIGN.md, "The command
 * line and its files"). Pure: fields and a header map in, a typed row or the
 * first bad field out. Values are trimmed; reasons are short, lowercase and
 * quote the bad value (at most 40 characters of it).
 */
import { daysFromCivil, parseLocalDate, parseWorkWeek, type LocalDate } from '../engine/dates.js';
import type { Arrangement, Employee } from '../engine/types.js';
import { isValidTimeZone } from '../engine/time-zone.js';
import type { ColumnSpec, HeaderMap } from './columns.js';
import { quoteValue } from './csv-reader.js';

export interface FieldError {
  /** The spec column name, e.g. "timestamp". */
  column: string;
  reason: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: FieldError };

const col = (name: string, required = true): ColumnSpec => ({ name, required });

export const OFFICE_COLUMNS: readonly ColumnSpec[] = Object.freeze([
  col('office_id'),
  col('name'),
  col('timezone'),
  col('country'),
  col('subdivision', false),
  col('work_week', false),
  col('ready_from', false),
]);

export const EMPLOYEE_COLUMNS: readonly ColumnSpec[] = Object.freeze([
  col('employee_id'),
  col('email'),
  col('name'),
  col('manager_id', false),
  col('level'),
  col('job_family', false),
  col('org', false),
  col('home_office_id'),
  col('arrangement'),
  col('hire_date'),
  col('termination_date', false),
]);

export const BADGE_COLUMNS: readonly ColumnSpec[] = Object.freeze([
  col('event_id'),
  col('employee_id'),
  col('office_id'),
  col('timestamp'),
  col('direction', false),
]);

export const LEAVE_COLUMNS: readonly ColumnSpec[] = Object.freeze([
  col('employee_id'),
  col('start_date'),
  col('end_date'),
  col('kind'),
  col('status', false),
]);

export const HOLIDAY_COLUMNS: readonly ColumnSpec[] = Object.freeze([
  col('office_id'),
  col('date'),
  col('name'),
  col('action'),
]);

export interface OfficeRow {
  officeId: string;
  name: string;
  timezone: string;
  /** ISO 3166-1 alpha-2, uppercase. */
  country: string;
  /** Subdivision code without the country prefix, uppercase ("WA", "ENG", "BE"). */
  subdivision: string | null;
  /** ISO weekday numbers, sorted; default [1, 2, 3, 4, 5]. */
  workWeek: number[];
  readyFrom: string | null;
}

export type { Arrangement };

/** An employee row is exactly the domain's employee. */
export type EmployeeRow = Employee;

export interface BadgeRow {
  eventId: string;
  employeeId: string;
  officeId: string;
  /** Epoch milliseconds (UTC). */
  at: number;
  direction: 'in' | 'out' | null;
}

export type LeaveStatus = 'approved' | 'pending' | 'rejected' | 'cancelled';

export interface LeaveRow {
  employeeId: string;
  startDate: string;
  endDate: string;
  kind: string;
  status: LeaveStatus;
}

export interface HolidayRow {
  officeId: string;
  date: string;
  name: string;
  action: 'add' | 'remove';
}

// ---------------------------------------------------------------------------
// Helpers. A bad field throws a FieldFailure, caught once per row; the valid
// path never throws.

class FieldFailure {
  constructor(
    readonly column: string,
    readonly reason: string,
  ) {}
}

function fail(column: string, reason: string): never {
  throw new FieldFailure(column, reason);
}

function run<T>(parse: () => T): ParseResult<T> {
  try {
    return { ok: true, value: parse() };
  } catch (e) {
    if (e instanceof FieldFailure) return { ok: false, error: { column: e.column, reason: e.reason } };
    throw e;
  }
}

export { quoteValue };

/** The trimmed value of a column ('' when the column is absent). */
function value(fields: string[], h: HeaderMap, column: string): string {
  const i = h.indexOf[column];
  if (i === undefined || i < 0) return '';
  const v = fields[i];
  return v === undefined ? '' : v.trim();
}

function requiredText(fields: string[], h: HeaderMap, column: string): string {
  const v = value(fields, h, column);
  if (v === '') fail(column, 'required value is empty');
  return v;
}

function optionalText(fields: string[], h: HeaderMap, column: string): string | null {
  const v = value(fields, h, column);
  return v === '' ? null : v;
}

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 || (c >= 127 && c < 160)) return true;
  }
  return false;
}

function checkId(column: string, v: string): string {
  if (v.length > 64) fail(column, `id is too long (max 64 characters): ${quoteValue(v)}`);
  if (hasControl(v)) fail(column, `id contains a control character: ${quoteValue(v)}`);
  return v;
}

function requiredId(fields: string[], h: HeaderMap, column: string): string {
  return checkId(column, requiredText(fields, h, column));
}

function optionalId(fields: string[], h: HeaderMap, column: string): string | null {
  const v = value(fields, h, column);
  return v === '' ? null : checkId(column, v);
}

function checkDate(column: string, v: string): LocalDate {
  const d = parseLocalDate(v);
  if (d === null) fail(column, `not a date (expected YYYY-MM-DD): ${quoteValue(v)}`);
  return d;
}

function requiredDate(fields: string[], h: HeaderMap, column: string): LocalDate {
  return checkDate(column, requiredText(fields, h, column));
}

function optionalDate(fields: string[], h: HeaderMap, column: string): LocalDate | null {
  const v = value(fields, h, column);
  return v === '' ? null : checkDate(column, v);
}

// ---------------------------------------------------------------------------
// Timestamps: YYYY-MM-DD(T| )HH:MM[:SS[.f…]] then Z or ±HH[:MM|MM], by hand.

const ZERO = 48;

function digit(s: string, i: number): number {
  const d = s.charCodeAt(i) - ZERO;
  return d >= 0 && d <= 9 ? d : -1;
}

function two(s: string, i: number): number {
  const a = digit(s, i);
  const b = digit(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Epoch milliseconds of an ISO 8601 timestamp with a zone, or a reason. */
// The reasons are built only for a bad timestamp (no closure per call).
function notATimestamp(s: string): string {
  return `not a timestamp (expected e.g. 2026-11-24T08:30:00Z): ${quoteValue(s)}`;
}

function outOfRange(s: string, what: string): string {
  return `timestamp out of range (${what}): ${quoteValue(s)}`;
}

export function parseTimestamp(s: string): number | string {
  const n = s.length;
  if (n < 16) return notATimestamp(s);
  const y1 = two(s, 0);
  const y2 = two(s, 2);
  const month = two(s, 5);
  const day = two(s, 8);
  const hour = two(s, 11);
  const minute = two(s, 14);
  const sep = s.charCodeAt(10);
  if (
    y1 < 0 ||
    y2 < 0 ||
    month < 0 ||
    day < 0 ||
    hour < 0 ||
    minute < 0 ||
    s.charCodeAt(4) !== 45 /* - */ ||
    s.charCodeAt(7) !== 45 ||
    (sep !== 84 /* T */ && sep !== 116 /* t */ && sep !== 32) ||
    s.charCodeAt(13) !== 58 /* : */
  ) {
    return notATimestamp(s);
  }
  const year = y1 * 100 + y2;
  let p = 16;
  let second = 0;
  let ms = 0;
  if (p < n && s.charCodeAt(p) === 58 /* : */) {
    second = two(s, p + 1);
    if (second < 0) return notATimestamp(s);
    p += 3;
    const dot = s.charCodeAt(p);
    if (p < n && (dot === 46 /* . */ || dot === 44) /* , */) {
      p++;
      const from = p;
      let scale = 100;
      for (let d = digit(s, p); d >= 0; d = digit(s, ++p)) {
        ms += d * scale;
        scale /= 10;
        if (scale < 1) scale = 0;
      }
      if (p === from) return notATimestamp(s);
      ms = Math.floor(ms);
    }
  }
  let offset = 0;
  if (p >= n) {
    // Validate the rest first, so that the hint is only given for real date-times.
    const shown = notATimestamp(s);
    if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return shown;
    return `timestamp needs a Z or a UTC offset: ${quoteValue(s)}`;
  }
  const z = s.charCodeAt(p);
  if (z === 90 /* Z */ || z === 122 /* z */) {
    if (p + 1 !== n) return notATimestamp(s);
  } else if (z === 43 /* + */ || z === 45 /* - */) {
    const oh = two(s, p + 1);
    if (oh < 0) return notATimestamp(s);
    let om = 0;
    const rest = n - (p + 3);
    if (rest === 3 && s.charCodeAt(p + 3) === 58) om = two(s, p + 4);
    else if (rest === 2) om = two(s, p + 3);
    else if (rest !== 0) return notATimestamp(s);
    if (om < 0) return notATimestamp(s);
    if (om > 59 || oh * 60 + om > 14 * 60) return outOfRange(s, `offset ${s.slice(p)}`);
    offset = (oh * 60 + om) * (z === 45 ? -1 : 1);
  } else {
    return notATimestamp(s);
  }
  if (month < 1 || month > 12) return outOfRange(s, `month ${month}`);
  if (day < 1 || day > (month === 2 && isLeap(year) ? 29 : MONTH_DAYS[month - 1]!)) return outOfRange(s, `day ${day}`);
  if (hour > 23) return outOfRange(s, `hour ${hour}`);
  if (minute > 59) return outOfRange(s, `minute ${minute}`);
  if (second > 59) return outOfRange(s, `second ${second}`);
  return (daysFromCivil(year, month, day) * 1440 + hour * 60 + minute - offset) * 60_000 + second * 1000 + ms;
}

// ---------------------------------------------------------------------------
// Row parsers.

const COUNTRY_RE = /^[A-Z]{2}$/;
const SUBDIVISION_RE = /^[A-Z0-9]{1,3}$/;
const DEFAULT_WORK_WEEK: readonly number[] = [1, 2, 3, 4, 5];

export function parseOfficeRow(fields: string[], h: HeaderMap): ParseResult<OfficeRow> {
  return run(() => {
    const officeId = requiredId(fields, h, 'office_id');
    const name = requiredText(fields, h, 'name');
    const timezone = requiredText(fields, h, 'timezone');
    if (!isValidTimeZone(timezone)) fail('timezone', `not an IANA time zone (e.g. America/Los_Angeles): ${quoteValue(timezone)}`);
    const countryText = requiredText(fields, h, 'country');
    const country = countryText.toUpperCase();
    if (!COUNTRY_RE.test(country)) fail('country', `not a country code (expected 2 letters, e.g. US): ${quoteValue(countryText)}`);
    let subdivision = optionalText(fields, h, 'subdivision');
    if (subdivision !== null) {
      const text = subdivision;
      subdivision = subdivision.toUpperCase();
      const dash = subdivision.indexOf('-');
      if (dash >= 0) {
        if (subdivision.slice(0, dash) !== country) {
          fail('subdivision', `subdivision is not in country ${country}: ${quoteValue(text)}`);
        }
        subdivision = subdivision.slice(dash + 1);
      }
      if (!SUBDIVISION_RE.test(subdivision)) {
        fail('subdivision', `not a subdivision code (expected e.g. WA or US-WA): ${quoteValue(text)}`);
      }
    }
    const weekText = value(fields, h, 'work_week');
    let workWeek = [...DEFAULT_WORK_WEEK];
    if (weekText !== '') {
      const parsed = parseWorkWeek(weekText);
      if (parsed === null || parsed.length === 0) {
        fail('work_week', `not a work week (expected e.g. Mon-Fri, Sun-Thu or Mon,Tue,Thu): ${quoteValue(weekText)}`);
      }
      workWeek = parsed;
    }
    const readyFrom = optionalDate(fields, h, 'ready_from');
    return { officeId, name, timezone, country, subdivision, workWeek, readyFrom };
  });
}

const LEVEL_RE = /^\d{1,2}$/;

function checkEmail(column: string, v: string): string {
  const at = v.indexOf('@');
  let ok = at > 0 && at < v.length - 1 && v.indexOf('@', at + 1) === -1 && !hasControl(v);
  for (let i = 0; ok && i < v.length; i++) if (v.charCodeAt(i) === 32) ok = false;
  if (!ok) fail(column, `not an email address: ${quoteValue(v)}`);
  return v;
}

export function parseEmployeeRow(fields: string[], h: HeaderMap): ParseResult<EmployeeRow> {
  return run(() => {
    const employeeId = requiredId(fields, h, 'employee_id');
    const email = checkEmail('email', requiredText(fields, h, 'email'));
    const name = requiredText(fields, h, 'name');
    const managerId = optionalId(fields, h, 'manager_id');
    const levelText = requiredText(fields, h, 'level');
    if (!LEVEL_RE.test(levelText)) fail('level', `not a level (expected a whole number 0-99): ${quoteValue(levelText)}`);
    const level = Number(levelText);
    const jobFamily = optionalText(fields, h, 'job_family');
    const org = optionalText(fields, h, 'org');
    const homeOfficeId = requiredId(fields, h, 'home_office_id');
    const arrangementText = requiredText(fields, h, 'arrangement');
    const arrangement = arrangementText.toLowerCase();
    if (arrangement !== 'office' && arrangement !== 'hybrid' && arrangement !== 'remote') {
      fail('arrangement', `not an arrangement (expected office, hybrid or remote): ${quoteValue(arrangementText)}`);
    }
    const hireDate = requiredDate(fields, h, 'hire_date');
    const terminationDate = optionalDate(fields, h, 'termination_date');
    if (terminationDate !== null && terminationDate < hireDate) {
      fail('termination_date', `termination_date ${terminationDate} is before hire_date ${hireDate}`);
    }
    return { employeeId, email, name, managerId, level, jobFamily, org, homeOfficeId, arrangement, hireDate, terminationDate };
  });
}

export function parseBadgeRow(fields: string[], h: HeaderMap): ParseResult<BadgeRow> {
  return badgeRowParser(h)(fields);
}

/**
 * parseBadgeRow for every row of one file: the columns' places are looked up once (a badge
 * file has millions of rows).
 */
export function badgeRowParser(h: HeaderMap): (fields: string[]) => ParseResult<BadgeRow> {
  const place = (column: string) => h.indexOf[column] ?? -1;
  const [iEvent, iEmployee, iOffice, iTimestamp, iDirection] = ['event_id', 'employee_id', 'office_id', 'timestamp', 'direction'].map(place) as [number, number, number, number, number];
  const at = (fields: string[], i: number): string => {
    if (i < 0) return '';
    const v = fields[i];
    return v === undefined ? '' : v.trim();
  };
  const required = (fields: string[], i: number, column: string): string => {
    const v = at(fields, i);
    if (v === '') fail(column, 'required value is empty');
    return v;
  };
  return (fields) => run(() => {
    const eventId = checkId('event_id', required(fields, iEvent, 'event_id'));
    const employeeId = checkId('employee_id', required(fields, iEmployee, 'employee_id'));
    const officeId = checkId('office_id', required(fields, iOffice, 'office_id'));
    const at_ = parseTimestamp(required(fields, iTimestamp, 'timestamp'));
    if (typeof at_ === 'string') fail('timestamp', at_);
    const directionText = at(fields, iDirection);
    let direction: 'in' | 'out' | null = null;
    if (directionText !== '') {
      const d = directionText.toLowerCase();
      if (d === 'in' || d === 'out') direction = d;
      else fail('direction', `not a direction (expected in or out): ${quoteValue(directionText)}`);
    }
    return { eventId, employeeId, officeId, at: at_, direction };
  });
}

const KIND_RE = /^[a-z][a-z0-9_]*$/;
const LEAVE_STATUS: Record<string, LeaveStatus> = {
  approved: 'approved',
  pending: 'pending',
  rejected: 'rejected',
  denied: 'rejected',
  cancelled: 'cancelled',
  canceled: 'cancelled',
};

export function parseLeaveRow(fields: string[], h: HeaderMap): ParseResult<LeaveRow> {
  return run(() => {
    const employeeId = requiredId(fields, h, 'employee_id');
    const startDate = requiredDate(fields, h, 'start_date');
    const endDate = requiredDate(fields, h, 'end_date');
    if (endDate < startDate) fail('end_date', `end_date ${endDate} is before start_date ${startDate}`);
    const kindText = requiredText(fields, h, 'kind');
    const kind = kindText.toLowerCase();
    if (kind.length > 64 || !KIND_RE.test(kind)) {
      fail('kind', `not a leave kind (expected a lowercase word such as pto, sick or business_travel): ${quoteValue(kindText)}`);
    }
    const statusText = value(fields, h, 'status');
    let status: LeaveStatus = 'approved';
    if (statusText !== '') {
      const s = Object.hasOwn(LEAVE_STATUS, statusText.toLowerCase()) ? LEAVE_STATUS[statusText.toLowerCase()] : undefined;
      if (s === undefined) {
        fail('status', `not a leave status (expected approved, pending, rejected or cancelled): ${quoteValue(statusText)}`);
      }
      status = s;
    }
    return { employeeId, startDate, endDate, kind, status };
  });
}

export function parseHolidayRow(fields: string[], h: HeaderMap): ParseResult<HolidayRow> {
  return run(() => {
    const officeId = requiredId(fields, h, 'office_id');
    const date = requiredDate(fields, h, 'date');
    const name = requiredText(fields, h, 'name');
    const actionText = requiredText(fields, h, 'action');
    const action = actionText.toLowerCase();
    if (action !== 'add' && action !== 'remove') {
      fail('action', `not a holiday action (expected add or remove): ${quoteValue(actionText)}`);
    }
    return { officeId, date, name, action };
  });
}
