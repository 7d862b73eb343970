
import { BINARY_COPY_HEADER, BINARY_COPY_SIGNATURE_BYTES, bufferOf, lockAgainstWriters, type Db } from './db.js';
import type { BadgeEvent } from '../engine/types.js';
import { CsvBytes } from './csv-bytes.js';
import { DAY_MS, FIELD_SEP, decodeWeek, encodeWeek, mergeWeek, utcWeekOf, writeBadgeWeekRow, writeWeek, type StoredEvent } from './badge-week-codec.js';
import { keptEvents, storedEventOf, storedEventsOf, writeFreshWeekRow, type WeekGroups } from './badge-week-groups.js';

/** Days since 1970-01-01 of a date column, as SQL. */
const DAYS = (col: string) => `(${col} - DATE '1970-01-01')`;

/** The weeks of one employee to store, in file order (not yet deduplicated). */
export interface IncomingWeek {
  employeeId: string;
  /** Day number of the UTC Monday. */
  week: number;
  events: StoredEvent[];
}

/**
 * One badge_week row (employee_id, week_start, n, data) as COPY CSV bytes: the packed text of
 * encodeWeek, written in place, and written again through csvField when an id turned out to
 * need the field quoted (rare: a comma, a quote or a trailing space in an id).
 */
export function writeWeekRow(out: CsvBytes, w: IncomingWeek): void {
  const events = w.events;
  writeBadgeWeekRow(out, w.employeeId, w.week, events.length, () => writeWeek(out, w.week, events), () => events);
}

/**
 * Writes the badge events of one import into badge_week, inside the import's
 * transaction, batch after batch. Per (employee, week): a pair that cannot be
 * stored yet (its week holds no events and this import has not written it) is
 * COPied as is; the others are read back in one statement per few thousand,
 * merged (an id already stored is a duplicate: the first one wins) and upserted.
 * New events in weeks already evaluated mark their (employee, week) pairs in
 * dirty_week for `evaluate --changed`.
 */
export class BadgeWeekImport {
  /** Per week: which employees this import has written (by index). */
  private readonly written = new Map<number, Uint8Array>();

  private constructor(
    private readonly db: Db,
    private readonly employeeIndex: ReadonlyMap<string, number>,
    private readonly storedWeeks: Set<number>,
    /** Mondays (day numbers) of every week evaluated so far. */
    private readonly evaluated: ReadonlySet<number>,
  ) {}

  static async open(db: Db, employeeIndex: ReadonlyMap<string, number>): Promise<BadgeWeekImport> {
    // Locks the table against other writers until the import ends, before reading which weeks are
    // stored: a second import waits for this one, then sees its weeks (never a duplicate key).
    await lockAgainstWriters(db, 'badge_week');
    const weeks = await db.query<{ d: number }>(`SELECT ${DAYS('week_start')} AS d FROM badge_week_total WHERE events > 0`);
    const runs = await db.query<{ f: number; t: number }>(`SELECT DISTINCT ${DAYS('from_week')} AS f, ${DAYS('to_week')} AS t FROM evaluation_run`);
    const evaluated = new Set<number>();
    for (const r of runs) for (let m = Number(r.f); m <= Number(r.t); m += 7) evaluated.add(m);
    return new BadgeWeekImport(db, employeeIndex, new Set(weeks.map((r) => Number(r.d))), evaluated);
  }

  /** Stores a batch of weeks; returns how many events were new. */
  async write(batch: readonly IncomingWeek[]): Promise<number> {
    const fresh: IncomingWeek[] = [];
    const maybe: IncomingWeek[] = [];
    for (const w of batch) {
      if (this.firstWrite(this.employeeIndex.get(w.employeeId)!, w.week)) fresh.push({ employeeId: w.employeeId, week: w.week, events: mergeWeek([], w.events).events });
      else maybe.push(w);
    }
    return this.store(fresh, maybe, null);
  }

