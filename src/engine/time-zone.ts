/**
 * The one place where instants become office-local wall time, and back.
 * Uses the ICU time-zone data built into Node (Intl) with an explicit zone,
 * so results never depend on the process's TZ. Offsets are cached per zone
 * and 15-minute slot: every real-world zone transition falls on such a slot.
 */
import { type Instant, type LocalDate, fromDayNumber, dayNumber } from './dates.js';

/** An IANA time zone name such as "America/Los_Angeles". */
export type TimeZone = string & { readonly __brand: 'TimeZone' };

const SLOT_MS = 15 * 60_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

export function isValidTimeZone(name: string): name is TimeZone {
  if (!name || !/^[A-Za-z_]+(?:\/[A-Za-z0-9_+\-]+)*$|^UTC$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

function computeOffsetMinutes(tz: string, at: number): number {
  const parts = formatter(tz).formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const atSec = Math.floor(at / 1000) * 1000;
  return Math.round((wall - atSec) / 60_000);
}

const DAY_MS = 86_400_000;
const UNKNOWN = 32767;
/** A UTC day during which the zone's offset changes: look up by 15-minute slot. */
const MIXED = 32766;
const MAX_TABLE_DAYS = 1 << 22;

/** Per zone: the offset of each UTC day (a typed array over a range of days) and, for days with a change, per slot. */
interface ZoneTable {
  base: number;
  days: Int16Array;
  slots: Map<number, number>;
}
const zones = new Map<string, ZoneTable>();

function zoneTable(tz: string, day: number): ZoneTable {
  let t = zones.get(tz);
  if (!t) {
    t = { base: day - 64, days: new Int16Array(512).fill(UNKNOWN), slots: new Map() };
    zones.set(tz, t);
  }
  const i = day - t.base;
  if (i < 0 || i >= t.days.length) {
    const lo = Math.min(t.base, day - 64);
    const hi = Math.max(t.base + t.days.length, day + 512);
    if (hi - lo <= MAX_TABLE_DAYS) {
      const days = new Int16Array(hi - lo).fill(UNKNOWN);
      days.set(t.days, t.base - lo);
      t.base = lo;
      t.days = days;
    }
  }
  return t;
}

function slotOffset(t: ZoneTable, tz: string, at: number): number {
  const slot = Math.floor(at / SLOT_MS);
  let off = t.slots.get(slot);
  if (off === undefined) {
    off = computeOffsetMinutes(tz, slot * SLOT_MS);
    if (t.slots.size > 500_000) t.slots.clear();
    t.slots.set(slot, off);
  }
  return off;
}

/** UTC offset of the zone at an instant, in minutes (e.g. -480 for PST). */
export function offsetMinutesAt(tz: TimeZone, at: Instant | number): number {
  const day = Math.floor(at / DAY_MS);
  const t = zoneTable(tz, day);
  const i = day - t.base;
  if (i < 0 || i >= t.days.length) return slotOffset(t, tz, at); // beyond the table's reach
  let v = t.days[i]!;
  if (v === UNKNOWN) {
    // Zone changes fall on 15-minute slots: the same offset at the first and the last slot means none that day.
    const first = computeOffsetMinutes(tz, day * DAY_MS);
    const last = computeOffsetMinutes(tz, (day + 1) * DAY_MS - SLOT_MS);
    v = first === last ? first : MIXED;
    t.days[i] = v;
  }
  return v === MIXED ? slotOffset(t, tz, at) : v;
}

/** Wall-clock time of an instant in a zone, as minutes since the Unix epoch in a UTC frame. */
export function wallMinutes(tz: TimeZone, at: Instant | number): number {
  return Math.floor(at / 60_000) + offsetMinutesAt(tz, at);
}

/**
 * The local badge date of an instant at an office: the wall-clock date in the
 * office's zone after shifting back by `dayStartsAtMinutes` (rule 1: an event
 * at 02:30 belongs to the previous day when days start at 04:00).
 */
export function badgeDayNumber(tz: TimeZone, at: Instant | number, dayStartsAtMinutes: number): number {
  return Math.floor((wallMinutes(tz, at) - dayStartsAtMinutes) / 1440);
}

export function badgeDate(tz: TimeZone, at: Instant | number, dayStartsAtMinutes: number): LocalDate {
  return fromDayNumber(badgeDayNumber(tz, at, dayStartsAtMinutes));
}

/**
 * The instant of a local wall-clock time in a zone. A time skipped by a
 * spring-forward gap resolves to the instant after the gap; an ambiguous time
 * in a fall-back overlap resolves to the earlier instant.
 */
export function instantOfWallTime(tz: TimeZone, date: LocalDate, minutesOfDay: number): Instant {
  const wall = (dayNumber(date) * 1440 + minutesOfDay) * 60_000;
  // Try the offsets in force around that wall time; keep the earliest that maps back.
  const guess1 = wall - offsetMinutesAt(tz, wall - 36 * 3_600_000) * 60_000;
  const guess2 = wall - offsetMinutesAt(tz, wall + 36 * 3_600_000) * 60_000;
  const candidates = [guess1, guess2].filter((c) => c + offsetMinutesAt(tz, c) * 60_000 === wall).sort((a, b) => a - b);
  if (candidates.length > 0) return candidates[0] as Instant;
  // In a gap: move forward by the size of the jump.
  return Math.max(guess1, guess2) as Instant;
}
