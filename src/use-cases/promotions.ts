/**
 * Promotion gating (issue 4 item 3): `hubday promotion nominate|approve|deny|withdraw|list|show`.
 *
 * Each use case loads what the rule needs (the chain, the policy's vpLevel, the standing with
 * open-dispute weeks left out), calls the pure rule in engine/promotion.ts, and writes the change
 * with its audit entry in one transaction. The standing is read at nomination and again at
 * decision; both snapshots are stored with the nomination.
 */
import type { Deps } from './deps.js';
import type { Db } from '../store/db.js';
import { HubdayError, refusedError } from '../errors.js';
import { type LocalDate, mondayOf } from '../engine/dates.js';
import { canViewAttendance, seesEveryone, type Actor, type Chain } from '../engine/org.js';
import type { Employee, Policy, StandingParams, DisciplineParams } from '../engine/types.js';
import { resolvePolicy, DEFAULT_STANDING, DEFAULT_DISCIPLINE, POLICY_DEFAULTS } from '../engine/policy.js';
import { scopeSubjectOf } from '../engine/compliance.js';
import { standingWindow } from '../engine/standing.js';
import {
  approversOf, decide, mayDecide, nominate, ruleAtDecision, standingEvidence,
  type Approvers, type ApprovalRule, type EvidenceWeek, type Nomination, type PromotionStatus, type StandingEvidence,
} from '../engine/promotion.js';
import { auditReads, audited, chainOf } from './actor.js';
import { weeklyRecordsFor } from './weekly-records.js';
import { getEmployees } from '../store/employee.repository.js';
import { listPolicies } from '../store/policy.repository.js';
import { relocationsByEmployee } from '../store/hr.repository.js';
import { managementChains } from '../store/org.repository.js';
import {
  decidePromotionRow, getPromotion, hasPendingPromotion, insertPromotion, listPromotionRows, type PromotionRecord,
} from '../store/promotion.repository.js';

// ---------------------------------------------------------------------------------------------
// What promotion and discipline decisions read about a person (shared with use-cases/discipline.ts)

export interface Subject {
  employee: Employee;
  chain: Chain;
  /** The policy governing the last complete week (as for standing). */
  policy: Policy | null;
  vpLevel: number;
  standingParams: StandingParams;
  discipline: DisciplineParams;
}

/** People with their chain and governing policy, in a few statements for all of them. */
export async function loadSubjects(db: Db, ids: readonly string[], asOf: LocalDate): Promise<Map<string, Subject>> {
  const out = new Map<string, Subject>();
  if (ids.length === 0) return out;
  // One after the other: inside a transaction the statements share one connection.
  const employees = await getEmployees(db, ids);
  const chains = await managementChains(db, ids);
  const relocations = await relocationsByEmployee(db, ids);
  const policies = await listPolicies(db);
  const lastMonday = standingWindow(asOf, 1).mondays[0]!;
  for (const e of employees) {
    const policy = resolvePolicy(policies, scopeSubjectOf(e, relocations.get(e.employeeId) ?? null, lastMonday), lastMonday);
    out.set(e.employeeId, {
      employee: e, chain: chains.get(e.employeeId) ?? [{ employeeId: e.employeeId, level: e.level, managerId: e.managerId }], policy,
      vpLevel: policy?.vpLevel ?? POLICY_DEFAULTS.vpLevel, standingParams: policy?.standing ?? DEFAULT_STANDING, discipline: policy?.discipline ?? DEFAULT_DISCIPLINE,
    });
  }
  return out;
}

export async function loadSubject(db: Db, id: string, asOf: LocalDate): Promise<Subject> {
  const s = (await loadSubjects(db, [id], asOf)).get(id);
  if (!s) throw new HubdayError('not_found', `no employee ${id}`);
  return s;
}