  /**
   * Stores the groups of an import's buffer; returns how many events were new. A week with
   * no stored events is written from the columns (no object per event); the others are merged.
   */
  async writeGroups(g: WeekGroups): Promise<number> {
    const fresh: number[] = [];
    const maybe: IncomingWeek[] = [];
    for (let k = 0; k < g.count; k++) {
      if (this.firstWrite(g.employee[k]!, g.week[k]!)) fresh.push(k);
      else maybe.push({ employeeId: g.employeeIds[g.employee[k]!]!, week: g.week[k]!, events: storedEventsOf(g, k) });
    }
    return this.store([], maybe, { groups: g, fresh });
  }

  /** Whether the week can hold no stored event: none stored before this import, none written by it. Marks it written. */
  private firstWrite(employee: number, week: number): boolean {
    let seen = this.written.get(week);
    if (!seen) this.written.set(week, (seen = new Uint8Array(this.employeeIndex.size)));
    const first = !this.storedWeeks.has(week) && seen[employee] !== 1;
    seen[employee] = 1;
    return first;
  }

  /**
   * Writes fresh weeks (objects, and groups from columns) with COPY, merges the others
   * with what is stored, counts the new events per week and marks late ones dirty.
   */
  private async store(fresh: IncomingWeek[], maybe: readonly IncomingWeek[], columns: { groups: WeekGroups; fresh: number[] } | null): Promise<number> {
    // Weeks to upsert (merged with what is stored), and the new events of each.
    const upserts: IncomingWeek[] = [];
    // Not push(...fresh): a batch can hold more weeks than a call can take arguments.
    const added: IncomingWeek[] = [];
    for (const w of fresh) added.push(w);
    for (let i = 0; i < maybe.length; i += 5000) {
      const part = maybe.slice(i, i + 5000);
      const rows = await this.db.query<{ employee_id: string; d: number; data: string }>(
        `SELECT b.employee_id, ${DAYS('b.week_start')} AS d, b.data FROM badge_week b
         WHERE b.employee_id = ANY($1::text[])
           AND (b.employee_id, b.week_start) IN (SELECT e, DATE '1970-01-01' + d FROM unnest($1::text[], $2::int[]) AS p(e, d))`,
        [part.map((w) => w.employeeId), part.map((w) => w.week)],
      );
      const stored = new Map(rows.map((r) => [r.employee_id + FIELD_SEP + Number(r.d), r.data]));
      for (const w of part) {
        const data = stored.get(w.employeeId + FIELD_SEP + w.week);
        if (data === undefined) {
          const week = { employeeId: w.employeeId, week: w.week, events: mergeWeek([], w.events).events };
          fresh.push(week);
          added.push(week);
          continue;
        }
        const m = mergeWeek(decodeWeek(w.week, data), w.events);
        if (m.fresh.length === 0) continue;
        upserts.push({ employeeId: w.employeeId, week: w.week, events: m.events });
        added.push({ employeeId: w.employeeId, week: w.week, events: m.fresh });
      }
    }
    // New events: those of `added`, and those of the fresh groups, counted as they are written.
    let total = 0;
    const perWeek = new Map<number, number>();
    const count = (week: number, n: number) => {
      total += n;
      perWeek.set(week, (perWeek.get(week) ?? 0) + n);
    };
    // Late events need their instants (markDirty): an import into evaluated weeks is small.
    const dirty: IncomingWeek[] = [];
    const late = this.evaluated.size > 0;
    const lines = function* (list: readonly IncomingWeek[], groups: typeof columns): Generator<Uint8Array> {
      const out = new CsvBytes(1 << 17);
      for (const w of list) {
        writeWeekRow(out, w);
        if (out.length >= 1 << 16) yield out.take();
      }
      if (groups) {
        const { groups: g } = groups;
        const kept: number[] = [];
        for (const k of groups.fresh) {
          keptEvents(g, k, kept);
          writeFreshWeekRow(out, g, k, kept);
          count(g.week[k]!, kept.length);
          if (late) dirty.push({ employeeId: g.employeeIds[g.employee[k]!]!, week: g.week[k]!, events: kept.map((i) => storedEventOf(g, i)) });
          if (out.length >= 1 << 16) yield out.take();
        }
      }
      if (out.length > 0) yield out.take();
    };
    if (fresh.length > 0 || (columns !== null && columns.fresh.length > 0)) {
      await this.db.copyFrom('badge_week', ['employee_id', 'week_start', 'n', 'data'], lines(fresh, columns));
    }
    if (upserts.length > 0) {
      await this.db.exec(`CREATE TEMP TABLE IF NOT EXISTS badge_week_stage (employee_id text, week_start date, n integer, data text)`);
      await this.db.copyFrom('badge_week_stage', ['employee_id', 'week_start', 'n', 'data'], lines(upserts, null));
      await this.db.run(
        `INSERT INTO badge_week (employee_id, week_start, n, data) SELECT employee_id, week_start, n, data FROM badge_week_stage
         ON CONFLICT (employee_id, week_start) DO UPDATE SET n = excluded.n, data = excluded.data`,
      );
      await this.db.exec('TRUNCATE badge_week_stage');
    }
    for (const a of added) {
      count(a.week, a.events.length);
      dirty.push(a);
    }
    if (perWeek.size > 0) {
      await this.db.query(
        `INSERT INTO badge_week_total (week_start, events) SELECT DATE '1970-01-01' + d, n FROM unnest($1::int[], $2::int8[]) AS t(d, n)
         ON CONFLICT (week_start) DO UPDATE SET events = badge_week_total.events + excluded.events`,
        [[...perWeek.keys()], [...perWeek.values()]],
      );
    }
    await this.markDirty(dirty);
    return total;
  }

