import type { Db } from './db.js';
import type { BadgeEvent, Direction } from '../engine/types.js';

/** Creates the per-import staging table (dropped at commit). Call inside a transaction. */
export async function createBadgeStage(db: Db): Promise<void> {
  await db.exec(`CREATE TEMP TABLE badge_stage (
    employee_id text NOT NULL, event_id text NOT NULL, office_id text NOT NULL, at_ms int8 NOT NULL, direction text
  ) ON COMMIT DROP`);
}

/** Instants are staged as epoch milliseconds: cheaper to write and to parse than timestamp text. */
export const BADGE_STAGE_COLUMNS = ['employee_id', 'event_id', 'office_id', 'at_ms', 'direction'] as const;

/**
 * Moves a staged batch into badge_event, skipping ids already stored (and
 * repeats inside the file), and empties the stage. Returns how many were new.
 */
export async function mergeBadgeStage(db: Db, importId: number, staged: { fromMs: number; toMs: number }): Promise<number> {
  const res = await db.run(
    `INSERT INTO badge_event (employee_id, event_id, office_id, at, direction, import_id)
     SELECT employee_id, event_id, office_id, to_timestamp(at_ms / 1000.0), direction, $1 FROM badge_stage
     ON CONFLICT (employee_id, event_id) DO NOTHING`,
    [importId],
  );
  if (res.rowCount > 0) await markDirtyWeeks(db, staged.fromMs, staged.toMs);
  await db.exec('TRUNCATE badge_stage');
  return res.rowCount;
}

/**
 * Late events: marks the (employee, week) pairs of staged events whose weeks were
 * already evaluated, for `evaluate --changed`. An event can fall on the local
 * date before or after its UTC date, so both neighbouring weeks are marked.
 * Skipped at once when no evaluation overlaps the staged time range (a first import).
 */
