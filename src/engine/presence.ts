/**
 * Presence days (DESIGN rules 1–2): badge events to local badge days, and which
 * days qualify as present under a policy's countOffices, minDwellMinutes and
 * singleSwipe.
 */
import { type LocalDate, fromDayNumber } from './dates.js';
import { badgeDayNumber } from './time-zone.js';
import type { BadgeEvent, CountOffices, Office, PresenceDay, SingleSwipe } from './types.js';

export interface PresenceParams {
  dayStartsAtMinutes: number;
  countOffices: CountOffices;
  minDwellMinutes: number;
  singleSwipe: SingleSwipe;
}

/** Removes repeated event ids (first occurrence in time order wins) and sorts by instant. */
export function normaliseEvents(events: readonly BadgeEvent[]): BadgeEvent[] {
  const sorted = [...events].sort(
    (a, b) => a.at - b.at || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0) || cmpStr(a.officeId, b.officeId) || cmpStr(a.direction ?? '', b.direction ?? ''),
  );
  const seen = new Set<string>();
  const out: BadgeEvent[] = [];
  for (const e of sorted) {
    if (seen.has(e.eventId)) continue;
    seen.add(e.eventId);
    out.push(e);
  }
  return out;
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface OfficeDay {
  officeId: string;
  first: number;
  last: number;
  hasIn: boolean;
  hasOut: boolean;
  /** An event of unknown direction after the day's first event at the office: it may be the exit. */
  hasLaterUnknown: boolean;
  count: number;
}

/** An office-day of a badge day number. */
type DayCell = OfficeDay & { day: number };

/**
 * Whether one office-day qualifies (rule 2):
 * - a qualifying badge-in is an event whose direction is `in` or unknown;
 * - with minDwellMinutes = 0, any badge-in counts;
 * - otherwise the time from first to last event must reach minDwellMinutes; a day
 *   with no exit event (no `out`, or, when the reader records no directions, a
 *   single event) follows singleSwipe: `count` or `ignore`.
 */
export function officeDayQualifies(d: OfficeDay, p: PresenceParams): boolean {
  if (!d.hasIn) return false;
  if (p.minDwellMinutes <= 0) return true;
  const hasExit = d.hasOut || d.hasLaterUnknown;
  if (!hasExit) return p.singleSwipe === 'count';
  return Math.floor((d.last - d.first) / 60_000) >= p.minDwellMinutes;
}

/**
 * Present days from badge events, for badge days numbered in [firstDay, lastDay]
 * (day numbers since 1970-01-01). `events` must be normalised (sorted, unique);
 * only those at indexes [lo, hi) are read (the whole list by default).
 * Several offices on one day are one present day: the qualifying office with
 * the longest dwell is reported (ties: the earliest first event).
 */
export function badgePresenceDays(
  events: readonly BadgeEvent[],
  offices: ReadonlyMap<string, Office>,
  homeOfficeId: string,
  p: PresenceParams,
  firstDay: number,
  lastDay: number,
  lo = 0,
  hi = events.length,
): PresenceDay[] {
  // A week holds a handful of (day, office) pairs: a flat list searched from its end
  // (events come in time order) allocates far less than maps of maps (hot in bulk evaluation).
  const cells: DayCell[] = [];
  let lastOfficeId: string | null = null;
  let lastOffice: Office | undefined;
  for (let i = lo; i < hi; i++) {
    const e = events[i]!;
    if (p.countOffices === 'home' && e.officeId !== homeOfficeId) continue;
    if (e.officeId !== lastOfficeId) {
      lastOfficeId = e.officeId;
      lastOffice = offices.get(e.officeId);
    }
    const office = lastOffice;
    if (!office) continue;
    const day = badgeDayNumber(office.timezone, e.at, p.dayStartsAtMinutes);
    if (day < firstDay || day > lastDay) continue;
    let d: DayCell | undefined;
    for (let k = cells.length - 1; k >= 0 && !d; k--) if (cells[k]!.day === day && cells[k]!.officeId === e.officeId) d = cells[k];
    if (!d) cells.push((d = { day, officeId: e.officeId, first: e.at, last: e.at, hasIn: false, hasOut: false, hasLaterUnknown: false, count: 0 }));
    if (e.at < d.first) d.first = e.at;
    if (e.at > d.last) d.last = e.at;
    if (e.direction === null && d.count > 0) d.hasLaterUnknown = true;
    d.count++;
    if (e.direction === 'out') d.hasOut = true;
    else d.hasIn = true;
  }
  const out: PresenceDay[] = [];
  // The distinct days in increasing order (a week holds a handful: a selection loop allocates nothing).
  let day = -Infinity;
  for (;;) {
    let next = Infinity;
    for (const c of cells) if (c.day > day && c.day < next) next = c.day;
    if (next === Infinity) break;
    day = next;
    let best: OfficeDay | null = null;
    for (const d of cells) {
      if (d.day !== day || !officeDayQualifies(d, p)) continue;
      if (best === null || d.last - d.first > best.last - best.first || (d.last - d.first === best.last - best.first && d.first < best.first)) best = d;
    }
    if (best) {
      out.push({
        date: fromDayNumber(day) as LocalDate,
        officeId: best.officeId,
        source: 'badge',
        dwellMinutes: Math.floor((best.last - best.first) / 60_000),
        firstAt: best.first,
        lastAt: best.last,
      });
    }
  }
  return out;
}
