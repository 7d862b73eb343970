/**
 * What manager digests read, set-based (three statements for a whole week, whatever the size of
 * the company): the people out of compliance in a week with their recent weeks, and everyone
 * above them in the org tree.
 */
import type { Db } from './db.js';
import type { LocalDate } from '../engine/dates.js';
import type { WeekReason, WeekStatus } from '../engine/types.js';

export interface OutOfComplianceRow {
  employeeId: string;
  name: string;
  managerId: string | null;
  policyId: string | null;
  policyVersion: number | null;
}

export interface HistoryRow {
  employeeId: string;
  weekStart: LocalDate;
  status: WeekStatus;
  reason: WeekReason;
  present: number;
  required: number;
}

export interface ManagerRow {
  employeeId: string;
  name: string;
  email: string;
  managerId: string | null;
  terminationDate: LocalDate | null;
}

/** The people whose stored record of the week is non_compliant, with their manager and policy. */
export async function outOfCompliance(db: Db, monday: LocalDate): Promise<OutOfComplianceRow[]> {
  const rows = await db.query<{ employee_id: string; name: string; manager_id: string | null; policy_id: string | null; policy_version: number | null }>(
    `SELECT w.employee_id, e.name, e.manager_id, w.policy_id, w.policy_version
     FROM weekly_compliance w JOIN employee e ON e.employee_id = w.employee_id
     WHERE w.week_start = $1::date AND w.status = 'non_compliant'
     ORDER BY w.employee_id`,
    [monday],
  );
  return rows.map((r) => ({
    employeeId: r.employee_id, name: r.name, managerId: r.manager_id === r.employee_id ? null : r.manager_id,
    policyId: r.policy_id, policyVersion: r.policy_version === null ? null : Number(r.policy_version),
  }));
}

/** The stored weeks [from, monday] of the people out of compliance in the week of `monday`. */
export async function historyOfOutOfCompliance(db: Db, monday: LocalDate, from: LocalDate): Promise<HistoryRow[]> {
  const rows = await db.query<{ employee_id: string; week_start: string; status: WeekStatus; reason: WeekReason; present: number; required: number }>(
    `SELECT w.employee_id, w.week_start, w.status, w.reason, w.present, w.required
     FROM weekly_compliance w
     WHERE w.week_start BETWEEN $2::date AND $1::date
       AND w.employee_id IN (SELECT employee_id FROM weekly_compliance WHERE week_start = $1::date AND status = 'non_compliant')
     ORDER BY w.employee_id, w.week_start`,
    [monday, from],
  );
  return rows.map((r) => ({ employeeId: r.employee_id, weekStart: r.week_start as LocalDate, status: r.status, reason: r.reason, present: Number(r.present), required: Number(r.required) }));
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