  /**
   * Late events: marks the (employee, week) pairs of new events whose weeks were
   * already evaluated, for `evaluate --changed`. An event can fall on the local
   * date before or after its UTC date, so both neighbouring weeks are marked.
   */
  private async markDirty(added: readonly IncomingWeek[]): Promise<void> {
    if (this.evaluated.size === 0) return;
    const ids: string[] = [];
    const weeks: number[] = [];
    const seen = new Set<string>();
    for (const a of added) {
      for (const e of a.events) {
        const day = Math.floor(e.at / DAY_MS);
        for (const w of [utcWeekOf((day - 1) * DAY_MS), utcWeekOf((day + 1) * DAY_MS)]) {
          if (!this.evaluated.has(w)) continue;
          const key = a.employeeId + FIELD_SEP + w;
          if (seen.has(key)) continue;
          seen.add(key);
          ids.push(a.employeeId);
          weeks.push(w);
        }
      }
    }
    for (let i = 0; i < ids.length; i += 10_000) {
      await this.db.query(
        `INSERT INTO dirty_week (employee_id, week_start) SELECT e, DATE '1970-01-01' + d FROM unnest($1::text[], $2::int[]) AS t(e, d) ON CONFLICT DO NOTHING`,
        [ids.slice(i, i + 10_000), weeks.slice(i, i + 10_000)],
      );
    }
  }
}

/**
 * Stores badge events (deduplicated like an import), in one transaction; returns how many
 * were new. For small sets of events (tests, tools); files go through `hubday import badges`.
 */
export async function insertBadgeEvents(db: Db, events: ReadonlyArray<StoredEvent & { employeeId: string }>): Promise<number> {
  // The packed text separates fields with control characters: ids must not hold any (the import refuses them too).
  for (const e of events) {
    if (/[\u0000-\u001f]/.test(e.eventId + e.officeId + e.employeeId)) throw new Error(`badge event ${JSON.stringify(e.eventId)}: ids may not contain control characters`);
  }
  const index = new Map<string, number>();
  const weeks = new Map<string, IncomingWeek>();
  for (const e of events) {
    if (!index.has(e.employeeId)) index.set(e.employeeId, index.size);
    const week = utcWeekOf(e.at);
    const key = e.employeeId + FIELD_SEP + week;
    let w = weeks.get(key);
    if (!w) weeks.set(key, (w = { employeeId: e.employeeId, week, events: [] }));
    w.events.push({ eventId: e.eventId, officeId: e.officeId, at: e.at, direction: e.direction });
  }
  return db.transaction(async (tx) => (await BadgeWeekImport.open(tx, index)).write([...weeks.values()]));
}

