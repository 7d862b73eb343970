/** Promotion nominations: inserted pending, decided once (the row is never changed after). */
import type { Db } from './db.js';
import { sqlFilter } from './sql-filter.js';
import { subtreeSql } from './org.repository.js';
import type { LocalDate } from '../engine/dates.js';
import type { ApprovalRule, PromotionStatus, StandingEvidence } from '../engine/promotion.js';

export interface PromotionRecord {
  promotionId: string;
  employeeId: string;
  nominatedBy: string;
  fromLevel: number;
  toLevel: number;
  status: PromotionStatus;
  reason: string;
  nominatedAt: string;
  nominatedOn: LocalDate;
  nominationEvidence: StandingEvidence;
  decidedBy: string | null;
  decidedAt: string | null;
  decidedOn: LocalDate | null;
  decisionReason: string | null;
  decisionRule: ApprovalRule | null;
  ruleChanged: boolean | null;
  ruleNote: string | null;
  decisionEvidence: StandingEvidence | null;
}

interface Row {
  promotion_id: string; employee_id: string; nominated_by: string; from_level: number; to_level: number; status: PromotionStatus; reason: string;
  nominated_at: string; nominated_on: string; nomination_evidence: StandingEvidence | string; decided_by: string | null; decided_at: string | null;
  decided_on: string | null; decision_reason: string | null; decision_rule: ApprovalRule | null; rule_changed: boolean | null; rule_note: string | null;
  decision_evidence: StandingEvidence | string | null;
}

const COLUMNS = `promotion_id, employee_id, nominated_by, from_level, to_level, status, reason, nominated_at, nominated_on, nomination_evidence,
  decided_by, decided_at, decided_on, decision_reason, decision_rule, rule_changed, rule_note, decision_evidence`;

function json<T>(v: T | string | null): T | null {
  return v === null ? null : typeof v === 'string' ? (JSON.parse(v) as T) : v;
}

function toRecord(r: Row): PromotionRecord {
  return {
    promotionId: r.promotion_id, employeeId: r.employee_id, nominatedBy: r.nominated_by, fromLevel: Number(r.from_level), toLevel: Number(r.to_level),
    status: r.status, reason: r.reason, nominatedAt: r.nominated_at, nominatedOn: r.nominated_on as LocalDate,
    nominationEvidence: json(r.nomination_evidence)!, decidedBy: r.decided_by, decidedAt: r.decided_at, decidedOn: r.decided_on as LocalDate | null,
    decisionReason: r.decision_reason, decisionRule: r.decision_rule, ruleChanged: r.rule_changed, ruleNote: r.rule_note,
    decisionEvidence: json(r.decision_evidence),
  };
}

export interface NewPromotion {
  employeeId: string;
  nominatedBy: string;
  fromLevel: number;
  toLevel: number;
  reason: string;
  at: Date;
  on: LocalDate;
  evidence: StandingEvidence;
}

/** Inserts a pending nomination; returns its id (P1, P2, …). The unique index keeps one pending per employee. */
export async function insertPromotion(tx: Db, p: NewPromotion): Promise<string> {
  const rows = await tx.query<{ promotion_id: string }>(
    `INSERT INTO promotion (employee_id, promotion_id, nominated_by, from_level, to_level, status, reason, nominated_at, nominated_on, nomination_evidence)
     VALUES ($1, 'P' || nextval('promotion_seq'), $2, $3, $4, 'pending', $5, $6, $7::date, $8::jsonb)
     RETURNING promotion_id`,
    [p.employeeId, p.nominatedBy, p.fromLevel, p.toLevel, p.reason, p.at, p.on, JSON.stringify(p.evidence)],
  );
  return rows[0]!.promotion_id;
}

/** One nomination by id; `lock` takes a row lock for the rest of the transaction. */
export async function getPromotion(db: Db, promotionId: string, lock = false): Promise<PromotionRecord | null> {
  const rows = await db.query<Row>(`SELECT ${COLUMNS} FROM promotion WHERE promotion_id = $1 ${lock ? 'FOR UPDATE' : ''}`, [promotionId]);
  return rows[0] ? toRecord(rows[0]) : null;
}

export async function hasPendingPromotion(db: Db, employeeId: string): Promise<boolean> {
  const rows = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM promotion WHERE employee_id = $1 AND status = 'pending'`, [employeeId]);
  return Number(rows[0]!.n) > 0;
}

export interface PromotionDecision {
  status: Exclude<PromotionStatus, 'pending'>;
  by: string;
  at: Date;
  on: LocalDate;
  reason: string | null;
  rule: ApprovalRule | null;
  ruleChanged: boolean | null;
  ruleNote: string | null;
  evidence: StandingEvidence | null;
}

/** Records the decision of a pending nomination (false when it was no longer pending). */
export async function decidePromotionRow(tx: Db, employeeId: string, promotionId: string, d: PromotionDecision): Promise<boolean> {
  const r = await tx.run(
    `UPDATE promotion SET status = $3, decided_by = $4, decided_at = $5, decided_on = $6::date, decision_reason = $7, decision_rule = $8,
       rule_changed = $9, rule_note = $10, decision_evidence = $11::jsonb
     WHERE employee_id = $1 AND promotion_id = $2 AND status = 'pending'`,
    [employeeId, promotionId, d.status, d.by, d.at, d.on, d.reason, d.rule, d.ruleChanged, d.ruleNote, d.evidence === null ? null : JSON.stringify(d.evidence)],
  );
  return r.rowCount === 1;
}

export interface PromotionFilter {
  status?: PromotionStatus;
  employeeIds?: readonly string[];
  /** Only the people in this person's subtree (themself included). */
  subtreeOf?: string;
  limit?: number;
}

/** Nominations, newest first. */
export async function listPromotionRows(db: Db, f: PromotionFilter): Promise<PromotionRecord[]> {
  const { where, clause, params, p } = sqlFilter();
  if (f.status) where.push(`status = ${p(f.status)}`);
  if (f.employeeIds) where.push(`employee_id = ANY(${p(f.employeeIds)}::text[])`);
  if (f.subtreeOf !== undefined) where.push(`employee_id IN ${subtreeSql(p(f.subtreeOf))}`);
  const limit = p(f.limit ?? 10_000);
  const rows = await db.query<Row>(
    `SELECT ${COLUMNS} FROM promotion ${clause()}
     ORDER BY nominated_at DESC, length(promotion_id) DESC, promotion_id DESC LIMIT ${limit}`,
    params,
  );
  return rows.map(toRecord);
}
