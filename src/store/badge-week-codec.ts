/**
 * The compact text of one employee's badge events in one UTC week (`badge_week.data`,
 * migration v7): events sorted by (instant, event id, office, direction), separated
 * by U+001E, each `offsetMs U+001F direction U+001F officeId U+001F eventId` with
 * offsetMs counted from the week's Monday 00:00 UTC and direction `i`, `o` or empty.
 * Ids never contain control characters (the import refuses them). Pure functions.
 */
import type { Direction } from '../engine/types.js';
import { CsvBytes } from './csv-bytes.js';
import { csvField } from './csv-text.js';
import { fromDayNumber } from '../engine/dates.js';

export const DAY_MS = 86_400_000;
export const EVENT_SEP = '\u001e';
export const FIELD_SEP = '\u001f';

export interface StoredEvent {
  eventId: string;
  officeId: string;
  /** Epoch milliseconds. */
  at: number;
  direction: Direction;
}

/** Day number (days since 1970-01-01) of the Monday of the UTC ISO week holding the instant. */
export function utcWeekOf(ms: number): number {
  const d = Math.floor(ms / DAY_MS);
  return d - (((d + 3) % 7) + 7) % 7;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The stored order: instant, then event id, office and direction (code unit order, as SQL's C collation). */
export function compareEvents(a: StoredEvent, b: StoredEvent): number {
  return a.at - b.at || cmp(a.eventId, b.eventId) || cmp(a.officeId, b.officeId) || cmp(a.direction ?? '', b.direction ?? '');
}

/** Encodes a week's events, which must be sorted by compareEvents and unique by event id. */
export function encodeWeek(weekDay: number, events: readonly StoredEvent[]): string {
  writeWeek(scratch, weekDay, events);
  return scratch.takeText();
}

const scratch = new CsvBytes(1 << 10);

/** Writes the text of encodeWeek as bytes (the import writes it straight into COPY). */
export function writeWeek(out: CsvBytes, weekDay: number, events: readonly StoredEvent[]): void {
  const base = weekDay * DAY_MS;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    writeEventHead(out, i === 0, e.at - base, e.direction === 'in' ? 1 : e.direction === 'out' ? 2 : 0, e.officeId);
    out.raw(e.eventId);
  }
}

/**
 * One event of a week's text up to its id, which the caller writes next (the one place that
 * knows the layout): the separator before it unless first, offsetMs, direction (1 in, 2 out,
 * 0 none), office.
 */
export function writeEventHead(out: CsvBytes, first: boolean, offsetMs: number, direction: number, officeId: string): void {
  if (!first) out.byte(0x1e);
  out.num(offsetMs).byte(0x1f);
  if (direction === 1) out.byte(105);
  else if (direction === 2) out.byte(111);
  out.byte(0x1f).raw(officeId).byte(0x1f);
}

/** Decodes a week's events (in stored order). */
export function decodeWeek(weekDay: number, data: string): StoredEvent[] {
  const out: StoredEvent[] = [];
  if (data.length === 0) return out;
  const base = weekDay * DAY_MS;
  let i = 0;
  while (i <= data.length) {
    let end = data.indexOf(EVENT_SEP, i);
    if (end < 0) end = data.length;
    const f1 = data.indexOf(FIELD_SEP, i);
    const f2 = data.indexOf(FIELD_SEP, f1 + 1);
    const f3 = data.indexOf(FIELD_SEP, f2 + 1);
    if (f1 < 0 || f3 < 0 || f3 > end) throw new Error(`corrupt badge_week data near "${data.slice(i, Math.min(end, i + 40))}"`);
    const d = data.charCodeAt(f1 + 1);
    out.push({
      at: base + Number(data.slice(i, f1)),
      direction: f2 === f1 + 1 ? null : d === 105 ? 'in' : 'out',
      officeId: data.slice(f2 + 1, f3),
      eventId: data.slice(f3 + 1, end),
    });
    i = end + 1;
  }
  return out;
}

/**
 * Merges new events into a stored week: events whose id is already stored (or
 * repeated among the new ones: the first wins) are duplicates. Returns the merged,
 * sorted list and the new events.
 */
export function mergeWeek(stored: readonly StoredEvent[], incoming: readonly StoredEvent[]): { events: StoredEvent[]; fresh: StoredEvent[] } {
  if (stored.length === 0 && incoming.length <= SMALL_WEEK) return mergeSmallFreshWeek(incoming);
  const seen = new Set<string>();
  for (const e of stored) seen.add(e.eventId);
  const fresh: StoredEvent[] = [];
  for (const e of incoming) {
    if (seen.has(e.eventId)) continue;
    seen.add(e.eventId);
    fresh.push(e);
  }
  if (fresh.length === 0) return { events: [...stored], fresh };
  return { events: [...stored, ...fresh].sort(compareEvents), fresh };
}

/** A week of at most this many new events (nearly every week) is merged without a Set. */
const SMALL_WEEK = 24;

/** mergeWeek([], incoming) for a small week: duplicates found by comparing ids pairwise, the order checked before sorting. */
function mergeSmallFreshWeek(incoming: readonly StoredEvent[]): { events: StoredEvent[]; fresh: StoredEvent[] } {
  let fresh: StoredEvent[] | null = null;
  for (let i = 1; i < incoming.length; i++) {
    const id = incoming[i]!.eventId;
    let repeated = false;
    for (let j = 0; j < i && !repeated; j++) repeated = incoming[j]!.eventId === id;
    if (repeated) fresh ??= incoming.slice(0, i);
    else fresh?.push(incoming[i]!);
  }
  const list = fresh ?? [...incoming];
  for (let i = 1; i < list.length; i++) {
    if (compareEvents(list[i - 1]!, list[i]!) > 0) {
      return { events: [...list].sort(compareEvents), fresh: list };
    }
  }
  return { events: list, fresh: list };
}

/**
 * The row of writeWeekRow for `count` events that `writeData` writes in place (writeWeek's text),
 * rewritten through csvField when it needs quoting: a comma, a quote or a line break in an id,
 * or a space at its end (csvField quotes edge spaces). `events` gives them for that rare case.
 */
export function writeBadgeWeekRow(out: CsvBytes, employeeId: string, week: number, count: number, writeData: () => void, events: () => readonly StoredEvent[]): void {
  out.text(employeeId).comma().raw(fromDayNumber(week)).comma().num(count).comma();
  const mark = out.length;
  writeData();
  if (count === 0 || out.needsQuotesSince(mark) || out.lastByte() === 0x20) {
    out.rewind(mark);
    out.raw(csvField(encodeWeek(week, events())));
  }
  out.newline();
}
