/**
 * Public holidays of an office: the days of type `public` that the
 * date-holidays package gives for the office's country and subdivision, with the
 * company's overrides (days added and removed per office) applied.
 */
import Holidays from 'date-holidays';
import { type LocalDate, dayNumber, fromDayNumber } from '../engine/dates.js';
import type { HolidayLookup } from '../engine/compliance.js';

export interface HolidayOverride {
  officeId: string;
  date: LocalDate;
  name: string;
  action: 'add' | 'remove';
}

/** What an office's calendar depends on: its region (not its time zone: holidays are calendar dates). */
export interface OfficeCalendarInput {
  officeId: string;
  country: string;
  subdivision: string | null;
}

let countries: Record<string, string> | null = null;

/** Whether date-holidays knows the country (and the subdivision, when given). */
export function knownRegion(country: string, subdivision: string | null): { ok: true } | { ok: false; reason: string } {
  countries ??= new Holidays().getCountries('en') as Record<string, string>;
  if (!countries[country]) return { ok: false, reason: `unknown country code "${country}"` };
  if (subdivision) {
    const states = new Holidays().getStates(country, 'en') as Record<string, string> | undefined;
    if (!states || !states[subdivision]) return { ok: false, reason: `unknown subdivision "${subdivision}" of ${country}` };
  }
  return { ok: true };
}

const DAY_MS = 86_400_000;

/** A holiday as date-holidays gives it. */
export interface PackageHoliday {
  /** Its named date and start time, e.g. "2026-05-01 00:00:00", or "2026-04-02 00:00:00 -0600" for one that begins the evening before. */
  date: string;
  end: Date;
  name: string;
  type: string;
}

/**
 * The calendar dates a holiday covers: from its named date to the day before its end, at most
 * 14 days (some span several days, such as a three-day Eid). `h` must come from a Holidays
 * instance made with `timezone: 'UTC'` (holidaysOf): there an end is its wall-clock time, so the
 * dates do not depend on any zone. A holiday is a calendar date at every office of its region:
 * asked in the region's own zone, offices east of it got the day after each holiday too.
 */
export function holidayDates(h: PackageHoliday): LocalDate[] {
  const first = dayNumber(h.date.slice(0, 10) as LocalDate);
  const last = Math.min(Math.floor((h.end.getTime() - 1) / DAY_MS), first + 13);
  const out: LocalDate[] = [];
  for (let d = first; d <= Math.max(first, last); d++) out.push(fromDayNumber(d));
  return out;
}

/** The holidays of type public date-holidays gives for a region in a year, in English, in the UTC frame of holidayDates. */
function holidaysOf(country: string, subdivision: string | null, year: number): PackageHoliday[] {
  const opts = { types: ['public' as const], languages: ['en'], timezone: 'UTC' };
  const hd = subdivision ? new Holidays(country, subdivision, opts) : new Holidays(country, opts);
  return ((hd.getHolidays(year, 'en') || []) as PackageHoliday[]).filter((h) => h.type === 'public');
}

/** The public holidays of one region for the given years, as date → name (the first holiday of a date names it). */
export function publicHolidays(region: Pick<OfficeCalendarInput, 'country' | 'subdivision'>, years: readonly number[]): Map<LocalDate, string> {
  const out = new Map<LocalDate, string>();
  for (const year of years) {
    for (const h of holidaysOf(region.country, region.subdivision, year)) for (const d of holidayDates(h)) if (!out.has(d)) out.set(d, h.name);
  }
  return out;
}

/**
 * A holiday lookup for all offices over [from, to] (callers pad the range to
 * cover every window they look at), with overrides applied.
 */
export function buildHolidayLookup(
  offices: readonly OfficeCalendarInput[],
  overrides: readonly HolidayOverride[],
  from: LocalDate,
  to: LocalDate,
): HolidayLookup {
  const years: number[] = [];
  for (let y = Number(from.slice(0, 4)); y <= Number(to.slice(0, 4)); y++) years.push(y);
  const byOffice = new Map<string, Map<LocalDate, string>>();
  for (const o of offices) byOffice.set(o.officeId, publicHolidays(o, years));
  for (const ov of overrides) {
    let m = byOffice.get(ov.officeId);
    if (!m) byOffice.set(ov.officeId, (m = new Map()));
    if (ov.action === 'add') m.set(ov.date, ov.name);
    else m.delete(ov.date);
  }
  return (officeId, date) => byOffice.get(officeId)?.get(date) ?? null;
}