/**
 * Removes some of an employee's stored events (a retention purge, a correction);
 * returns how many were removed. The weeks already evaluated are not re-marked.
 */
export async function deleteBadgeEvents(db: Db, employeeId: string, eventIds: readonly string[]): Promise<number> {
  const drop = new Set(eventIds);
  return db.transaction(async (tx) => {
    const rows = await tx.query<{ d: number; data: string }>(`SELECT ${DAYS('week_start')} AS d, data FROM badge_week WHERE employee_id = $1`, [employeeId]);
    let removed = 0;
    for (const r of rows) {
      const week = Number(r.d);
      const events = decodeWeek(week, r.data);
      const kept = events.filter((e) => !drop.has(e.eventId));
      if (kept.length === events.length) continue;
      removed += events.length - kept.length;
      if (kept.length === 0) await tx.query(`DELETE FROM badge_week WHERE employee_id = $1 AND week_start = DATE '1970-01-01' + $2::int`, [employeeId, week]);
      else await tx.query(`UPDATE badge_week SET n = $3, data = $4 WHERE employee_id = $1 AND week_start = DATE '1970-01-01' + $2::int`, [employeeId, week, kept.length, encodeWeek(week, kept)]);
      await tx.query(`UPDATE badge_week_total SET events = events - $2 WHERE week_start = DATE '1970-01-01' + $1::int`, [week, events.length - kept.length]);
    }
    return removed;
  });
}

/** Decoded events of some employees' weeks, by employee, in time order. */
function collectEvents(rows: ReadonlyArray<{ employee_id: string; d: number; data: string }>, fromMs: (id: string) => number, toMs: (id: string) => number): Map<string, BadgeEvent[]> {
  const out = new Map<string, BadgeEvent[]>();
  for (const r of rows) {
    const lo = fromMs(r.employee_id);
    const hi = toMs(r.employee_id);
    let list = out.get(r.employee_id);
    if (!list) out.set(r.employee_id, (list = []));
    for (const e of decodeWeek(Number(r.d), r.data)) if (e.at >= lo && e.at < hi) list.push(e);
  }
  for (const list of out.values()) list.sort((a, b) => a.at - b.at);
  return out;
}

/**
 * Events of several employees, each in its own window [from, to) (epoch ms),
 * one statement per few thousand employees.
 */
export async function eventsInWindows(db: Db, windows: ReadonlyMap<string, { fromMs: number; toMs: number }>): Promise<Map<string, BadgeEvent[]>> {
  const out = new Map<string, BadgeEvent[]>();
  const all = [...windows];
  for (let i = 0; i < all.length; i += 5000) {
    const part = all.slice(i, i + 5000);
    const rows = await db.query<{ employee_id: string; d: number; data: string }>(
      `SELECT b.employee_id, ${DAYS('b.week_start')} AS d, b.data
       FROM (SELECT unnest($1::text[]) AS employee_id, unnest($2::int[]) AS lo, unnest($3::int[]) AS hi) w
       JOIN badge_week b ON b.employee_id = w.employee_id
       WHERE b.employee_id = ANY($1::text[]) -- lets the planner use the primary key, whatever it guesses of the join
         AND b.week_start BETWEEN DATE '1970-01-01' + w.lo AND DATE '1970-01-01' + w.hi`,
      [part.map(([id]) => id), part.map(([, w]) => utcWeekOf(w.fromMs)), part.map(([, w]) => utcWeekOf(w.toMs))],
    );
    const win = new Map(part);
    for (const [id, list] of collectEvents(rows, (id) => win.get(id)!.fromMs, (id) => win.get(id)!.toMs)) out.set(id, list);
  }
  return out;
}

/** Events of several employees in [from, to) (epoch ms), one statement per few thousand employees. */
export function eventsOfEmployees(db: Db, ids: readonly string[], fromMs: number, toMs: number): Promise<Map<string, BadgeEvent[]>> {
  return eventsInWindows(db, new Map(ids.map((id) => [id, { fromMs, toMs }])));
}

