/** Leave, attestations, exceptions and relocations: the HR facts evaluation reads. */
import { emptyForBulkLoad, type Db } from './db.js';
import type { Attestation, ExceptionGrant, Leave, LeaveStatus, Relocation } from '../engine/types.js';
import type { Outage, OutageStatus } from '../engine/disputes.js';
import type { LocalDate } from '../engine/dates.js';
import { csvLine, chunkLines } from './csv-text.js';
import { effectiveRange } from '../engine/exceptions.js';
import { copyRows, sqlDate } from './copy-rows.js';

export interface LeaveRecord extends Leave {
  employeeId: string;
}

/**
 * Upserts leave by (employee, start, end, kind), from batches of rows taken as they come (a file of
 * any size in bounded memory); a key given twice takes its last status (a later line of the file
 * corrects an earlier one). The rows go into a staging table, numbered in order, and from there
 * the last of each key into leave: a plain insert when the table is empty (a first import), an
 * upsert otherwise. Call it in a transaction (see emptyForBulkLoad): an error in `batches` (a bad
 * line of the file) aborts the COPY, and the transaction writes nothing.
 */
export async function upsertLeave(db: Db, batches: AsyncIterable<readonly LeaveRecord[]> | Iterable<readonly LeaveRecord[]>): Promise<{ inserted: number; updated: number }> {
  const empty = await emptyForBulkLoad(db, 'leave');
  await db.exec('CREATE TEMP TABLE leave_stage (seq integer, employee_id text, start_date date, end_date date, kind text, status text) ON COMMIT DROP');
  async function* lines(): AsyncGenerator<string> {
    let seq = 0;
    for await (const batch of batches) for (const l of batch) yield csvLine([seq++, l.employeeId, l.startDate, l.endDate, l.kind, l.status]);
  }
  await db.copyFrom('leave_stage', ['seq', 'employee_id', 'start_date', 'end_date', 'kind', 'status'], chunkLines(lines()));
  const last = `SELECT DISTINCT ON (employee_id, start_date, end_date, kind) employee_id, start_date, end_date, kind, status
     FROM leave_stage ORDER BY employee_id, start_date, end_date, kind, seq DESC`;
  let counts: { inserted: number; updated: number };
  if (empty) {
    const r = await db.run(`INSERT INTO leave (employee_id, start_date, end_date, kind, status) ${last}`);
    counts = { inserted: r.rowCount, updated: 0 };
  } else {
    const res = await db.query<{ inserted: number; updated: number }>(
      `WITH up AS (
         INSERT INTO leave (employee_id, start_date, end_date, kind, status)
         ${last}
         ON CONFLICT (employee_id, start_date, end_date, kind) DO UPDATE SET status = EXCLUDED.status, updated_at = now()
         RETURNING (xmax = 0) AS ins)
       SELECT count(*) FILTER (WHERE ins)::int AS inserted, count(*) FILTER (WHERE NOT ins)::int AS updated FROM up`,
    );
    counts = { inserted: Number(res[0]!.inserted), updated: Number(res[0]!.updated) };
  }
  await db.exec('DROP TABLE leave_stage');
  return counts;
}

function groupBy<T extends { employeeId: string }>(rows: T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    let list = m.get(r.employeeId);
    if (!list) m.set(r.employeeId, (list = []));
    list.push(r);
  }
  return m;
}

/**
 * Leave overlapping [from, to], per employee (all employees, or the given ones), each list by start
 * date. All employees' leave is read by COPY (at 543,000 rows node-postgres' row objects cost the
 * main thread one to two seconds) and grouped as it comes: the rows are in employee order. Given
 * ids, the statement keeps its parameters (COPY takes none, and ids cannot be inlined safely).
 */
