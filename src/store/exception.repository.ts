/** Exceptions (table exception_grant): requests, decisions, expiry notices; and the re-evaluation marks the HR workflows share. */
import { sqlFilter } from './sql-filter.js';
import { subtreeSql } from './org.repository.js';
import type { Db } from './db.js';
import type { LocalDate } from '../engine/dates.js';
import type { ExceptionCase, ExceptionEffect, ExceptionStatus } from '../engine/exceptions.js';

/** An exception as stored. `reason`, `decisionNote` and `revokeReason` are private to the employee and HR. */
export interface ExceptionRecord extends ExceptionCase {
  reason: string | null;
  requestedAt: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
  revokedAt: string | null;
  revokeReason: string | null;
  withdrawnAt: string | null;
  expiryNotifiedAt: string | null;
}

const COLUMNS = `employee_id, exception_id, kind, start_date, end_date, effect, days_per_week, status, requested_by, requested_at, reason,
  decided_by, decided_at, decision_note, revoked_by, revoked_at, revoked_from, revoke_reason, withdrawn_at, expiry_notified_at`;

interface Row {
  employee_id: string; exception_id: string; kind: string; start_date: string; end_date: string; effect: ExceptionEffect; days_per_week: number | null;
  status: ExceptionStatus; requested_by: string | null; requested_at: string | null; reason: string | null; decided_by: string | null;
  decided_at: string | null; decision_note: string | null; revoked_by: string | null; revoked_at: string | null; revoked_from: string | null;
  revoke_reason: string | null; withdrawn_at: string | null; expiry_notified_at: string | null;
}

function toRecord(r: Row): ExceptionRecord {
  return {
    exceptionId: r.exception_id, employeeId: r.employee_id, kind: r.kind, startDate: r.start_date as LocalDate, endDate: r.end_date as LocalDate,
    effect: r.effect, daysPerWeek: r.days_per_week === null ? null : Number(r.days_per_week), status: r.status,
    // Rows written before v5 (approved grants loaded directly) have no requester.
    requestedBy: r.requested_by ?? 'unknown', requestedAt: r.requested_at, reason: r.reason, decidedBy: r.decided_by, decidedAt: r.decided_at,
    decisionNote: r.decision_note, revokedBy: r.revoked_by, revokedAt: r.revoked_at, revokedFrom: r.revoked_from as LocalDate | null,
    revokeReason: r.revoke_reason, withdrawnAt: r.withdrawn_at, expiryNotifiedAt: r.expiry_notified_at,
  };
}

export async function nextExceptionId(db: Db): Promise<string> {
  const r = await db.query<{ n: number }>(`SELECT nextval('exception_seq')::int AS n`);
  return `X${r[0]!.n}`;
}

export async function insertException(db: Db, x: ExceptionCase, reason: string, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO exception_grant (employee_id, exception_id, kind, start_date, end_date, effect, days_per_week, status, requested_by, requested_at, reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [x.employeeId, x.exceptionId, x.kind, x.startDate, x.endDate, x.effect, x.daysPerWeek, x.status, x.requestedBy, at, reason],
  );
}

/** One exception by id (locked for update inside a transaction when `lock`). */
export async function getException(db: Db, exceptionId: string, lock = false): Promise<ExceptionRecord | null> {
  const rows = await db.query<Row>(`SELECT ${COLUMNS} FROM exception_grant WHERE exception_id = $1 ${lock ? 'FOR UPDATE' : ''}`, [exceptionId]);
  return rows[0] ? toRecord(rows[0]) : null;
}

export async function exceptionsOfEmployee(db: Db, employeeId: string): Promise<ExceptionRecord[]> {
  return (await db.query<Row>(`SELECT ${COLUMNS} FROM exception_grant WHERE employee_id = $1 ORDER BY start_date, exception_id`, [employeeId])).map(toRecord);
}

export interface ExceptionFilter {
  employeeId?: string;
  employeeIds?: readonly string[];
  /** Only the people in this person's subtree (themself included). */
  subtreeOf?: string;
  statuses?: readonly ExceptionStatus[];
  /** In force on this date (effective range). */
  activeOn?: LocalDate;
  limit?: number;
}