/** SQL: the stored weeks (badge_week, badge_week_total) that can hold instants of [from, to). */
function weeksOf(fromMs: number, toMs: number): string {
  return `week_start BETWEEN DATE '1970-01-01' + ${utcWeekOf(fromMs)} AND DATE '1970-01-01' + ${utcWeekOf(toMs)}`;
}

/**
 * The one statement that reads every stored week overlapping [from, to), as binary COPY tuples
 * (employee_id text, weekDayNumber int4, data text): what EventColumnsReader reads. Binary: the
 * server copies the text as it is, where CSV output looks at every byte for what to quote (about a
 * second of the server's time at large).
 */
export function eventsReadSql(fromMs: number, toMs: number): string {
  // In key order (the primary key's index): each employee's events come together and in time
  // order, so that evaluate need not group them (groupByEmployee finds them grouped).
  return `SELECT employee_id, ${DAYS('week_start')}, data FROM badge_week WHERE ${weeksOf(fromMs, toMs)} ORDER BY employee_id, week_start`;
}

/** A binary COPY's signature, and its header's length up to the header extension (flags, extension length). */
const COPY_SIGNATURE = Buffer.from(BINARY_COPY_HEADER.subarray(0, BINARY_COPY_SIGNATURE_BYTES));
const COPY_HEADER_BYTES = COPY_SIGNATURE.length + 8;

/** Events of a window in columns (typed arrays, off the JS heap): employee and office as indexes. */
export interface EventColumns {
  count: number;
  emp: Int32Array;
  office: Int16Array;
  at: Float64Array;
  /** 1 = in, 2 = out, 0 = unknown. */
  dir: Int8Array;
}

/**
 * Reads every event of [from, to) with one COPY statement into typed arrays
 * (the stored weeks are decoded on the fly).
 * Events of employees or offices not in the indexes are skipped.
 */
export async function readEventColumns(
  db: Db,
  fromMs: number,
  toMs: number,
  employeeIndex: ReadonlyMap<string, number>,
  officeIndex: ReadonlyMap<string, number>,
): Promise<EventColumns> {
  const reader = new EventColumnsReader(await eventCapacity(db, fromMs, toMs), employeeIndex.size, fromMs, toMs, employeeIndex, officeIndex);
  for await (const bytes of db.copyToBytes(eventsReadSql(fromMs, toMs), 'binary')) reader.take(bytes);
  reader.finish();
  return reader.columns();
}

/** The weeks' event counts, which bound the window's: EventColumnsReader's capacity. */
export async function eventCapacity(db: Db, fromMs: number, toMs: number): Promise<number> {
  const total = await db.query<{ n: number | null }>(`SELECT sum(events)::int8 AS n FROM badge_week_total WHERE ${weeksOf(fromMs, toMs)}`);
  return Number(total[0]?.n ?? 0);
}

/**
 * Fills event columns from the bytes of eventsReadSql's COPY, chunk by chunk, and notes as it goes
 * which employees are complete, so that evaluation can compute them while the rest is still
 * being read: the read is in key order, so when a line of employee k arrives every employee
 * before k is complete (`ready`), and employee j's events are [start[j], start[j + 1]).
 * Employee indexes are those of `employeeIndex` (0 … employees - 1, in the read's order).
 *
 * Event numbers (`count`, `start`) count every event read; the columns hold those from `offset`
 * on (event i at position i - offset). A reader that computes as it reads can `compact` the
 * employees it is done with away, so that a small set of columns serves the whole read: fresh
 * memory costs a page fault per 4 KiB when first written, which at large (330 MB of columns,
 * on a virtual machine) cost more than the decoding.
 */
