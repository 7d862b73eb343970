/**
 * Badge events grouped by (employee, UTC week) in columns, the form in which an import hands
 * them to the store: typed arrays and the texts of the event ids (ranges into them), so that
 * millions of events never become millions of objects. A week that holds no stored events is
 * written from the columns straight into its badge_week row (writeFreshWeekRow); the rare
 * others become StoredEvent lists and go through mergeWeek. Pure.
 */
import type { CsvBytes } from './csv-bytes.js';
import { DAY_MS, writeBadgeWeekRow, writeEventHead, type StoredEvent } from './badge-week-codec.js';

export interface WeekGroups {
  /** Groups: one employee's events in one UTC week. */
  count: number;
  /** Per group: the employee (index into employeeIds). */
  employee: Int32Array;
  /** Per group: the day number of its UTC Monday. */
  week: Int32Array;
  /** Group g holds the events [start[g], start[g + 1]), in file order (length count + 1). */
  start: Int32Array;
  /** Per event: its office (index into officeIds). */
  office: Int32Array;
  /** Per event: epoch milliseconds. */
  at: Float64Array;
  /** Per event: 0 no direction, 1 in, 2 out. */
  dir: Uint8Array;
  /** Per event: its id is texts[text[i]].slice(idFrom[i], idTo[i]). */
  text: Int32Array;
  idFrom: Int32Array;
  idTo: Int32Array;
  texts: readonly string[];
  employeeIds: readonly string[];
  officeIds: readonly string[];
}

const DIRECTIONS = [null, 'in', 'out'] as const;

export function eventIdOf(g: WeekGroups, i: number): string {
  return g.texts[g.text[i]!]!.slice(g.idFrom[i]!, g.idTo[i]!);
}

export function storedEventOf(g: WeekGroups, i: number): StoredEvent {
  return { eventId: eventIdOf(g, i), officeId: g.officeIds[g.office[i]!]!, at: g.at[i]!, direction: DIRECTIONS[g.dir[i]!]! };
}

/** The events of group k as objects, in file order (for merging with stored weeks). */
export function storedEventsOf(g: WeekGroups, k: number): StoredEvent[] {
  const out: StoredEvent[] = [];
  for (let i = g.start[k]!; i < g.start[k + 1]!; i++) out.push(storedEventOf(g, i));
  return out;
}

/** Whether events i and j have the same id (compared in place). */
function sameId(g: WeekGroups, i: number, j: number): boolean {
  const n = g.idTo[i]! - g.idFrom[i]!;
  if (g.idTo[j]! - g.idFrom[j]! !== n) return false;
  const a = g.texts[g.text[i]!]!;
  const b = g.texts[g.text[j]!]!;
  const ai = g.idFrom[i]!;
  const bj = g.idFrom[j]!;
  for (let k = 0; k < n; k++) if (a.charCodeAt(ai + k) !== b.charCodeAt(bj + k)) return false;
  return true;
}

/** The ids of events i and j in code unit order (SQL's C collation), compared in place. */
function compareIds(g: WeekGroups, i: number, j: number): number {
  const a = g.texts[g.text[i]!]!;
  const b = g.texts[g.text[j]!]!;
  const ai = g.idFrom[i]!;
  const bj = g.idFrom[j]!;
  const an = g.idTo[i]! - ai;
  const bn = g.idTo[j]! - bj;
  for (let k = 0; k < an && k < bn; k++) {
    const d = a.charCodeAt(ai + k) - b.charCodeAt(bj + k);
    if (d !== 0) return d;
  }
  return an - bn;
}

/** compareEvents (the stored order: instant, event id, office, direction) on columns. */
function compareAt(g: WeekGroups, i: number, j: number): number {
  const d = g.at[i]! - g.at[j]!;
  if (d !== 0) return d;
  const c = compareIds(g, i, j);
  if (c !== 0) return c;
  const oi = g.officeIds[g.office[i]!]!;
  const oj = g.officeIds[g.office[j]!]!;
  if (oi !== oj) return oi < oj ? -1 : 1;
  return g.dir[i]! - g.dir[j]!; // '' < 'in' < 'out'
}

/** A group of at most this many events (nearly every one) finds repeated ids pairwise. */
const SMALL_GROUP = 24;

/**
 * The events of group k that a fresh week keeps, in the stored order: the first of each
 * event id in file order (mergeWeek([], events) on columns). Fills `kept`.
 */
export function keptEvents(g: WeekGroups, k: number, kept: number[]): void {
  kept.length = 0;
  const a = g.start[k]!;
  const b = g.start[k + 1]!;
  if (b - a <= SMALL_GROUP) {
    for (let i = a; i < b; i++) {
      let repeated = false;
      for (let j = 0; j < kept.length && !repeated; j++) repeated = sameId(g, kept[j]!, i);
      if (!repeated) kept.push(i);
    }
  } else {
    const seen = new Set<string>();
    for (let i = a; i < b; i++) {
      const id = eventIdOf(g, i);
      if (seen.has(id)) continue;
      seen.add(id);
      kept.push(i);
    }
  }
  for (let i = 1; i < kept.length; i++) {
    if (compareAt(g, kept[i - 1]!, kept[i]!) > 0) {
      kept.sort((x, y) => compareAt(g, x, y));
      break;
    }
  }
}

/**
 * Writes group k, a week with no stored events, as one badge_week COPY CSV row (what
 * writeWeekRow writes of mergeWeek([], events)), with the events listed in `kept` (keptEvents).
 */
export function writeFreshWeekRow(out: CsvBytes, g: WeekGroups, k: number, kept: readonly number[]): void {
  const week = g.week[k]!;
  const base = week * DAY_MS;
  writeBadgeWeekRow(out, g.employeeIds[g.employee[k]!]!, week, kept.length, () => {
    for (let n = 0; n < kept.length; n++) {
      const i = kept[n]!;
      writeEventHead(out, n === 0, g.at[i]! - base, g.dir[i]!, g.officeIds[g.office[i]!]!);
      out.rawRange(g.texts[g.text[i]!]!, g.idFrom[i]!, g.idTo[i]!);
    }
  }, () => kept.map((i) => storedEventOf(g, i)));
}
