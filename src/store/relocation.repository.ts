/** Relocations (table relocation: the current assignment of each employee). */
import { sqlFilter } from './sql-filter.js';
import type { Db } from './db.js';
import type { LocalDate } from '../engine/dates.js';
import type { RelocationCase, RelocationStatus } from '../engine/relocation.js';
import { subtreeSql } from './org.repository.js';

export interface RelocationRecord extends RelocationCase {
  assignedAt: string | null;
  respondedAt: string | null;
  responseNote: string | null;
  overdueAt: string | null;
  completedBy: string | null;
  completedAt: string | null;
  previousHomeOfficeId: string | null;
  cancelledBy: string | null;
  cancelledAt: string | null;
}

const COLUMNS = `employee_id, target_office_id, deadline, status, assigned_by, assigned_at, responded_at, response_note, overdue_at,
  completed_by, completed_at, previous_home_office_id, cancelled_by, cancelled_at`;

interface Row {
  employee_id: string; target_office_id: string; deadline: string; status: RelocationStatus; assigned_by: string | null; assigned_at: string | null;
  responded_at: string | null; response_note: string | null; overdue_at: string | null; completed_by: string | null; completed_at: string | null;
  previous_home_office_id: string | null; cancelled_by: string | null; cancelled_at: string | null;
}

function toRecord(r: Row): RelocationRecord {
  return {
    employeeId: r.employee_id, targetOfficeId: r.target_office_id, deadline: r.deadline as LocalDate, status: r.status,
    assignedBy: r.assigned_by ?? 'unknown', assignedAt: r.assigned_at, respondedAt: r.responded_at, responseNote: r.response_note,
    overdueAt: r.overdue_at, completedBy: r.completed_by, completedAt: r.completed_at, previousHomeOfficeId: r.previous_home_office_id,
    cancelledBy: r.cancelled_by, cancelledAt: r.cancelled_at,
  };
}

export async function getRelocation(db: Db, employeeId: string, lock = false): Promise<RelocationRecord | null> {
  const rows = await db.query<Row>(`SELECT ${COLUMNS} FROM relocation WHERE employee_id = $1 ${lock ? 'FOR UPDATE' : ''}`, [employeeId]);
  return rows[0] ? toRecord(rows[0]) : null;
}

/** A new assignment replaces a declined or cancelled one (the audit log keeps the history). */
export async function saveAssignment(db: Db, r: RelocationCase, at: Date): Promise<void> {
  await db.query(
    `INSERT INTO relocation (employee_id, target_office_id, deadline, status, assigned_by, assigned_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (employee_id) DO UPDATE SET target_office_id = EXCLUDED.target_office_id, deadline = EXCLUDED.deadline, status = EXCLUDED.status,
       assigned_by = EXCLUDED.assigned_by, assigned_at = EXCLUDED.assigned_at, responded_at = NULL, response_note = NULL, overdue_at = NULL,
       completed_by = NULL, completed_at = NULL, previous_home_office_id = NULL, cancelled_by = NULL, cancelled_at = NULL`,
    [r.employeeId, r.targetOfficeId, r.deadline, r.status, r.assignedBy, at],
  );
}

export async function recordResponse(db: Db, r: RelocationCase, note: string | null, at: Date): Promise<void> {
  await db.query(`UPDATE relocation SET status = $2, responded_at = $3, response_note = $4 WHERE employee_id = $1`, [r.employeeId, r.status, at, note]);
}

export async function recordCompletion(db: Db, r: RelocationCase, by: string, previousHome: string | null, at: Date): Promise<void> {
  await db.query(`UPDATE relocation SET status = $2, completed_by = $3, completed_at = $4, previous_home_office_id = $5 WHERE employee_id = $1`,
    [r.employeeId, r.status, by, at, previousHome]);
}

export async function recordCancellation(db: Db, r: RelocationCase, by: string, at: Date): Promise<void> {
  await db.query(`UPDATE relocation SET status = $2, cancelled_by = $3, cancelled_at = $4 WHERE employee_id = $1`, [r.employeeId, r.status, by, at]);
}

/** Moves the employee's home office (HR recording a completed relocation, when asked to). */
export async function setHomeOffice(db: Db, employeeId: string, officeId: string): Promise<void> {
  await db.query(`UPDATE employee SET home_office_id = $2, updated_at = now() WHERE employee_id = $1`, [employeeId, officeId]);
}

export interface RelocationFilter {
  employeeId?: string;
  subtreeOf?: string;
  statuses?: readonly RelocationStatus[];
  /** Open (assigned, accepted, overdue) with the deadline before this date. */
  overdueOn?: LocalDate;
}

export async function listRelocations(db: Db, f: RelocationFilter): Promise<RelocationRecord[]> {
  const { where, clause, params, p } = sqlFilter();
  if (f.employeeId !== undefined) where.push(`employee_id = ${p(f.employeeId)}`);
  if (f.subtreeOf !== undefined) where.push(`employee_id IN ${subtreeSql(p(f.subtreeOf))}`);
  if (f.statuses && f.statuses.length > 0) where.push(`status = ANY(${p(f.statuses)}::text[])`);
  if (f.overdueOn !== undefined) where.push(`status IN ('assigned', 'accepted', 'overdue') AND deadline < ${p(f.overdueOn)}::date`);
  const rows = await db.query<Row>(`SELECT ${COLUMNS} FROM relocation ${clause()} ORDER BY deadline, employee_id`, params);
  return rows.map(toRecord);
}

/** Writes status `overdue` on every assigned or accepted relocation whose deadline is before `today`, in one statement. */
export async function markOverdueRelocations(db: Db, today: LocalDate, at: Date): Promise<{ employeeId: string; deadline: LocalDate; before: RelocationStatus }[]> {
  const rows = await db.query<{ employee_id: string; deadline: string; before: RelocationStatus }>(
    `UPDATE relocation r SET status = 'overdue', overdue_at = $2
     FROM (SELECT employee_id, status AS before FROM relocation WHERE status IN ('assigned', 'accepted') AND deadline < $1::date FOR UPDATE) o
     WHERE r.employee_id = o.employee_id
     RETURNING r.employee_id, r.deadline, o.before`,
    [today, at],
  );
  return rows.map((r) => ({ employeeId: r.employee_id, deadline: r.deadline as LocalDate, before: r.before })).sort((a, b) => (a.employeeId < b.employeeId ? -1 : 1));
}
