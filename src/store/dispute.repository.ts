/** Disputes, the attestations approved disputes become, and badge-reader outages. */
import { sqlFilter } from './sql-filter.js';
import type { Db } from './db.js';
import type { LocalDate } from '../engine/dates.js';
import type { DisputeCase, DisputeStatus, Outage, OutageStatus } from '../engine/disputes.js';
import { subtreeSql } from './org.repository.js';

export interface DisputeRecord extends DisputeCase {
  reason: string;
  openedAt: string;
  reviewedAt: string | null;
  reviewNote: string | null;
  withdrawnAt: string | null;
}

const COLUMNS = `dispute_id, employee_id, day, office_id, reason, status, opened_by, opened_at, other_reviewer, reviewed_by, reviewed_at, review_note, withdrawn_at`;

interface Row {
  dispute_id: string; employee_id: string; day: string; office_id: string; reason: string; status: DisputeStatus; opened_by: string; opened_at: string;
  other_reviewer: boolean; reviewed_by: string | null; reviewed_at: string | null; review_note: string | null; withdrawn_at: string | null;
}

function toRecord(r: Row): DisputeRecord {
  return {
    disputeId: r.dispute_id, employeeId: r.employee_id, day: r.day as LocalDate, officeId: r.office_id, reason: r.reason, status: r.status,
    openedBy: r.opened_by, openedAt: r.opened_at, otherReviewer: !!r.other_reviewer, reviewedBy: r.reviewed_by, reviewedAt: r.reviewed_at,
    reviewNote: r.review_note, withdrawnAt: r.withdrawn_at,
  };
}

export async function nextDisputeId(db: Db): Promise<string> {
  const r = await db.query<{ n: number }>(`SELECT nextval('dispute_seq')::int AS n`);
  return `D${r[0]!.n}`;
}

export async function insertDispute(db: Db, d: DisputeCase, reason: string, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO dispute (dispute_id, employee_id, day, office_id, reason, status, opened_by, opened_at, other_reviewer)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [d.disputeId, d.employeeId, d.day, d.officeId, reason, d.status, d.openedBy, at, d.otherReviewer],
  );
}

export async function getDispute(db: Db, disputeId: string, lock = false): Promise<DisputeRecord | null> {
  const rows = await db.query<Row>(`SELECT ${COLUMNS} FROM dispute WHERE dispute_id = $1 ${lock ? 'FOR UPDATE' : ''}`, [disputeId]);
  return rows[0] ? toRecord(rows[0]) : null;
}

export async function openDisputeOn(db: Db, employeeId: string, day: LocalDate): Promise<string | null> {
  const rows = await db.query<{ dispute_id: string }>(`SELECT dispute_id FROM dispute WHERE employee_id = $1 AND day = $2 AND status = 'open'`, [employeeId, day]);
  return rows[0]?.dispute_id ?? null;
}

export async function recordReview(db: Db, d: DisputeCase, note: string | null, at: Date): Promise<void> {
  await db.query(`UPDATE dispute SET status = $2, reviewed_by = $3, reviewed_at = $4, review_note = $5 WHERE dispute_id = $1`,
    [d.disputeId, d.status, d.reviewedBy, at, note]);
}

export async function recordDisputeWithdrawal(db: Db, d: DisputeCase, at: Date): Promise<void> {
  await db.query(`UPDATE dispute SET status = $2, withdrawn_at = $3 WHERE dispute_id = $1`, [d.disputeId, d.status, at]);
}

export interface DisputeFilter {
  employeeId?: string;
  subtreeOf?: string;
  statuses?: readonly DisputeStatus[];
  limit?: number;
}

export async function listDisputes(db: Db, f: DisputeFilter): Promise<DisputeRecord[]> {
  const { where, clause, params, p } = sqlFilter();
  if (f.employeeId !== undefined) where.push(`employee_id = ${p(f.employeeId)}`);
  if (f.subtreeOf !== undefined) where.push(`employee_id IN ${subtreeSql(p(f.subtreeOf))}`);
  if (f.statuses && f.statuses.length > 0) where.push(`status = ANY(${p(f.statuses)}::text[])`);
  const rows = await db.query<Row>(
    `SELECT ${COLUMNS} FROM dispute ${clause()} ORDER BY opened_at, dispute_id
     LIMIT ${Math.max(1, Math.min(f.limit ?? 10_000, 100_000))}`,
    params,
  );
  return rows.map(toRecord);
}

/** The attestation an approved dispute becomes (a present day with the dispute as reference). */
export async function insertAttestation(db: Db, employeeId: string, day: LocalDate, officeId: string, reference: string): Promise<boolean> {
  const r = await db.run(
    `INSERT INTO attestation (employee_id, day, office_id, reference) VALUES ($1, $2, $3, $4) ON CONFLICT (employee_id, day) DO NOTHING`,
    [employeeId, day, officeId, reference],
  );
  return r.rowCount > 0;
}

