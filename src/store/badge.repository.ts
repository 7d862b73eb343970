import type { Db } from './db.js';
import type { BadgeEvent, Direction } from '../engine/types.js';

/** Creates the per-import staging table (dropped at commit). Call inside a transaction. */
export async function createBadgeStage(db: Db): Promise<void> {
  await db.exec(`CREATE TEMP TABLE badge_stage (
    employee_id text NOT NULL, event_id text NOT NULL, office_id text NOT NULL, at timestamptz NOT NULL, direction text
  ) ON COMMIT DROP`);
}

export const BADGE_STAGE_COLUMNS = ['employee_id', 'event_id', 'office_id', 'at', 'direction'] as const;

/**
 * Moves staged events into badge_event, skipping ids already stored (and repeats
 * inside the file). Returns how many were new.
 */
export async function mergeBadgeStage(db: Db, importId: number): Promise<number> {
  const res = await db.run(
    `INSERT INTO badge_event (employee_id, event_id, office_id, at, direction, import_id)
     SELECT employee_id, event_id, office_id, at, direction, $1 FROM badge_stage
     ON CONFLICT (employee_id, event_id) DO NOTHING`,
    [importId],
  );
  await db.exec('DROP TABLE badge_stage');
  return res.rowCount;
}

/** One employee's events in [from, to) (epoch ms). */
export async function eventsOfEmployee(db: Db, employeeId: string, fromMs: number, toMs: number): Promise<BadgeEvent[]> {
  const rows = await db.query<{ event_id: string; office_id: string; at_ms: number; direction: Direction }>(
    `SELECT event_id, office_id, (extract(epoch FROM at) * 1000)::float8 AS at_ms, direction
     FROM badge_event WHERE employee_id = $1 AND at >= to_timestamp($2::float8 / 1000) AND at < to_timestamp($3::float8 / 1000)`,
    [employeeId, fromMs, toMs],
  );
  return rows.map((r) => ({ eventId: r.event_id, officeId: r.office_id, at: Number(r.at_ms), direction: r.direction }));
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

export async function countBadgeEvents(db: Db): Promise<number> {
  return Number((await db.query<{ n: number }>('SELECT count(*)::int8 AS n FROM badge_event'))[0]!.n);
}
