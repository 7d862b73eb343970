/**
 * Public holidays of an office: the days of type `public` that the
 * date-holidays package gives for the office's country and subdivision, with the
 * company's overrides (days added and removed per office) applied.
 */
import Holidays from 'date-holidays';
import { type LocalDate, addDays, fromDayNumber } from '../engine/dates.js';
import { badgeDayNumber, type TimeZone } from '../engine/time-zone.js';
import type { HolidayLookup } from '../engine/compliance.js';

export interface HolidayOverride {
  officeId: string;
  date: LocalDate;
  name: string;
  action: 'add' | 'remove';
}

export interface OfficeCalendarInput {
  officeId: string;
  timezone: string;
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

/** The public holidays of one region for the given years, as date → name. */
export function publicHolidays(region: OfficeCalendarInput, years: readonly number[]): Map<LocalDate, string> {
  const out = new Map<LocalDate, string>();
  const hd = region.subdivision
    ? new Holidays(region.country, region.subdivision, { types: ['public'], languages: ['en'] })
    : new Holidays(region.country, { types: ['public'], languages: ['en'] });
  for (const year of years) {
    const list = (hd.getHolidays(year, 'en') || []) as Array<{ date: string; end: Date; name: string; type: string }>;
    for (const h of list) {
      if (h.type !== 'public') continue;
      const first = h.date.slice(0, 10) as LocalDate;
      // The last local day the holiday covers (some start the evening before or span several days).
      const last = fromDayNumber(badgeDayNumber(region.timezone as TimeZone, h.end.getTime() - 1, 0));
      for (let d = first, i = 0; d <= last && i < 14; d = addDays(d, 1), i++) if (!out.has(d)) out.set(d, h.name);
      if (!out.has(first)) out.set(first, h.name);
    }
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