// ---------------------------------------------------------------------------------------------
// Outages

export interface OutageRecord extends Outage {
  declaredBy: string;
  declaredAt: string;
  cancelledBy: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
}

const OUTAGE_COLUMNS = 'outage_id, office_id, start_date, end_date, reason, status, declared_by, declared_at, cancelled_by, cancelled_at, cancel_reason';

interface OutageRow {
  outage_id: string; office_id: string; start_date: string; end_date: string; reason: string; status: OutageStatus; declared_by: string;
  declared_at: string; cancelled_by: string | null; cancelled_at: string | null; cancel_reason: string | null;
}

function toOutage(r: OutageRow): OutageRecord {
  return {
    outageId: r.outage_id, officeId: r.office_id, startDate: r.start_date as LocalDate, endDate: r.end_date as LocalDate, reason: r.reason, status: r.status,
    declaredBy: r.declared_by, declaredAt: r.declared_at, cancelledBy: r.cancelled_by, cancelledAt: r.cancelled_at, cancelReason: r.cancel_reason,
  };
}

export async function nextOutageId(db: Db): Promise<string> {
  const r = await db.query<{ n: number }>(`SELECT nextval('outage_seq')::int AS n`);
  return `O${r[0]!.n}`;
}

export async function insertOutage(db: Db, o: Outage, by: string, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO outage (outage_id, office_id, start_date, end_date, reason, status, declared_by, declared_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [o.outageId, o.officeId, o.startDate, o.endDate, o.reason, o.status, by, at],
  );
}

export async function getOutage(db: Db, outageId: string, lock = false): Promise<OutageRecord | null> {
  const rows = await db.query<OutageRow>(`SELECT ${OUTAGE_COLUMNS} FROM outage WHERE outage_id = $1 ${lock ? 'FOR UPDATE' : ''}`, [outageId]);
  return rows[0] ? toOutage(rows[0]) : null;
}

export async function recordOutageCancellation(db: Db, o: Outage, by: string, reason: string | null, at: Date): Promise<void> {
  await db.query(`UPDATE outage SET status = $2, cancelled_by = $3, cancelled_at = $4, cancel_reason = $5 WHERE outage_id = $1`, [o.outageId, o.status, by, at, reason]);
}

export interface OutageFilter {
  officeId?: string;
  /** Overlapping [from, to]. */
  from?: LocalDate;
  to?: LocalDate;
  activeOnly?: boolean;
}

export async function listOutages(db: Db, f: OutageFilter = {}): Promise<OutageRecord[]> {
  const { where, clause, params, p } = sqlFilter();
  if (f.officeId !== undefined) where.push(`office_id = ${p(f.officeId)}`);
  if (f.from !== undefined) where.push(`end_date >= ${p(f.from)}::date`);
  if (f.to !== undefined) where.push(`start_date <= ${p(f.to)}::date`);
  if (f.activeOnly) where.push(`status = 'active'`);
  const rows = await db.query<OutageRow>(`SELECT ${OUTAGE_COLUMNS} FROM outage ${clause()} ORDER BY start_date, outage_id`, params);
  return rows.map(toOutage);
}

/**
 * Marks for re-evaluation, in one statement, every evaluated week overlapping [from, to] of the
 * people whose home office is `officeId`: as evaluated (the week's home office, which follows a
 * relocation) or as the employee record says now. Returns the number of weeks marked.
 */
export async function markOfficeWeeksDirty(db: Db, officeId: string, from: LocalDate, to: LocalDate): Promise<{ weeks: number; employees: number }> {
  const rows = await db.query<{ weeks: number; employees: number }>(
    `WITH marked AS (
       INSERT INTO dirty_week (employee_id, week_start)
       SELECT w.employee_id, w.week_start FROM weekly_compliance w
       WHERE w.week_start BETWEEN $2::date - 6 AND $3::date
         AND (w.home_office_id = $1 OR w.employee_id IN (SELECT employee_id FROM employee WHERE home_office_id = $1))
       -- Weeks already marked count too (a no-op update), so the caller knows to re-evaluate them.
       ON CONFLICT (employee_id, week_start) DO UPDATE SET week_start = EXCLUDED.week_start
       RETURNING employee_id)
     SELECT count(*)::int AS weeks, count(DISTINCT employee_id)::int AS employees FROM marked`,
    [officeId, from, to],
  );
  return { weeks: Number(rows[0]!.weeks), employees: Number(rows[0]!.employees) };
}