export class EventColumnsReader {
  /** Events read (all of them, including those compacted away). */
  count = 0;
  /** The number of the event at position 0 of the columns. */
  offset = 0;
  emp: Int32Array;
  office: Int16Array;
  at: Float64Array;
  dir: Int8Array;
  /** start[j]: employee j's first event; set for j ≤ the employee being read (all, once finished). */
  readonly start: Int32Array;
  /** Employees [0, ready) are complete: no event of theirs is still to come. */
  ready = 0;
  finished = false;
  /** A line's employee came before an earlier line's: the read is not grouped, `ready` stopped. */
  unordered = false;
  /** Employees whose events came out of time order (rare): sortGroup before using them. */
  readonly unsorted: number[] = [];
  private cap: number;
  private last = -1;
  /** The piece of output begun in the chunks before (a copy). */
  private rest: Buffer | null = null;
  private headerRead = false;
  /** The trailer was read. */
  private ended = false;
  // One stored week per tuple: employee_id, weekDayNumber, data, read from the bytes in place: no
  // id becomes a string unless it changes from the tuple before (an employee's weeks come
  // together; most events of a week share an office).
  private readonly empSeen = new Uint8Array(256);
  private empLen = -1;
  private empIndex: number | undefined;
  private readonly officeSeen = new Uint8Array(256);
  private officeLen = -1;
  private officeIdx: number | undefined;

  constructor(
    capacity: number,
    private readonly employees: number,
    private readonly fromMs: number,
    private readonly toMs: number,
    private readonly employeeIndex: ReadonlyMap<string, number>,
    private readonly officeIndex: ReadonlyMap<string, number>,
  ) {
    // Sized once from the weeks' counts: never grown in the usual case.
    this.cap = Math.max(1 << 10, capacity);
    this.emp = new Int32Array(this.cap);
    this.office = new Int16Array(this.cap);
    this.at = new Float64Array(this.cap);
    this.dir = new Int8Array(this.cap);
    this.start = new Int32Array(employees + 1);
  }

  /** The columns (the events from `offset` on: of a reader never compacted, all of them). */
  columns(): EventColumns {
    return { count: this.count - this.offset, emp: this.emp, office: this.office, at: this.at, dir: this.dir };
  }

  /** Free positions in the columns before they must grow. */
  room(): number {
    return this.cap - (this.count - this.offset);
  }

  /**
   * Drops the events of employees before `from` (all complete: from ≤ ready), moving the rest to
   * the front of the columns. Views of the columns taken before are invalid afterwards.
   */
  compact(from: number): void {
    const drop = this.start[Math.min(from, this.ready)]! - this.offset;
    if (drop <= 0) return;
    const live = this.count - this.offset;
    this.emp.copyWithin(0, drop, live);
    this.office.copyWithin(0, drop, live);
    this.at.copyWithin(0, drop, live);
    this.dir.copyWithin(0, drop, live);
    this.offset += drop;
  }

  /** Reads one chunk of the binary COPY's output (tuples may be cut anywhere). */
  take(bytes: Uint8Array): void {
    const chunk = bufferOf(bytes);
    let at = 0;
    if (this.rest !== null) {
      // The tuple begun in the chunks before: completed with just the bytes it lacks.
      for (;;) {
        const r = this.rest;
        const end = this.tupleEnd(r, 0);
        if (end >= 0) break;
        const more = Math.min(-end, chunk.length - at);
        this.rest = Buffer.concat([r, chunk.subarray(at, at + more)]);
        at += more;
        if (at === chunk.length && this.tupleEnd(this.rest, 0) < 0) return;
      }
      const r = this.rest;
      this.rest = null;
      if (this.tuple(r, 0) !== r.length) throw new Error('binary COPY output: a tuple does not end where its lengths say');
    }
    while (at < chunk.length) {
      const next = this.tuple(chunk, at);
      if (next < 0) {
        // Cut: keep the tuple's bytes (the chunk's memory is not ours to hold).
        this.rest = Buffer.from(chunk.subarray(at));
        return;
      }
      at = next;
    }
  }

  /** After the last chunk: every employee is complete. */
  finish(): void {
    if (this.rest !== null) throw new Error('binary COPY output: it ends inside a tuple');
    if (!this.ended) throw new Error('binary COPY output: it ends without its trailer');
    for (let k = this.last + 1; k <= this.employees; k++) this.start[k] = this.count;
    if (!this.unordered) this.ready = this.employees;
    this.finished = true;
  }

