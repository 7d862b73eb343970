/**
 * Discipline cases, their steps with the evidence each rests on, and the weeks each step counted.
 * Steps and their evidence are never rewritten; late data only flags a case for review.
 */
import type { Db } from './db.js';
import { sqlFilter } from './sql-filter.js';
import { subtreeSql } from './org.repository.js';
import type { LocalDate } from '../engine/dates.js';
import type { CaseState, CloseOutcome, HrReview, StepName, DisciplineStage } from '../engine/discipline.js';

export interface StepRow {
  stepNo: number;
  step: StepName;
  takenBy: string;
  takenAt: string;
  takenOn: LocalDate;
  reason: string;
  evidence: Record<string, unknown>;
  ack: { kind: 'acknowledged' | 'refused'; by: string; at: string; on: LocalDate; reason: string | null } | null;
}

export interface ReviewChange {
  weekStart: LocalDate;
  stepNo: number;
  before: { status: string; present: number; required: number };
  after: { status: string; present: number; required: number };
}

export interface CaseRecord {
  caseId: string;
  employeeId: string;
  stage: Exclude<DisciplineStage, 'none'>;
  openedBy: string;
  openedAt: string;
  openedOn: LocalDate;
  hrReview: (HrReview & { at: string; reason: string }) | null;
  outcome: CloseOutcome | null;
  closedFrom: StepName | null;
  closedBy: string | null;
  closedAt: string | null;
  closedOn: LocalDate | null;
  closeReason: string | null;
  closeEvidence: Record<string, unknown> | null;
  needsReview: boolean;
  reviewChanges: ReviewChange[] | null;
  flaggedAt: string | null;
  reviewCleared: { by: string; at: string; note: string; changes: ReviewChange[] } | null;
  steps: StepRow[];
}

/** The engine's view of a stored case. */
export function caseState(c: CaseRecord): CaseState {
  return {
    employeeId: c.employeeId,
    stage: c.stage,
    steps: c.steps.map((s) => ({
      step: s.step, by: s.takenBy, on: s.takenOn,
      ack: s.ack ? { kind: s.ack.kind, by: s.ack.by, on: s.ack.on, reason: s.ack.reason } : null,
      countedWeeks: ((s.evidence.countedWeeks as LocalDate[] | undefined) ?? []),
    })),
    hrReview: c.hrReview ? { status: c.hrReview.status, by: c.hrReview.by, on: c.hrReview.on, forStep: c.hrReview.forStep } : null,
    outcome: c.outcome,
    closedFrom: c.closedFrom,
    closedOn: c.closedOn,
    needsReview: c.needsReview,
  };
}