async function markDirtyWeeks(db: Db, fromMs: number, toMs: number): Promise<void> {
  const overlap = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM evaluation_run
     WHERE from_week <= (to_timestamp($2::float8 / 1000) AT TIME ZONE 'UTC')::date + 1
       AND to_week + 6 >= (to_timestamp($1::float8 / 1000) AT TIME ZONE 'UTC')::date - 1`,
    [fromMs, toMs],
  );
  if (Number(overlap[0]!.n) === 0) return;
  await db.query(
    `INSERT INTO dirty_week (employee_id, week_start)
     SELECT DISTINCT s.employee_id, v.week_start
     FROM badge_stage s,
          LATERAL (VALUES (date_trunc('week', (to_timestamp(s.at_ms / 1000.0) AT TIME ZONE 'UTC') - interval '1 day')::date),
                          (date_trunc('week', (to_timestamp(s.at_ms / 1000.0) AT TIME ZONE 'UTC') + interval '1 day')::date)) AS v(week_start)
     WHERE EXISTS (SELECT 1 FROM evaluation_run r WHERE v.week_start BETWEEN r.from_week AND r.to_week)
     ON CONFLICT DO NOTHING`,
  );
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
    const rows = await db.query<{ employee_id: string; event_id: string; office_id: string; at_ms: number; direction: Direction }>(
      `SELECT b.employee_id, b.event_id, b.office_id, (extract(epoch FROM b.at) * 1000)::float8 AS at_ms, b.direction
       FROM (SELECT unnest($1::text[]) AS employee_id, unnest($2::float8[]) AS lo, unnest($3::float8[]) AS hi) w
       JOIN badge_event b ON b.employee_id = w.employee_id
       WHERE b.employee_id = ANY($1::text[]) -- lets the planner use the primary key, whatever it guesses of the join
         AND b.at >= to_timestamp(w.lo / 1000) AND b.at < to_timestamp(w.hi / 1000)`,
      [part.map(([id]) => id), part.map(([, w]) => w.fromMs), part.map(([, w]) => w.toMs)],
    );
    for (const r of rows) {
      let list = out.get(r.employee_id);
      if (!list) out.set(r.employee_id, (list = []));
      list.push({ eventId: r.event_id, officeId: r.office_id, at: Number(r.at_ms), direction: r.direction });
    }
  }
  return out;
}

/** Events of several employees in [from, to) (epoch ms), one statement per few thousand employees. */
export async function eventsOfEmployees(db: Db, ids: readonly string[], fromMs: number, toMs: number): Promise<Map<string, BadgeEvent[]>> {
  const out = new Map<string, BadgeEvent[]>();
  for (let i = 0; i < ids.length; i += 5000) {
    const rows = await db.query<{ employee_id: string; event_id: string; office_id: string; at_ms: number; direction: Direction }>(
      `SELECT employee_id, event_id, office_id, (extract(epoch FROM at) * 1000)::float8 AS at_ms, direction
       FROM badge_event WHERE employee_id = ANY($1::text[]) AND at >= to_timestamp($2::float8 / 1000) AND at < to_timestamp($3::float8 / 1000)`,
      [ids.slice(i, i + 5000), fromMs, toMs],
    );
    for (const r of rows) {
      let list = out.get(r.employee_id);
      if (!list) out.set(r.employee_id, (list = []));
      list.push({ eventId: r.event_id, officeId: r.office_id, at: Number(r.at_ms), direction: r.direction });
    }
  }
  return out;
}

/**
 * Streams every event in [from, to) as compact CSV lines
 * `employee_id,office_id,epoch_ms,direction` (set-based: one statement).
 */
export function streamEventsInWindow(db: Db, fromMs: number, toMs: number): AsyncIterable<string> {
  return db.copyTo(
    `SELECT employee_id, office_id, (extract(epoch FROM at) * 1000)::int8, direction FROM badge_event
     WHERE at >= to_timestamp(${Number(fromMs)}::float8 / 1000) AND at < to_timestamp(${Number(toMs)}::float8 / 1000)`,
  );
}

/** Events of a window in columns (typed arrays, off the JS heap): employee and office as indexes. */
export interface EventColumns {
  count: number;
  emp: Int32Array;
  office: Int16Array;
  at: Float64Array;
  /** 1 = in, 2 = out, 0 = unknown. */
  dir: Int8Array;
}

function unquote(field: string): string {
  return field.length >= 2 && field.charCodeAt(0) === 34 ? field.slice(1, -1).replace(/""/g, '"') : field;
}

/** Splits one COPY CSV line of simple fields (ids never hold newlines; quotes are rare). */
function splitLine(line: string): string[] {
  if (line.indexOf('"') < 0) return line.split(',');
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line.charCodeAt(i) === 34) {
      let j = i + 1;
      for (;;) {
        j = line.indexOf('"', j);
        if (j < 0 || line.charCodeAt(j + 1) !== 34) break;
        j += 2;
      }
      out.push(unquote(line.slice(i, j + 1)));
      i = j + 2;
    } else {
      const j = line.indexOf(',', i);
      const end = j < 0 ? line.length : j;
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
}

/**
 * Reads every event of [from, to) with one COPY statement into typed arrays.
 * Events of employees or offices not in the indexes are skipped.
 */
export async function readEventColumns(
  db: Db,
  fromMs: number,
  toMs: number,
  employeeIndex: ReadonlyMap<string, number>,
  officeIndex: ReadonlyMap<string, number>,
): Promise<EventColumns> {
  let cap = 1 << 16;
  let emp = new Int32Array(cap);
  let office = new Int16Array(cap);
  let at = new Float64Array(cap);
  let dir = new Int8Array(cap);
  let n = 0;
  const grow = () => {
    cap *= 2;
    const e2 = new Int32Array(cap); e2.set(emp); emp = e2;
    const o2 = new Int16Array(cap); o2.set(office); office = o2;
    const a2 = new Float64Array(cap); a2.set(at); at = a2;
    const d2 = new Int8Array(cap); d2.set(dir); dir = d2;
  };
  const take = (line: string) => {
    if (line.length === 0) return;
    let e: number | undefined;
    let o: number | undefined;
    let ms: number;
    let d: string;
    const c1 = line.indexOf(',');
    const c2 = line.indexOf(',', c1 + 1);
    const c3 = line.indexOf(',', c2 + 1);
    if (line.indexOf('"') < 0 && c3 > 0 && line.indexOf(',', c3 + 1) < 0) {
      e = employeeIndex.get(line.slice(0, c1));
      o = officeIndex.get(line.slice(c1 + 1, c2));
      ms = +line.slice(c2 + 1, c3);
      d = line.slice(c3 + 1);
    } else {
      const f = splitLine(line);
      e = employeeIndex.get(f[0]!);
      o = officeIndex.get(f[1]!);
      ms = Number(f[2]);
      d = f[3] ?? '';
    }
    if (e === undefined || o === undefined) return;
    if (n === cap) grow();
    emp[n] = e;
    office[n] = o;
    at[n] = ms;
    dir[n] = d === 'in' ? 1 : d === 'out' ? 2 : 0;
    n++;
  };
  let rest = '';
  for await (const chunk of streamEventsInWindow(db, fromMs, toMs)) {
    const text = rest + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      take(text.charCodeAt(nl - 1) === 13 ? text.slice(start, nl - 1) : text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  take(rest);
  return { count: n, emp, office, at, dir };
}

/**
 * Groups event indexes by employee (counting sort), each group in time order.
 * Returns `order` (event indexes) and `start` (group offsets, length employees + 1).
 */
export function groupByEmployee(cols: EventColumns, employees: number): { order: Int32Array; start: Int32Array } {
  const start = new Int32Array(employees + 1);
  for (let i = 0; i < cols.count; i++) start[cols.emp[i]! + 1]!++;
  for (let k = 0; k < employees; k++) start[k + 1]! += start[k]!;
  const fill = start.slice(0, employees);
  const order = new Int32Array(cols.count);
  for (let i = 0; i < cols.count; i++) order[fill[cols.emp[i]!]!++] = i;
  const at = cols.at;
  for (let k = 0; k < employees; k++) {
    const a = start[k]!;
    const b = start[k + 1]!;
    if (b - a > 1) order.subarray(a, b).sort((x, y) => at[x]! - at[y]! || x - y);
  }
  return { order, start };
}