  /** Puts employee k's events (complete) in time order, keeping the read's order among equal instants. */
  sortGroup(k: number): void {
    const a = this.start[k]! - this.offset;
    const b = this.start[k + 1]! - this.offset;
    const idx = Array.from({ length: b - a }, (_, j) => a + j).sort((x, y) => this.at[x]! - this.at[y]! || x - y);
    const office = idx.map((i) => this.office[i]!);
    const at = idx.map((i) => this.at[i]!);
    const dir = idx.map((i) => this.dir[i]!);
    this.office.set(office, a);
    this.at.set(at, a);
    this.dir.set(dir, a);
  }

  private push(e: number, o: number, ms: number, d: number): void {
    const c = this.count;
    // The position: the employee being read is never compacted away, so its last event is at n - 1.
    const n = c - this.offset;
    if (e !== this.last) {
      if (e < this.last) this.unordered = true;
      else {
        for (let k = this.last + 1; k <= e; k++) this.start[k] = c;
        this.last = e;
        if (!this.unordered) this.ready = e;
      }
    } else if (this.at[n - 1]! > ms && this.unsorted[this.unsorted.length - 1] !== e) this.unsorted.push(e);
    if (n === this.cap) this.grow();
    this.emp[n] = e;
    this.office[n] = o;
    this.at[n] = ms;
    this.dir[n] = d;
    this.count = c + 1;
  }

  private grow(): void {
    // New arrays: views of the old ones (a batch being computed) keep their events.
    this.cap *= 2;
    const e2 = new Int32Array(this.cap); e2.set(this.emp); this.emp = e2;
    const o2 = new Int16Array(this.cap); o2.set(this.office); this.office = o2;
    const a2 = new Float64Array(this.cap); a2.set(this.at); this.at = a2;
    const d2 = new Int8Array(this.cap); d2.set(this.dir); this.dir = d2;
  }

  /**
   * Where the piece of output at b[i] ends (the header, a tuple, or the trailer), or, when b ends
   * before it does, minus the number of bytes it needs at least to tell more.
   */
  private tupleEnd(b: Buffer, i: number): number {
    const end = b.length;
    if (!this.headerRead) {
      // Refused as soon as it shows: not binary COPY output (a read asked for in CSV, say).
      const n = Math.min(end - i, COPY_SIGNATURE.length);
      if (!b.subarray(i, i + n).equals(COPY_SIGNATURE.subarray(0, n))) throw new Error('binary COPY output: no PGCOPY signature (was the read asked for in the binary format?)');
      if (end - i < COPY_HEADER_BYTES) return -(COPY_HEADER_BYTES - (end - i));
      const at = i + COPY_HEADER_BYTES + b.readInt32BE(i + COPY_HEADER_BYTES - 4);
      return at <= end ? at : -(at - end);
    }
    if (end - i < 2) return -(2 - (end - i));
    const fields = b.readInt16BE(i);
    let p = i + 2;
    if (fields < 0) return p;
    for (let f = 0; f < fields; f++) {
      if (end - p < 4) return -(4 - (end - p));
      const n = b.readInt32BE(p);
      p += 4 + Math.max(0, n);
      if (p > end) return -(p - end);
    }
    return p;
  }

  /** Reads the piece of output at b[i]; returns where the next one starts, or -1 when b ends before this one does. */
  private tuple(b: Buffer, i: number): number {
    const next = this.tupleEnd(b, i);
    if (next < 0) return -1;
    if (!this.headerRead) {
      this.headerRead = true;
      return next;
    }
    const fields = b.readInt16BE(i);
    if (fields < 0) {
      this.ended = true;
      return next;
    }
    if (this.ended) throw new Error('binary COPY output: a tuple after the trailer');
    if (fields !== 3) throw new Error(`binary COPY output: a tuple of ${fields} fields (expected employee_id, week, data)`);
    const idLen = b.readInt32BE(i + 2);
    const s = i + 6;
    const c1 = s + idLen;
    if (idLen < 0 || b.readInt32BE(c1) !== 4) throw new Error('binary COPY output: a week without its employee or day');
    const day = b.readInt32BE(c1 + 4);
    const dataLen = b.readInt32BE(c1 + 8);
    if (dataLen > 0) this.takeWeek(b, s, c1, day, c1 + 12, c1 + 12 + dataLen);
    return next;
  }

