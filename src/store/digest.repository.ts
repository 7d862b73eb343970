/**
 * What manager digests read, set-based (two statements for a whole week, whatever the size of
 * the company): the people out of compliance in a week with their recent weeks, and everyone
 * above them in the org tree.
 */
import type { Db } from './db.js';
import type { LocalDate } from '../engine/dates.js';
import type { WeekReason, WeekStatus } from '../engine/types.js';

export interface DigestHistoryWeek {
  weekStart: LocalDate;
  status: WeekStatus;
  reason: WeekReason;
  present: number;
  required: number;
}

/** A person out of compliance in the week, with their manager, policy and recent stored weeks. */
export interface OutOfComplianceRow {
  employeeId: string;
  name: string;
  managerId: string | null;
  policyId: string | null;
  policyVersion: number | null;
  /** The stored weeks from `from` to the week, oldest first (the week itself included). */
  weeks: DigestHistoryWeek[];
}

export interface ManagerRow {
  employeeId: string;
  name: string;
  email: string;
  managerId: string | null;
  terminationDate: LocalDate | null;
}

/**
 * The people whose stored record of the week of `monday` is non_compliant, each with their
 * stored weeks [from, monday], in one statement: one row per person, the weeks as arrays (so a
 * company with a hundred thousand people out carries a hundred thousand rows, not eight times
 * as many).
 */
export async function outOfComplianceWithHistory(db: Db, monday: LocalDate, from: LocalDate): Promise<OutOfComplianceRow[]> {
  const rows = await db.query<{
    employee_id: string; name: string; manager_id: string | null; policy_id: string | null; policy_version: number | null; history: string;
  }>(
    // The people out first (a small partial index), then their weeks by primary key, each
    // person's weeks as one text "week_start status reason present required,…" (one aggregate
    // per person: at large, five arrays per person cost twice as much).
    `WITH o AS MATERIALIZED (
       SELECT employee_id, policy_id, policy_version FROM weekly_compliance WHERE week_start = $1::date AND status = 'non_compliant'
     )
     SELECT o.employee_id, e.name, e.manager_id, o.policy_id, o.policy_version,
            (SELECT string_agg(to_char(w.week_start, 'YYYY-MM-DD') || ' ' || w.status || ' ' || w.reason || ' ' || w.present || ' ' || w.required, ',' ORDER BY w.week_start)
             FROM weekly_compliance w WHERE w.employee_id = o.employee_id AND w.week_start BETWEEN $2::date AND $1::date) AS history
     FROM o
     JOIN employee e ON e.employee_id = o.employee_id
     ORDER BY o.employee_id`,
    [monday, from],
  );
  return rows.map((r) => ({
    employeeId: r.employee_id, name: r.name, managerId: r.manager_id === r.employee_id ? null : r.manager_id,
    policyId: r.policy_id, policyVersion: r.policy_version === null ? null : Number(r.policy_version),
    weeks: r.history.split(',').map((item) => {
      const [weekStart, status, reason, present, required] = item.split(' ');
      return { weekStart: weekStart as LocalDate, status: status as WeekStatus, reason: reason as WeekReason, present: Number(present), required: Number(required) };
    }),
  }));
}

/**
 * Everyone above the people out of compliance in the week (their managers, and those managers'
 * managers up to the root), each once, in one recursive statement (UNION ends cycles).
 */
export async function managersAboveOutOfCompliance(db: Db, monday: LocalDate): Promise<ManagerRow[]> {
  const rows = await db.query<{ employee_id: string; name: string; email: string; manager_id: string | null; termination_date: string | null }>(
    `WITH RECURSIVE up(employee_id) AS (
       SELECT e.manager_id FROM weekly_compliance w JOIN employee e ON e.employee_id = w.employee_id
       WHERE w.week_start = $1::date AND w.status = 'non_compliant' AND e.manager_id IS NOT NULL
       UNION
       SELECT m.manager_id FROM up JOIN employee m ON m.employee_id = up.employee_id WHERE m.manager_id IS NOT NULL
     )
     SELECT e.employee_id, e.name, e.email, e.manager_id, e.termination_date
     FROM employee e WHERE e.employee_id IN (SELECT employee_id FROM up)
     ORDER BY e.employee_id`,
    [monday],
  );
  return rows.map((r) => ({
    employeeId: r.employee_id, name: r.name, email: r.email, managerId: r.manager_id === r.employee_id ? null : r.manager_id,
    terminationDate: r.termination_date as LocalDate | null,
  }));
}

/** How many stored records the week has (0: the week was never evaluated). */
export async function recordsOfWeek(db: Db, monday: LocalDate): Promise<number> {
  const rows = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM weekly_compliance WHERE week_start = $1::date`, [monday]);
  return Number(rows[0]!.n);
}

/** Whether the outbox holds any digest of the ISO week (whatever its status). */
export async function weekHasDigests(db: Db, week: string): Promise<boolean> {
  const rows = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE dedupe_key LIKE $1`, [`digest:%:${week}`]);
  return Number(rows[0]!.n) > 0;
}

/** Marks the week's digests for a rebuild before the next delivery (digest_refresh, migration v6). */
export async function markDigestsStale(db: Db, monday: LocalDate): Promise<void> {
  await db.query('INSERT INTO digest_refresh (week_start) VALUES ($1::date) ON CONFLICT (week_start) DO NOTHING', [monday]);
}

export async function clearStaleDigests(db: Db, monday: LocalDate): Promise<void> {
  await db.query('DELETE FROM digest_refresh WHERE week_start = $1::date', [monday]);
}

/** The Mondays of the weeks whose digests are marked for a rebuild, oldest first. */
export async function staleDigestWeeks(db: Db): Promise<LocalDate[]> {
  return (await db.query<{ week_start: string }>('SELECT week_start FROM digest_refresh ORDER BY week_start')).map((r) => r.week_start as LocalDate);
}