export async function leaveByEmployee(db: Db, from: LocalDate, to: LocalDate, ids?: readonly string[]): Promise<Map<string, LeaveRecord[]>> {
  const order = 'ORDER BY employee_id, start_date, end_date, kind';
  if (ids) {
    const rows = await db.query<{ employee_id: string; start_date: string; end_date: string; kind: string; status: LeaveStatus }>(
      `SELECT employee_id, start_date, end_date, kind, status FROM leave
       WHERE start_date <= $2::date AND end_date >= $1::date AND employee_id = ANY($3::text[]) ${order}`,
      [from, to, ids],
    );
    return groupBy(rows.map((r) => ({ employeeId: r.employee_id, startDate: r.start_date as LocalDate, endDate: r.end_date as LocalDate, kind: r.kind, status: r.status })));
  }
  const out = new Map<string, LeaveRecord[]>();
  // The employee being read and their records so far, stored once complete in a list of their exact
  // length (lists grown by push keep room for 17 records: at 270,000 employees, 33 MB of heap).
  let id: string | null = null;
  const group: LeaveRecord[] = [];
  const store = () => {
    if (id === null) return;
    const known = out.get(id);
    if (known) for (const r of group) known.push(r);
    else out.set(id, group.slice());
    group.length = 0;
  };
  await copyRows(
    db,
    `SELECT employee_id, start_date, end_date, kind, status FROM leave WHERE start_date <= ${sqlDate(to)} AND end_date >= ${sqlDate(from)} ${order}`,
    (f) => {
      const employeeId = f[0]!;
      if (employeeId !== id) {
        store();
        id = employeeId;
      }
      group.push({ employeeId, startDate: f[1] as LocalDate, endDate: f[2] as LocalDate, kind: f[3]!, status: f[4] as LeaveStatus });
    },
    // Every column repeats: an employee's id over their rows, and dates, kinds and statuses (few distinct values).
    { shared: [0, 1, 2, 3, 4] },
  );
  store();
  return out;
}

export async function attestationsByEmployee(db: Db, from: LocalDate, to: LocalDate, ids?: readonly string[]): Promise<Map<string, (Attestation & { employeeId: string })[]>> {
  const rows = await db.query<{ employee_id: string; day: string; office_id: string; reference: string | null }>(
    `SELECT employee_id, day, office_id, reference FROM attestation WHERE day BETWEEN $1::date AND $2::date ${ids ? 'AND employee_id = ANY($3::text[])' : ''}`,
    ids ? [from, to, ids] : [from, to],
  );
  return groupBy(rows.map((r) => ({ employeeId: r.employee_id, date: r.day as LocalDate, officeId: r.office_id, reference: r.reference })));
}

export async function exceptionsByEmployee(db: Db, from: LocalDate, to: LocalDate, ids?: readonly string[]): Promise<Map<string, (ExceptionGrant & { employeeId: string })[]>> {
  // Approved exceptions, and the part of revoked ones that was in force before the revocation:
  // the engine's effectiveRange decides (exceptions are few; the SQL only narrows to the window).
  const rows = await db.query<{
    employee_id: string; exception_id: string; kind: string; start_date: string; end_date: string; effect: 'exempt' | 'reduced';
    days_per_week: number | null; status: 'approved' | 'revoked'; revoked_from: string | null;
  }>(
    `SELECT employee_id, exception_id, kind, start_date, end_date, effect, days_per_week, status, revoked_from FROM exception_grant
     WHERE status IN ('approved', 'revoked') AND start_date <= $2::date AND end_date >= $1::date
       ${ids ? 'AND employee_id = ANY($3::text[])' : ''}`,
    ids ? [from, to, ids] : [from, to],
  );
  const grants: (ExceptionGrant & { employeeId: string })[] = [];
  for (const r of rows) {
    const range = effectiveRange({ status: r.status, startDate: r.start_date as LocalDate, endDate: r.end_date as LocalDate, revokedFrom: r.revoked_from as LocalDate | null });
    if (range === null || range.endDate < from) continue;
    grants.push({
      employeeId: r.employee_id, exceptionId: r.exception_id, kind: r.kind, startDate: range.startDate, endDate: range.endDate,
      effect: r.effect, daysPerWeek: r.days_per_week === null ? null : Number(r.days_per_week),
    });
  }
  return groupBy(grants);
}

export async function relocationsByEmployee(db: Db, ids?: readonly string[]): Promise<Map<string, Relocation>> {
  const rows = await db.query<{ employee_id: string; target_office_id: string; deadline: string; status: Relocation['status'] }>(
    `SELECT employee_id, target_office_id, deadline, status FROM relocation ${ids ? 'WHERE employee_id = ANY($1::text[])' : ''}`,
    ids ? [ids] : [],
  );
  return new Map(rows.map((r) => [r.employee_id, { targetOfficeId: r.target_office_id, deadline: r.deadline as LocalDate, status: r.status }]));
}

/** Active badge-reader outages overlapping [from, to] (all offices: a small reference table). */
export async function outagesBetween(db: Db, from: LocalDate, to: LocalDate): Promise<Outage[]> {
  const rows = await db.query<{ outage_id: string; office_id: string; start_date: string; end_date: string; reason: string; status: OutageStatus }>(
    `SELECT outage_id, office_id, start_date, end_date, reason, status FROM outage WHERE status = 'active' AND start_date <= $2::date AND end_date >= $1::date`,
    [from, to],
  );
  return rows.map((r) => ({ outageId: r.outage_id, officeId: r.office_id, startDate: r.start_date as LocalDate, endDate: r.end_date as LocalDate, reason: r.reason, status: r.status }));
}
