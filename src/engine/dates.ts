/**
 * Calendar arithmetic on plain local dates ("YYYY-MM-DD") and ISO weeks ("YYYY-Www").
 * Pure: every computation is done in a UTC frame on day numbers, so the
 * process's time zone never matters.
 */

/** A calendar date with no time zone, "YYYY-MM-DD". */
export type LocalDate = string & { readonly __brand: 'LocalDate' };
/** An ISO week, "YYYY-Www". */
export type IsoWeek = string & { readonly __brand: 'IsoWeek' };
/** Milliseconds since the Unix epoch (UTC). */
export type Instant = number & { readonly __brand: 'Instant' };

const MS_PER_DAY = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const WEEK_RE = /^(\d{4})-W(\d{2})$/;

export const WEEKDAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
export type WeekdayName = (typeof WEEKDAY_NAMES)[number];

/** Validates and brands a "YYYY-MM-DD" string; returns null when it is not a real date. */
export function parseLocalDate(text: string): LocalDate | null {
  const m = DATE_RE.exec(text);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
  return text as LocalDate;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Days since 1970-01-01 of a local date (integer arithmetic, no Date or slices: hot in bulk evaluation). */
export function dayNumber(date: LocalDate): number {
  const y = (date.charCodeAt(0) - 48) * 1000 + (date.charCodeAt(1) - 48) * 100 + (date.charCodeAt(2) - 48) * 10 + (date.charCodeAt(3) - 48);
  const m = (date.charCodeAt(5) - 48) * 10 + (date.charCodeAt(6) - 48);
  const d = (date.charCodeAt(8) - 48) * 10 + (date.charCodeAt(9) - 48);
  return daysFromCivil(y, m, d);
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date, any year (unlike Date.UTC for years
 * below 100). H. Hinnant's days_from_civil: years start in March so the leap day comes last.
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

const dateCache = new Map<number, LocalDate>();
/** The local date of a day number. */
export function fromDayNumber(n: number): LocalDate {
  let s = dateCache.get(n);
  if (s === undefined) {
    s = new Date(n * MS_PER_DAY).toISOString().slice(0, 10) as LocalDate;
    if (dateCache.size > 200_000) dateCache.clear();
    dateCache.set(n, s);
  }
  return s;
}

export function addDays(date: LocalDate, days: number): LocalDate {
  return fromDayNumber(dayNumber(date) + days);
}

/** ISO weekday of a day number: 1 = Monday … 7 = Sunday. */
export function isoWeekdayOfDayNumber(n: number): number {
  // 1970-01-01 was a Thursday (4).
  return ((((n + 3) % 7) + 7) % 7) + 1;
}

export function isoWeekday(date: LocalDate): number {
  return isoWeekdayOfDayNumber(dayNumber(date));
}

/** The Monday of the ISO week containing the date. */
export function mondayOf(date: LocalDate): LocalDate {
  const n = dayNumber(date);
  return fromDayNumber(n - (isoWeekdayOfDayNumber(n) - 1));
}

const weekCache = new Map<string, IsoWeek>();
/** ISO week ("YYYY-Www") of a date. */
export function isoWeekOf(date: LocalDate): IsoWeek {
  let w = weekCache.get(date);
  if (w === undefined) {
    const n = dayNumber(date);
    const thursday = n - (isoWeekdayOfDayNumber(n) - 1) + 3;
    const year = Number(fromDayNumber(thursday).slice(0, 4));
    const jan1 = dayNumber(`${year}-01-01` as LocalDate);
    const week = Math.floor((thursday - jan1) / 7) + 1;
    w = `${year}-W${String(week).padStart(2, '0')}` as IsoWeek;
    if (weekCache.size > 100_000) weekCache.clear();
    weekCache.set(date, w);
  }
  return w;
}

/** Validates "YYYY-Www" and returns its Monday, or null. */
export function parseIsoWeek(text: string): { week: IsoWeek; monday: LocalDate } | null {
  const m = WEEK_RE.exec(text);
  if (!m) return null;
  const year = Number(m[1]);
  const week = Number(m[2]);
  if (week < 1 || week > 53) return null;
  // The Monday of week 1 is the Monday of the week containing 4 January.
  const jan4 = dayNumber(`${m[1]}-01-04` as LocalDate);
  const monday = fromDayNumber(jan4 - (isoWeekdayOfDayNumber(jan4) - 1) + (week - 1) * 7);
  if (isoWeekOf(monday) !== text) return null; // week 53 of a 52-week year
  void year;
  return { week: text as IsoWeek, monday };
}

/** The Mondays of every ISO week overlapping [from, to], in order. */
export function mondaysBetween(from: LocalDate, to: LocalDate): LocalDate[] {
  const out: LocalDate[] = [];
  const last = dayNumber(to);
  for (let n = dayNumber(mondayOf(from)); n <= last; n += 7) out.push(fromDayNumber(n));
  return out;
}

export function weekdayNameOf(isoWeekdayNumber: number): WeekdayName {
  return WEEKDAY_NAMES[isoWeekdayNumber - 1]!;
}

const WEEKDAY_NUMBERS = new Map<string, number>(WEEKDAY_NAMES.map((w, i) => [w, i + 1]));
const WEEKDAY_FULL_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/**
 * The ISO weekday number (1 = Monday) of an English weekday name: the full name or any
 * abbreviation of it of three letters or more ("Mon", "Tues", "Thurs", "Wednesday"), in any
 * case; null for anything else ("Mo", "Monkey").
 */
export function weekdayNumberOf(name: string): number | null {
  const exact = WEEKDAY_NUMBERS.get(name);
  if (exact !== undefined) return exact;
  const t = name.trim().toLowerCase();
  if (t.length < 3) return null;
  const i = WEEKDAY_FULL_NAMES.findIndex((w) => w.startsWith(t));
  return i < 0 ? null : i + 1;
}

/**
 * Parses a work week such as "Mon-Fri", "Sun-Thu" or "Mon,Tue,Thu" into a sorted
 * list of ISO weekday numbers. Ranges wrap around the week ("Sun-Thu" is Sun, Mon…Thu).
 */
export function parseWorkWeek(text: string): number[] | null {
  const t = text.trim();
  if (t === '') return null;
  const days = new Set<number>();
  for (const part of t.split(/[,;\s]+/).filter(Boolean)) {
    const range = part.split('-');
    if (range.length === 1) {
      const d = weekdayNumberOf(range[0]!);
      if (d === null) return null;
      days.add(d);
    } else if (range.length === 2) {
      const a = weekdayNumberOf(range[0]!);
      const b = weekdayNumberOf(range[1]!);
      if (a === null || b === null) return null;
      for (let d = a, i = 0; i < 7; i++, d = (d % 7) + 1) {
        days.add(d);
        if (d === b) break;
      }
    } else return null;
  }
  return [...days].sort((x, y) => x - y);
}

export function formatWorkWeek(days: readonly number[]): string {
  return days.map(weekdayNameOf).join(',');
}