/** The Mondays of the weeks on which each employee has an open dispute. */
export async function openDisputeWeeks(db: Db, ids: readonly string[]): Promise<Map<string, Set<LocalDate>>> {
  const out = new Map<string, Set<LocalDate>>();
  if (ids.length === 0) return out;
  const rows = await db.query<{ employee_id: string; day: string }>(
    `SELECT DISTINCT employee_id, day FROM dispute WHERE status = 'open' AND employee_id = ANY($1::text[])`, [ids],
  );
  for (const r of rows) {
    let set = out.get(r.employee_id);
    if (!set) out.set(r.employee_id, (set = new Set()));
    set.add(mondayOf(r.day as LocalDate));
  }
  return out;
}

export function isEmployed(e: Employee, today: LocalDate): boolean {
  return e.terminationDate === null || e.terminationDate >= today;
}

/**
 * The standing each person's decisions rest on, as of a date: the policy's window of complete weeks
 * (stored records, and weeks not yet evaluated computed live, as `hubday standing`), with
 * non-compliant weeks under an open dispute left out.
 */
export async function standingEvidenceOf(deps: Deps, subjects: readonly Subject[], asOf: LocalDate): Promise<Map<string, StandingEvidence>> {
  const out = new Map<string, StandingEvidence>();
  if (subjects.length === 0) return out;
  const mondays = new Set<LocalDate>();
  for (const s of subjects) for (const m of standingWindow(asOf, s.standingParams.windowWeeks).mondays) mondays.add(m);
  const ids = subjects.map((s) => s.employee.employeeId);
  const records = await weeklyRecordsFor(deps, ids, [...mondays]);
  const disputes = await openDisputeWeeks(deps.db, ids);
  for (const s of subjects) {
    const id = s.employee.employeeId;
    const open = disputes.get(id);
    const weeks: EvidenceWeek[] = (records.get(id) ?? []).map((w) => ({
      weekStart: w.weekStart, status: w.status, present: w.present, required: w.required, policy: w.policy, openDispute: open?.has(w.weekStart) ?? false,
    }));
    out.set(id, standingEvidence(asOf, weeks, s.standingParams, s.policy ? { id: s.policy.id, version: s.policy.version } : null));
  }
  return out;
}

/** What an audit entry says about a standing: counts and ratio, no weeks' details. */
export function standingSummary(s: StandingEvidence): Record<string, unknown> {
  return {
    goodStanding: s.goodStanding, ratio: s.ratio, tier: s.tier, counted: s.counted, compliant: s.compliant, measure: s.measure, minRatio: s.minRatio,
    from: s.from, to: s.to, excludedWeeks: s.excludedWeeks.length, policy: s.policy,
  };
}

/** Records reads of other people's attendance-derived data (standing, evidence) in one transaction. */
function requireReason(reason: string | undefined | null, what: string): string {
  const r = (reason ?? '').trim();
  if (r === '') throw new HubdayError('invalid_usage', `${what} needs a reason: --reason "…"`, [], 'reason_required');
  return r;
}

// ---------------------------------------------------------------------------------------------
// Promotions

export interface PromotionView extends PromotionRecord {
  employeeName: string;
  /** For a pending nomination: the standing now, the rule it implies and who may decide. */
  standingNow: StandingEvidence | null;
  ruleNow: { rule: ApprovalRule; changed: boolean; note: string } | null;
  approvers: Approvers | null;
  /** May the actor who asked approve or deny it now? */
  youMayDecide: boolean;
}

function nominationOf(p: PromotionRecord): Nomination {
  return {
    employeeId: p.employeeId, nominatedBy: p.nominatedBy, fromLevel: p.fromLevel, toLevel: p.toLevel, status: p.status,
    goodStandingAtNomination: p.nominationEvidence.goodStanding,
  };
}

function viewOf(p: PromotionRecord, subject: Subject | undefined, standingNow: StandingEvidence | null, actor: Actor): PromotionView {
  let ruleNow: PromotionView['ruleNow'] = null;
  let approvers: Approvers | null = null;
  let youMayDecide = false;
  if (p.status === 'pending' && subject && standingNow) {
    const n = nominationOf(p);
    ruleNow = ruleAtDecision(n.goodStandingAtNomination, standingNow.goodStanding);
    approvers = approversOf(n, subject.chain, ruleNow.rule, subject.vpLevel);
    youMayDecide = mayDecide(n, actor, subject.chain, { vpLevel: subject.vpLevel, currentLevel: subject.employee.level, standing: standingNow }) === null;
  }
  return { ...p, employeeName: subject?.employee.name ?? '', standingNow, ruleNow, approvers, youMayDecide };
}