  /** The events of one stored week: employee id b[s, c1), the week's day number, data b[i, e). */
  private takeWeek(b: Buffer, s: number, c1: number, day: number, i: number, e: number): void {
    if (!same(b, s, c1, this.empSeen, this.empLen)) {
      this.empIndex = this.employeeIndex.get(b.toString('utf8', s, c1));
      this.empLen = remember(b, s, c1, this.empSeen);
    }
    const e0 = this.empIndex;
    if (e0 === undefined) return;
    const { fromMs, toMs } = this;
    const base = day * DAY_MS;
    while (i < e) {
      // offsetMs 0x1f direction 0x1f officeId 0x1f eventId, events separated by 0x1e.
      const negative = b[i] === 45;
      if (negative) i++;
      let offset = 0;
      while (i < e && b[i] !== 0x1f) offset = offset * 10 + (b[i++]! - 48);
      const d = b[i + 1]!;
      const f2 = d === 0x1f ? i + 1 : i + 2;
      let f3 = f2 + 1;
      while (f3 < e && b[f3] !== 0x1f) f3++;
      let end = f3 + 1;
      while (end < e && b[end] !== 0x1e) end++;
      const ms = base + (negative ? -offset : offset);
      if (ms >= fromMs && ms < toMs) {
        if (!same(b, f2 + 1, f3, this.officeSeen, this.officeLen)) {
          this.officeIdx = this.officeIndex.get(b.toString('utf8', f2 + 1, f3));
          this.officeLen = remember(b, f2 + 1, f3, this.officeSeen);
        }
        if (this.officeIdx !== undefined) this.push(e0, this.officeIdx, ms, d === 105 ? 1 : d === 111 ? 2 : 0);
      }
      i = end + 1;
    }
  }
}

/** Whether bytes [from, to) of b are the `len` bytes remembered in `seen`. */
function same(b: Uint8Array, from: number, to: number, seen: Uint8Array, len: number): boolean {
  if (to - from !== len) return false;
  for (let k = 0; k < len; k++) if (b[from + k] !== seen[k]) return false;
  return true;
}

/** Remembers bytes [from, to) of b in `seen`; their length, or -1 when too long to remember. */
function remember(b: Uint8Array, from: number, to: number, seen: Uint8Array): number {
  if (to - from > seen.length) return -1;
  seen.set(b.subarray(from, to));
  return to - from;
}

/**
 * Groups event indexes by employee (counting sort), each group in time order.
 * Returns `order` (event indexes) and `start` (group offsets, length employees + 1). `order` is
 * null when the events are grouped and in time order already (the read is in key order, and the
 * employees are in the same order): event j is then the j-th of the columns, and nothing is moved.
 */
export function groupByEmployee(cols: EventColumns, employees: number): { order: Int32Array | null; start: Int32Array } {
  const start = new Int32Array(employees + 1);
  const emp = cols.emp;
  const at = cols.at;
  let grouped = true;
  for (let i = 0; i < cols.count; i++) {
    const e = emp[i]!;
    start[e + 1]!++;
    if (i > 0 && grouped) {
      const p = emp[i - 1]!;
      if (p > e || (p === e && at[i - 1]! > at[i]!)) grouped = false;
    }
  }
  for (let k = 0; k < employees; k++) start[k + 1]! += start[k]!;
  if (grouped) return { order: null, start };
  const fill = start.slice(0, employees);
  const order = new Int32Array(cols.count);
  for (let i = 0; i < cols.count; i++) order[fill[emp[i]!]!++] = i;
  for (let k = 0; k < employees; k++) {
    const a = start[k]!;
    const b = start[k + 1]!;
    if (b - a < 2) continue;
    // Weeks are usually stored in time order, so the group is often sorted already.
    let sorted = true;
    for (let j = a + 1; j < b; j++) {
      const p = at[order[j - 1]!]!;
      const q = at[order[j]!]!;
      if (p > q || (p === q && order[j - 1]! > order[j]!)) {
        sorted = false;
        break;
      }
    }
    if (!sorted) order.subarray(a, b).sort((x, y) => at[x]! - at[y]! || x - y);
  }
  return { order, start };
}