function json<T>(v: unknown): T | null {
  if (v === null || v === undefined) return null;
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

interface CaseRowDb {
  case_id: string; employee_id: string; stage: CaseRecord['stage']; opened_by: string; opened_at: string; opened_on: string; hr_review: unknown;
  outcome: CloseOutcome | null; closed_from: StepName | null; closed_by: string | null; closed_at: string | null; closed_on: string | null;
  close_reason: string | null; close_evidence: unknown; needs_review: boolean; review_changes: unknown; flagged_at: string | null; review_cleared: unknown;
}
interface StepRowDb {
  case_id: string; step_no: number; step: StepName; taken_by: string; taken_at: string; taken_on: string; reason: string; evidence: unknown;
  ack_kind: 'acknowledged' | 'refused' | null; ack_by: string | null; ack_at: string | null; ack_on: string | null; ack_reason: string | null;
}

const CASE_COLUMNS = `case_id, employee_id, stage, opened_by, opened_at, opened_on, hr_review, outcome, closed_from, closed_by, closed_at, closed_on,
  close_reason, close_evidence, needs_review, review_changes, flagged_at, review_cleared`;

async function withSteps(db: Db, rows: CaseRowDb[]): Promise<CaseRecord[]> {
  if (rows.length === 0) return [];
  const steps = await db.query<StepRowDb>(
    `SELECT case_id, step_no, step, taken_by, taken_at, taken_on, reason, evidence, ack_kind, ack_by, ack_at, ack_on, ack_reason
     FROM discipline_step WHERE employee_id = ANY($1::text[]) AND case_id = ANY($2::text[]) ORDER BY case_id, step_no`,
    [[...new Set(rows.map((r) => r.employee_id))], rows.map((r) => r.case_id)],
  );
  const byCase = new Map<string, StepRow[]>();
  for (const s of steps) {
    let list = byCase.get(s.case_id);
    if (!list) byCase.set(s.case_id, (list = []));
    list.push({
      stepNo: Number(s.step_no), step: s.step, takenBy: s.taken_by, takenAt: s.taken_at, takenOn: s.taken_on as LocalDate, reason: s.reason,
      evidence: json<Record<string, unknown>>(s.evidence) ?? {},
      ack: s.ack_kind ? { kind: s.ack_kind, by: s.ack_by!, at: s.ack_at!, on: s.ack_on as LocalDate, reason: s.ack_reason } : null,
    });
  }
  return rows.map((r) => ({
    caseId: r.case_id, employeeId: r.employee_id, stage: r.stage, openedBy: r.opened_by, openedAt: r.opened_at, openedOn: r.opened_on as LocalDate,
    hrReview: json(r.hr_review), outcome: r.outcome, closedFrom: r.closed_from, closedBy: r.closed_by, closedAt: r.closed_at,
    closedOn: r.closed_on as LocalDate | null, closeReason: r.close_reason, closeEvidence: json(r.close_evidence), needsReview: r.needs_review,
    reviewChanges: json(r.review_changes), flaggedAt: r.flagged_at, reviewCleared: json(r.review_cleared), steps: byCase.get(r.case_id) ?? [],
  }));
}

/** One case by id, with its steps; `lock` takes a row lock for the rest of the transaction. */
export async function getCase(db: Db, caseId: string, lock = false): Promise<CaseRecord | null> {
  const rows = await db.query<CaseRowDb>(`SELECT ${CASE_COLUMNS} FROM discipline_case WHERE case_id = $1 ${lock ? 'FOR UPDATE' : ''}`, [caseId]);
  return (await withSteps(db, rows))[0] ?? null;
}

/** The employee's open case (at most one), with its steps. */
export async function openCaseOf(db: Db, employeeId: string, lock = false): Promise<CaseRecord | null> {
  const rows = await db.query<CaseRowDb>(`SELECT ${CASE_COLUMNS} FROM discipline_case WHERE employee_id = $1 AND stage <> 'closed' ${lock ? 'FOR UPDATE' : ''}`, [employeeId]);
  return (await withSteps(db, rows))[0] ?? null;
}

/** The day each employee's latest closed case closed (those with none are absent), in one statement. */
export async function lastClosedOn(db: Db, employeeIds: readonly string[]): Promise<Map<string, LocalDate>> {
  const rows = await db.query<{ employee_id: string; d: string }>(
    `SELECT employee_id, max(closed_on) AS d FROM discipline_case WHERE stage = 'closed' AND employee_id = ANY($1::text[]) GROUP BY employee_id`,
    [employeeIds],
  );
  return new Map(rows.map((r) => [r.employee_id, r.d as LocalDate]));
}

export interface CaseFilter {
  employeeIds?: readonly string[];
  open?: boolean;
  needsReview?: boolean;
  /** Only the people in this person's subtree (themself included). */
  subtreeOf?: string;
  limit?: number;
}

/** Cases with their steps, newest first. */
export async function listCaseRows(db: Db, f: CaseFilter): Promise<CaseRecord[]> {
  const { where, clause, params, p } = sqlFilter();
  if (f.employeeIds) where.push(`employee_id = ANY(${p(f.employeeIds)}::text[])`);
  if (f.subtreeOf !== undefined) where.push(`employee_id IN ${subtreeSql(p(f.subtreeOf))}`);
  if (f.open) where.push(`stage <> 'closed'`);
  if (f.needsReview) where.push('needs_review');
  const limit = p(f.limit ?? 10_000);
  const rows = await db.query<CaseRowDb>(
    `SELECT ${CASE_COLUMNS} FROM discipline_case ${clause()}
     ORDER BY opened_at DESC, length(case_id) DESC, case_id DESC LIMIT ${limit}`,
    params,
  );
  return withSteps(db, rows);
}

export interface NewStep {
  employeeId: string;
  caseId: string;
  stepNo: number;
  step: StepName;
  by: string;
  at: Date;
  on: LocalDate;
  reason: string;
  evidence: Record<string, unknown>;
  /** The weeks the step counted, as stored in weekly_compliance then. */
  countedWeeks: readonly { weekStart: LocalDate; status: string; present: number; required: number }[];
}

/** Opens a case (its first step follows); returns its id (DC1, DC2, …). */
export async function insertCase(tx: Db, c: { employeeId: string; by: string; at: Date; on: LocalDate }): Promise<string> {
  const rows = await tx.query<{ case_id: string }>(
    `INSERT INTO discipline_case (employee_id, case_id, stage, opened_by, opened_at, opened_on)
     VALUES ($1, 'DC' || nextval('discipline_case_seq'), 'verbal_warning', $2, $3, $4::date) RETURNING case_id`,
    [c.employeeId, c.by, c.at, c.on],
  );
  return rows[0]!.case_id;
}

/** Records a step, its evidence weeks, and moves the case to it. */
export async function insertStep(tx: Db, s: NewStep): Promise<void> {
  await tx.query(
    `INSERT INTO discipline_step (employee_id, case_id, step_no, step, taken_by, taken_at, taken_on, reason, evidence)
     VALUES ($1, $2, $3, $4, $5, $6, $7::date, $8, $9::jsonb)`,
    [s.employeeId, s.caseId, s.stepNo, s.step, s.by, s.at, s.on, s.reason, JSON.stringify(s.evidence)],
  );
  if (s.countedWeeks.length > 0) {
    await tx.query(
      `INSERT INTO discipline_evidence_week (employee_id, case_id, step_no, week_start, status, present, required, seen_status, seen_present, seen_required)
       SELECT $1, $2, $3, w.week_start, w.status, w.present, w.required, w.status, w.present, w.required
       FROM unnest($4::date[], $5::text[], $6::int[], $7::int[]) AS w(week_start, status, present, required)`,
      [s.employeeId, s.caseId, s.stepNo, s.countedWeeks.map((w) => w.weekStart), s.countedWeeks.map((w) => w.status),
        s.countedWeeks.map((w) => w.present), s.countedWeeks.map((w) => w.required)],
    );
  }
  await tx.query(`UPDATE discipline_case SET stage = $3 WHERE employee_id = $1 AND case_id = $2`, [s.employeeId, s.caseId, s.step]);
}

/** Records the acknowledgement (or the documented refusal) of a step. */
export async function recordAck(tx: Db, employeeId: string, caseId: string, stepNo: number, a: { kind: 'acknowledged' | 'refused'; by: string; at: Date; on: LocalDate; reason: string | null }): Promise<void> {
  await tx.query(
    `UPDATE discipline_step SET ack_kind = $4, ack_by = $5, ack_at = $6, ack_on = $7::date, ack_reason = $8
     WHERE employee_id = $1 AND case_id = $2 AND step_no = $3 AND ack_kind IS NULL`,
    [employeeId, caseId, stepNo, a.kind, a.by, a.at, a.on, a.reason],
  );
}

export async function recordHrReview(tx: Db, employeeId: string, caseId: string, review: HrReview & { at: string; reason: string }): Promise<void> {
  await tx.query(`UPDATE discipline_case SET hr_review = $3::jsonb WHERE employee_id = $1 AND case_id = $2`, [employeeId, caseId, JSON.stringify(review)]);
}

export async function closeCaseRow(tx: Db, employeeId: string, caseId: string, c: { outcome: CloseOutcome; from: StepName; by: string; at: Date; on: LocalDate; reason: string; evidence: Record<string, unknown> | null }): Promise<void> {
  await tx.query(
    `UPDATE discipline_case SET stage = 'closed', outcome = $3, closed_from = $4, closed_by = $5, closed_at = $6, closed_on = $7::date, close_reason = $8,
       close_evidence = $9::jsonb
     WHERE employee_id = $1 AND case_id = $2 AND stage <> 'closed'`,
    [employeeId, caseId, c.outcome, c.from, c.by, c.at, c.on, c.reason, c.evidence === null ? null : JSON.stringify(c.evidence)],
  );
}

/**
 * Clears the review flag with a note; the weeks' current values become the ones last reviewed, so
 * the same late data does not flag the case again (new changes will).
 */
export async function clearReviewRow(tx: Db, employeeId: string, caseId: string, cleared: { by: string; at: string; note: string; changes: ReviewChange[] }): Promise<void> {
  await tx.query(
    `UPDATE discipline_evidence_week ew SET seen_status = w.status, seen_present = w.present, seen_required = w.required
     FROM weekly_compliance w
     WHERE ew.employee_id = $1 AND ew.case_id = $2 AND w.employee_id = ew.employee_id AND w.week_start = ew.week_start`,
    [employeeId, caseId],
  );
  await tx.query(
    `UPDATE discipline_case SET needs_review = false, review_cleared = $3::jsonb WHERE employee_id = $1 AND case_id = $2`,
    [employeeId, caseId, JSON.stringify(cleared)],
  );
}

export interface FlaggedCase {
  caseId: string;
  employeeId: string;
  changes: ReviewChange[];
}

/**
 * The review-flag step of evaluation, one statement: for each open case with an evidence week among
 * the weeks just written, compares all its evidence weeks with the stored weekly records (against
 * the values last reviewed) and flags the case with what changed. A case already flagged with the
 * same changes is left as it is (re-running an evaluation flags nothing new).
 */
export async function flagChangedEvidence(tx: Db, mondays: readonly LocalDate[], employeeIds: readonly string[] | undefined, at: Date): Promise<FlaggedCase[]> {
  if (mondays.length === 0) return [];
  const params: unknown[] = [mondays, at];
  let who = '';
  if (employeeIds) {
    params.push(employeeIds);
    who = 'AND employee_id = ANY($3::text[])';
  }
  const rows = await tx.query<{ case_id: string; employee_id: string; changes: unknown }>(
    `WITH touched AS (
       SELECT DISTINCT employee_id, case_id FROM discipline_evidence_week WHERE week_start = ANY($1::date[]) ${who}
     ), changed AS (
       SELECT ew.employee_id, ew.case_id,
              jsonb_agg(jsonb_build_object(
                'weekStart', ew.week_start, 'stepNo', ew.step_no,
                'before', jsonb_build_object('status', ew.seen_status, 'present', ew.seen_present, 'required', ew.seen_required),
                'after', jsonb_build_object('status', w.status, 'present', w.present, 'required', w.required))
                ORDER BY ew.week_start, ew.step_no) AS changes
       FROM touched t
       JOIN discipline_case c ON c.employee_id = t.employee_id AND c.case_id = t.case_id AND c.stage <> 'closed'
       JOIN discipline_evidence_week ew ON ew.employee_id = t.employee_id AND ew.case_id = t.case_id
       JOIN weekly_compliance w ON w.employee_id = ew.employee_id AND w.week_start = ew.week_start
       WHERE w.status <> ew.seen_status OR w.present <> ew.seen_present OR w.required <> ew.seen_required
       GROUP BY ew.employee_id, ew.case_id
     )
     UPDATE discipline_case c SET needs_review = true, review_changes = changed.changes, flagged_at = $2
     FROM changed
     WHERE c.employee_id = changed.employee_id AND c.case_id = changed.case_id
       AND (NOT c.needs_review OR c.review_changes IS DISTINCT FROM changed.changes)
     RETURNING c.case_id, c.employee_id, changed.changes`,
    params,
  );
  return rows.map((r) => ({ caseId: r.case_id, employeeId: r.employee_id, changes: json<ReviewChange[]>(r.changes) ?? [] }));
}