export interface NominateInput {
  employeeId: string;
  toLevel: number;
  reason: string;
}

/** `promotion nominate E100 --to-level 6 --reason … --as M1` */
export async function nominatePromotion(deps: Deps, actor: Actor, input: NominateInput): Promise<PromotionView> {
  const reason = requireReason(input.reason, 'a nomination');
  const today = deps.clock.today();
  return audited(deps, async (tx, audit) => {
    const d = { ...deps, db: tx };
    const subject = await loadSubject(tx, input.employeeId, today);
    const standing = (await standingEvidenceOf(d, [subject], today)).get(input.employeeId)!;
    const r = nominate(actor, subject.chain, {
      employeeId: input.employeeId, currentLevel: subject.employee.level, toLevel: input.toLevel,
      hasPending: await hasPendingPromotion(tx, input.employeeId), employed: isEmployed(subject.employee, today), standing,
    });
    if (!r.ok) throw refusedError(r);
    const id = await insertPromotion(tx, {
      employeeId: input.employeeId, nominatedBy: actor.id, fromLevel: subject.employee.level, toLevel: input.toLevel, reason,
      at: deps.clock.now(), on: today, evidence: standing,
    });
    audit({
      actor: actor.id, action: 'promotion.nominated', subject: input.employeeId, entity: `promotion:${id}`,
      after: { promotionId: id, status: 'pending', fromLevel: subject.employee.level, toLevel: input.toLevel, rule: r.rule, standing: standingSummary(standing) },
      reason,
    });
    const p = (await getPromotion(tx, id))!;
    return viewOf(p, subject, standing, actor);
  });
}

export interface DecideInput {
  promotionId: string;
  reason?: string | null;
}

async function decideOne(deps: Deps, actor: Actor, input: DecideInput, kind: 'approve' | 'deny' | 'withdraw'): Promise<PromotionView> {
  const reason = kind === 'deny' ? requireReason(input.reason, 'a denial') : (input.reason ?? '').trim() || null;
  const today = deps.clock.today();
  return audited(deps, async (tx, audit) => {
    const d = { ...deps, db: tx };
    const p = await getPromotion(tx, input.promotionId, true);
    if (!p) throw new HubdayError('not_found', `no promotion nomination ${input.promotionId} (see "hubday promotion list")`);
    const subject = await loadSubject(tx, p.employeeId, today);
    if (!canViewAttendance(actor, subject.chain) && !(actor.kind === 'person' && actor.id === p.nominatedBy)) {
      // Outsiders learn nothing about the nomination beyond that they may not act on it.
      throw new HubdayError('forbidden', `${actor.id} may not act on nomination ${p.promotionId}: only ${p.employeeId}'s management chain and HR may`, [], 'not_in_reporting_line');
    }
    const standing = kind === 'withdraw' ? null : (await standingEvidenceOf(d, [subject], today)).get(p.employeeId)!;
    const r = decide(nominationOf(p), { kind }, actor, subject.chain, {
      vpLevel: subject.vpLevel, currentLevel: subject.employee.level, standing: standing ?? p.nominationEvidence,
    });
    if (!r.ok) throw refusedError(r);
    const changed = await decidePromotionRow(tx, p.employeeId, p.promotionId, {
      status: r.status, by: actor.id, at: deps.clock.now(), on: today, reason, rule: r.rule, ruleChanged: kind === 'withdraw' ? null : r.ruleChanged,
      ruleNote: r.ruleNote, evidence: standing,
    });
    if (!changed) throw new HubdayError('conflict', `nomination ${p.promotionId} was decided meanwhile`, [], 'promotion_not_pending');
    audit({
      actor: actor.id, action: `promotion.${r.status}`, subject: p.employeeId, entity: `promotion:${p.promotionId}`,
      before: { status: 'pending', goodStandingAtNomination: p.nominationEvidence.goodStanding },
      after: {
        promotionId: p.promotionId, status: r.status, fromLevel: p.fromLevel, toLevel: p.toLevel,
        ...(r.rule ? { rule: r.rule, ruleChanged: r.ruleChanged } : {}),
        ...(standing ? { standing: standingSummary(standing) } : {}),
      },
      reason,
    });
    const after = (await getPromotion(tx, p.promotionId))!;
    return viewOf(after, subject, null, actor);
  });
}