export async function listExceptions(db: Db, f: ExceptionFilter): Promise<ExceptionRecord[]> {
  const { where, clause, params, p } = sqlFilter();
  if (f.employeeId !== undefined) where.push(`employee_id = ${p(f.employeeId)}`);
  if (f.employeeIds !== undefined) where.push(`employee_id = ANY(${p(f.employeeIds)}::text[])`);
  if (f.subtreeOf !== undefined) where.push(`employee_id IN ${subtreeSql(p(f.subtreeOf))}`);
  if (f.statuses && f.statuses.length > 0) where.push(`status = ANY(${p(f.statuses)}::text[])`);
  if (f.activeOn !== undefined) {
    const d = p(f.activeOn);
    where.push(`start_date <= ${d}::date AND end_date >= ${d}::date AND (status = 'approved' OR (status = 'revoked' AND revoked_from > ${d}::date))`);
  }
  const rows = await db.query<Row>(
    `SELECT ${COLUMNS} FROM exception_grant ${clause()}
     ORDER BY employee_id, start_date, exception_id LIMIT ${Math.max(1, Math.min(f.limit ?? 10_000, 100_000))}`,
    params,
  );
  return rows.map(toRecord);
}

export async function recordDecision(db: Db, x: ExceptionCase, note: string | null, at: Date): Promise<void> {
  await db.query(`UPDATE exception_grant SET status = $2, decided_by = $3, decided_at = $4, decision_note = $5 WHERE exception_id = $1`,
    [x.exceptionId, x.status, x.decidedBy, at, note]);
}

export async function recordWithdrawal(db: Db, x: ExceptionCase, at: Date): Promise<void> {
  await db.query(`UPDATE exception_grant SET status = $2, withdrawn_at = $3 WHERE exception_id = $1`, [x.exceptionId, x.status, at]);
}

export async function recordRevocation(db: Db, x: ExceptionCase, reason: string, at: Date): Promise<void> {
  await db.query(`UPDATE exception_grant SET status = $2, revoked_by = $3, revoked_at = $4, revoked_from = $5, revoke_reason = $6 WHERE exception_id = $1`,
    [x.exceptionId, x.status, x.revokedBy, at, x.revokedFrom, reason]);
}

/** Approved exceptions whose last day is in [today, today + maxDays] and whose notice has not been sent. */
export async function exceptionsNearingEnd(db: Db, today: LocalDate, maxDays: number): Promise<ExceptionRecord[]> {
  const rows = await db.query<Row>(
    `SELECT ${COLUMNS} FROM exception_grant
     WHERE status = 'approved' AND expiry_notified_at IS NULL AND end_date >= $1::date AND end_date <= $1::date + $2::int
     ORDER BY end_date, exception_id`,
    [today, maxDays],
  );
  return rows.map(toRecord);
}

/** Marks the notices sent; returns the ids actually marked (a concurrent run marks each once). */
export async function markExpiryNotified(db: Db, ids: readonly string[], at: Date): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.query<{ exception_id: string }>(
    `UPDATE exception_grant SET expiry_notified_at = $2 WHERE exception_id = ANY($1::text[]) AND expiry_notified_at IS NULL RETURNING exception_id`,
    [ids, at],
  );
  return rows.map((r) => r.exception_id);
}

/**
 * Marks for re-evaluation (dirty_week) the already evaluated weeks of the given people that
 * overlap [from, to], in one statement. Returns how many weeks were marked.
 */
export async function markEvaluatedWeeksDirty(db: Db, employeeIds: readonly string[], from: LocalDate, to: LocalDate): Promise<number> {
  if (employeeIds.length === 0) return 0;
  const r = await db.run(
    `INSERT INTO dirty_week (employee_id, week_start)
     SELECT employee_id, week_start FROM weekly_compliance
     WHERE employee_id = ANY($1::text[]) AND week_start BETWEEN $2::date - 6 AND $3::date
     ON CONFLICT (employee_id, week_start) DO UPDATE SET week_start = EXCLUDED.week_start`,
    [employeeIds, from, to],
  );
  return r.rowCount;
}

/** People holding a role (for notices to HR). */
export async function holdersOfRole(db: Db, role: string): Promise<{ employeeId: string; email: string }[]> {
  const rows = await db.query<{ employee_id: string; email: string }>(
    `SELECT g.employee_id, e.email FROM role_grant g JOIN employee e ON e.employee_id = g.employee_id WHERE g.role = $1 ORDER BY g.employee_id`,
    [role],
  );
  return rows.map((r) => ({ employeeId: r.employee_id, email: r.email }));
}