/** `promotion approve P1 --as V1 [--reason …]` */
export function approvePromotion(deps: Deps, actor: Actor, input: DecideInput): Promise<PromotionView> {
  return decideOne(deps, actor, input, 'approve');
}

/** `promotion deny P1 --reason … --as V1` */
export function denyPromotion(deps: Deps, actor: Actor, input: DecideInput): Promise<PromotionView> {
  return decideOne(deps, actor, input, 'deny');
}

/** `promotion withdraw P1 --as M1 [--reason …]` (the nominator, or HR) */
export function withdrawPromotion(deps: Deps, actor: Actor, input: DecideInput): Promise<PromotionView> {
  return decideOne(deps, actor, input, 'withdraw');
}

export interface ListPromotionsInput {
  /** Only pending nominations; for a person without the hr role, only those they may decide. */
  pending?: boolean;
  employeeId?: string;
  status?: PromotionStatus;
}

/**
 * Nominations the actor may see: their own, their subtree's, every one for HR and the operator.
 * `pending`: what the actor may decide now (HR and the operator: every pending nomination, each
 * with its rule and deciders). Pending ones come with the standing now; the reads are audited.
 */
export async function listPromotions(deps: Deps, actor: Actor, input: ListPromotionsInput = {}): Promise<PromotionView[]> {
  const today = deps.clock.today();
  if (input.employeeId !== undefined) await chainOf(deps.db, input.employeeId);
  const rows = await listPromotionRows(deps.db, {
    status: input.pending ? 'pending' : input.status, employeeIds: input.employeeId !== undefined ? [input.employeeId] : undefined,
    // Narrowed in SQL to what a manager may see, so that other people's rows never fill the limit.
    subtreeOf: seesEveryone(actor) || input.employeeId !== undefined ? undefined : actor.id,
  });
  const ids = [...new Set(rows.map((r) => r.employeeId))];
  const subjects = await loadSubjects(deps.db, ids, today);
  const visible = rows.filter((r) => {
    const s = subjects.get(r.employeeId);
    return s !== undefined && canViewAttendance(actor, s.chain);
  });
  const pendingSubjects = [...new Set(visible.filter((r) => r.status === 'pending').map((r) => r.employeeId))].map((id) => subjects.get(id)!);
  const standings = await standingEvidenceOf(deps, pendingSubjects, today);
  let views = visible.map((r) => viewOf(r, subjects.get(r.employeeId), standings.get(r.employeeId) ?? null, actor));
  const seesAll = seesEveryone(actor);
  if (input.pending && !seesAll) views = views.filter((v) => v.youMayDecide);
  await auditReads(deps, actor, views.map((v) => v.employeeId), input.pending ? 'promotion list --pending' : 'promotion list');
  return views;
}

/** `promotion show P1 --as X`: the nomination, its evidence, and (pending) the standing now and who may decide. */
export async function showPromotion(deps: Deps, actor: Actor, input: { promotionId: string }): Promise<PromotionView> {
  const today = deps.clock.today();
  const p = await getPromotion(deps.db, input.promotionId);
  if (!p) throw new HubdayError('not_found', `no promotion nomination ${input.promotionId} (see "hubday promotion list")`);
  const subject = await loadSubject(deps.db, p.employeeId, today);
  if (!canViewAttendance(actor, subject.chain)) {
    throw new HubdayError('forbidden', `${actor.id} may not read nomination ${p.promotionId}: only ${p.employeeId}, their management chain and HR may`, [], 'not_in_reporting_line');
  }
  const standing = p.status === 'pending' ? (await standingEvidenceOf(deps, [subject], today)).get(p.employeeId)! : null;
  await auditReads(deps, actor, [p.employeeId], `promotion ${p.promotionId}`);
  return viewOf(p, subject, standing, actor);
}
