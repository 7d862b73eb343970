/**
 * Progressive discipline (issue 4 item 4): `hubday discipline warn|escalate|acknowledge|refuse-ack|
 * hr-review|close|clear-review|show|list`.
 *
 * Each use case loads the case and the evidence the rule needs (stored complete weekly records,
 * open disputes, an exception active today, the policy's discipline parameters), calls the pure
 * transition in engine/discipline.ts, and writes the change with its audit entry in one
 * transaction. Each step stores its evidence snapshot (the weeks counted with their status,
 * present, required and policy; the standing; the dates and parameters). Nothing is ever done
 * automatically: evaluation only flags a case whose evidence weeks changed (flagCasesForReview).
 */
import type { Deps } from './deps.js';
import type { Db } from '../store/db.js';
import { HubdayError, refusedError } from '../errors.js';
import { type LocalDate, dayNumber } from '../engine/dates.js';
import { canViewAttendance, seesEveryone, type Actor } from '../engine/org.js';
import { standingWindow } from '../engine/standing.js';
import { standingEvidence } from '../engine/promotion.js';
import {
  newCase, nextStepOf, resolutionCheck, stepPreconditions, transition,
  type CaseState, type CloseOutcome, type DisciplineAction, type DisciplineEvidence, type DisciplineRules, type EvidenceWeek,
  type ResolutionCheck, type StepEvidence, type StepName,
} from '../engine/discipline.js';
import type { Refusal } from '../engine/refusal.js';
import { auditReads, audited, chainOf } from './actor.js';
import { isEmployed, loadSubjects, openDisputeWeeks, standingSummary, type Subject } from './promotions.js';
import { readWeeklyRecords } from '../store/compliance.repository.js';
import { appendAuditEntries } from '../store/audit.repository.js';
import {
  caseState, clearReviewRow, closeCaseRow, flagChangedEvidence, getCase, insertCase, insertStep, lastClosedOn, listCaseRows, openCaseOf, recordAck, recordHrReview,
  type CaseRecord,
} from '../store/discipline.repository.js';
import type { EvaluatedWeeks } from './after-evaluation.js';
import { listExceptions } from '../store/exception.repository.js';
import { effectiveRange } from '../engine/exceptions.js';

// ---------------------------------------------------------------------------------------------
// Evidence

interface CaseContext {
  subject: Subject;
  rules: DisciplineRules;
  evidence: DisciplineEvidence;
  /** The stored weekly records' ISO week names and status reasons, by Monday. */
  weekInfo: Map<LocalDate, { week: string; reason: string }>;
}

function rulesOf(s: Subject): DisciplineRules {
  return { ...s.discipline, lookbackWeeks: s.standingParams.windowWeeks };
}

/**
 * The evidence for some employees' cases as of today, in a few statements for all of them: stored
 * weekly records from the earlier of the standing window and the case's last step, open disputes,
 * an approved exception covering today, and the closing day of their previous case.
 */
async function loadContexts(db: Db, employeeIds: readonly string[], today: LocalDate, lastStepOn: Map<string, LocalDate>): Promise<Map<string, CaseContext>> {
  const out = new Map<string, CaseContext>();
  if (employeeIds.length === 0) return out;
  const subjects = await loadSubjects(db, employeeIds, today);
  let from = today;
  for (const s of subjects.values()) {
    const f = standingWindow(today, Math.max(1, s.standingParams.windowWeeks)).from;
    if (f < from) from = f;
  }
  for (const d of lastStepOn.values()) if (d < from) from = d;
  const records = await readWeeklyRecords(db, employeeIds, from, today);
  const disputes = await openDisputeWeeks(db, employeeIds);
  // In force today (as evaluation reads them): per person, the one that lasts longest.
  const exceptionOf = new Map<string, { exceptionId: string; kind: string; endDate: LocalDate }>();
  for (const x of await listExceptions(db, { employeeIds, activeOn: today, limit: 100_000 })) {
    const endDate = effectiveRange(x)!.endDate;
    const seen = exceptionOf.get(x.employeeId);
    if (!seen || endDate > seen.endDate) exceptionOf.set(x.employeeId, { exceptionId: x.exceptionId, kind: x.kind, endDate });
  }
  const closedOf = await lastClosedOn(db, employeeIds);
  for (const [id, subject] of subjects) {
    const open = disputes.get(id);
    const weekInfo = new Map<LocalDate, { week: string; reason: string }>();
    const weeks: EvidenceWeek[] = [];
    for (const w of records.get(id)?.values() ?? []) {
      weekInfo.set(w.weekStart, { week: w.week, reason: w.reason });
      weeks.push({ weekStart: w.weekStart, status: w.status, present: w.present, required: w.required, policy: w.policy, openDispute: open?.has(w.weekStart) ?? false });
    }
    out.set(id, {
      subject, rules: rulesOf(subject), weekInfo,
      evidence: { today, weeks, exception: exceptionOf.get(id) ?? null, employed: isEmployed(subject.employee, today), previousCaseClosedOn: closedOf.get(id) ?? null },
    });
  }
  return out;
}

async function loadContext(db: Db, employeeId: string, today: LocalDate, state: CaseState): Promise<CaseContext> {
  const last = state.steps[state.steps.length - 1];
  const c = (await loadContexts(db, [employeeId], today, last ? new Map([[employeeId, last.on]]) : new Map())).get(employeeId);
  if (!c) throw new HubdayError('not_found', `no employee ${employeeId}`);
  return c;
}

/** The evidence snapshot stored with a step (jsonb), from what the rule counted. */
function stepSnapshot(ctx: CaseContext, state: CaseState, se: StepEvidence): Record<string, unknown> {
  const counted = new Set(se.counted.map((w) => w.weekStart));
  const last = state.steps[state.steps.length - 1] ?? null;
  const standing = standingEvidence(ctx.evidence.today, ctx.evidence.weeks, ctx.subject.standingParams, ctx.subject.policy ? { id: ctx.subject.policy.id, version: ctx.subject.policy.version } : null);
  return {
    asOf: ctx.evidence.today,
    policy: ctx.subject.policy ? { id: ctx.subject.policy.id, version: ctx.subject.policy.version } : null,
    rules: ctx.rules,
    since: se.since,
    from: se.from,
    to: se.to,
    needed: se.needed,
    counted: se.counted.length,
    countedWeeks: se.counted.map((w) => w.weekStart),
    weeks: se.considered.map((w) => ({
      weekStart: w.weekStart, week: ctx.weekInfo.get(w.weekStart)?.week ?? null, status: w.status, reason: ctx.weekInfo.get(w.weekStart)?.reason ?? null,
      present: w.present, required: w.required, policy: w.policy,
      openDispute: w.openDispute, counted: counted.has(w.weekStart),
    })),
    excluded: se.excluded,
    previousStep: last ? { step: last.step, on: last.on, ack: last.ack ? { kind: last.ack.kind, by: last.ack.by, on: last.ack.on } : null } : null,
    daysSincePreviousStep: last ? dayNumber(ctx.evidence.today) - dayNumber(last.on) : null,
    hrReview: state.stage === 'written_warning' ? state.hrReview : null,
    exception: ctx.evidence.exception,
    standing: { ...standingSummary(standing), presentDays: standing.presentDays, requiredDays: standing.requiredDays },
  };
}

// ---------------------------------------------------------------------------------------------
// Views

export interface NextStep {
  step: StepName | null;
  /** What stands in the way of the next step today (empty: a manager or HR may take it). */
  blockers: Refusal[];
}

export interface CaseView extends CaseRecord {
  employeeName: string;
  next: NextStep;
  /** For an open case: the run of compliant weeks since the last step (eligible: suggest closing as resolved). */
  resolution: ResolutionCheck | null;
}

/** An HR-like stand-in to list the preconditions of the next step whoever asks (the actor is checked on the real action). */
const ANY_MANAGER: Actor = { id: '(manager or HR)', kind: 'person', roles: ['hr'] };

function viewOf(c: CaseRecord, ctx: CaseContext | undefined): CaseView {
  const state = caseState(c);
  let next: NextStep = { step: null, blockers: [] };
  let resolution: ResolutionCheck | null = null;
  if (ctx && state.stage !== 'closed') {
    const step = nextStepOf(state);
    next = { step, blockers: step ? stepPreconditions(state, step, ANY_MANAGER, ctx.subject.chain, ctx.evidence, ctx.rules) : [] };
    resolution = resolutionCheck(state, ctx.evidence, ctx.rules);
  }
  return { ...c, employeeName: ctx?.subject.employee.name ?? '', next, resolution };
}

async function caseView(db: Db, caseId: string, today: LocalDate): Promise<CaseView> {
  const c = (await getCase(db, caseId))!;
  const state = caseState(c);
  if (state.stage !== 'closed') return viewOf(c, await loadContext(db, c.employeeId, today, state));
  const v = viewOf(c, undefined);
  v.employeeName = (await loadSubjects(db, [c.employeeId], today)).get(c.employeeId)?.employee.name ?? '';
  return v;
}

// ---------------------------------------------------------------------------------------------
// Actions

function requireReason(reason: string | undefined | null, what: string, flag = '--reason'): string {
  const r = (reason ?? '').trim();
  if (r === '') throw new HubdayError('invalid_usage', `${what} needs a reason: ${flag} "…"`, [], 'reason_required');
  return r;
}

async function lockedCase(tx: Db, caseId: string): Promise<CaseRecord> {
  const c = await getCase(tx, caseId, true);
  if (!c) throw new HubdayError('not_found', `no discipline case ${caseId} (see "hubday discipline list")`);
  return c;
}

/** Outsiders learn nothing about a case beyond that they may not act on it. */
async function requireInLine(tx: Db, actor: Actor, employeeId: string, caseId: string | null): Promise<void> {
  const chain = await chainOf(tx, employeeId);
  if (!canViewAttendance(actor, chain)) {
    throw new HubdayError('forbidden', `${actor.id} may not act on ${caseId ? `case ${caseId}` : `${employeeId}'s discipline`}: only ${employeeId}, their management chain and HR may`, [], 'not_in_reporting_line');
  }
}

function apply(state: CaseState, action: DisciplineAction, actor: Actor, ctx: CaseContext) {
  const r = transition(state, action, actor, ctx.subject.chain, ctx.evidence, ctx.rules);
  if (!r.ok) throw refusedError(r);
  return r;
}

async function takeStep(deps: Deps, actor: Actor, employeeId: string, caseId: string | null, step: StepName, reasonText: string | undefined): Promise<CaseView> {
  const reason = requireReason(reasonText, `recording a ${step.replace('_', ' ')}`);
  const today = deps.clock.today();
  const id = await audited(deps, async (tx, audit) => {
    let record: CaseRecord | null;
    if (caseId !== null) {
      record = await lockedCase(tx, caseId);
      employeeId = record.employeeId;
    } else record = await openCaseOf(tx, employeeId, true);
    await requireInLine(tx, actor, employeeId, caseId);
    const state = record ? caseState(record) : newCase(employeeId);
    const ctx = await loadContext(tx, employeeId, today, state);
    const r = apply(state, { kind: 'step', step }, actor, ctx);
    const se = r.stepEvidence!;
    const evidence = stepSnapshot(ctx, state, se);
    const now = deps.clock.now();
    const id = record?.caseId ?? (await insertCase(tx, { employeeId, by: actor.id, at: now, on: today }));
    const stepNo = state.steps.length + 1;
    await insertStep(tx, {
      employeeId, caseId: id, stepNo, step, by: actor.id, at: now, on: today, reason, evidence,
      countedWeeks: se.counted.map((w) => ({ weekStart: w.weekStart, status: w.status, present: w.present, required: w.required })),
    });
    audit({
      actor: actor.id, action: `discipline.${step}`, subject: employeeId, entity: `discipline:${id}`,
      before: { stage: state.stage },
      after: {
        caseId: id, stage: step, stepNo, counted: se.counted.length, needed: se.needed, weeks: se.counted.map((w) => w.weekStart),
        excludedWeeks: se.excluded.length, standing: { goodStanding: (evidence.standing as { goodStanding: boolean }).goodStanding, ratio: (evidence.standing as { ratio: number | null }).ratio, tier: (evidence.standing as { tier: string | null }).tier },
        ...(step === 'termination_eligible' && state.hrReview ? { hrReviewBy: state.hrReview.by } : {}),
      },
      reason,
    });
    return id;
  });
  return caseView(deps.db, id, today);
}

/** `discipline warn E100 --step verbal_warning|written_warning --reason … --as M1` (the first warning opens the case). */
export function warn(deps: Deps, actor: Actor, input: { employeeId: string; step: 'verbal_warning' | 'written_warning'; reason: string }): Promise<CaseView> {
  return takeStep(deps, actor, input.employeeId, null, input.step, input.reason);
}

/** `discipline escalate D1 --reason … --as M1`: termination_eligible (after an approved HR review). */
export function escalate(deps: Deps, actor: Actor, input: { caseId: string; reason: string }): Promise<CaseView> {
  return takeStep(deps, actor, '', input.caseId, 'termination_eligible', input.reason);
}

/** Runs a non-step action on a case; `write` records it, `entry` describes it for the audit log. */
async function onCase(
  deps: Deps, actor: Actor, caseId: string, action: DisciplineAction,
  write: (tx: Db, c: CaseRecord, next: CaseState, r: { resolution?: ResolutionCheck }, ctx: CaseContext) => Promise<{ action: string; before?: unknown; after: unknown; reason: string | null }>,
): Promise<CaseView> {
  const today = deps.clock.today();
  await audited(deps, async (tx, audit) => {
    const c = await lockedCase(tx, caseId);
    await requireInLine(tx, actor, c.employeeId, caseId);
    const state = caseState(c);
    const ctx = await loadContext(tx, c.employeeId, today, state);
    const r = apply(state, action, actor, ctx);
    const e = await write(tx, c, r.next, r, ctx);
    audit({ actor: actor.id, action: e.action, subject: c.employeeId, entity: `discipline:${c.caseId}`, before: e.before ?? { stage: state.stage }, after: { caseId: c.caseId, ...(e.after as object) }, reason: e.reason });
  });
  return caseView(deps.db, caseId, today);
}

/** `discipline acknowledge D1 --as E100`: the employee acknowledges the latest step. */
export function acknowledge(deps: Deps, actor: Actor, input: { caseId: string }): Promise<CaseView> {
  return onCase(deps, actor, input.caseId, { kind: 'acknowledge' }, async (tx, c) => {
    const last = c.steps[c.steps.length - 1]!;
    await recordAck(tx, c.employeeId, c.caseId, last.stepNo, { kind: 'acknowledged', by: actor.id, at: deps.clock.now(), on: deps.clock.today(), reason: null });
    return { action: 'discipline.acknowledged', after: { stage: c.stage, stepNo: last.stepNo, step: last.step }, reason: null };
  });
}

/** `discipline refuse-ack D1 --reason … --as M1`: the employee declined to acknowledge; documented by the manager or HR. */
export async function refuseAcknowledgement(deps: Deps, actor: Actor, input: { caseId: string; reason: string }): Promise<CaseView> {
  const reason = requireReason(input.reason, 'a refusal to acknowledge');
  return onCase(deps, actor, input.caseId, { kind: 'refuse_ack', reason }, async (tx, c) => {
    const last = c.steps[c.steps.length - 1]!;
    await recordAck(tx, c.employeeId, c.caseId, last.stepNo, { kind: 'refused', by: actor.id, at: deps.clock.now(), on: deps.clock.today(), reason });
    return { action: 'discipline.acknowledgement_refused', after: { stage: c.stage, stepNo: last.stepNo, step: last.step }, reason };
  });
}

/** `discipline hr-review D1 --approve|--reject --reason … --as HR1`: the review before termination eligibility. */
export async function hrReview(deps: Deps, actor: Actor, input: { caseId: string; approve: boolean; reason: string }): Promise<CaseView> {
  const reason = requireReason(input.reason, 'an HR review');
  return onCase(deps, actor, input.caseId, { kind: 'hr_review', approve: input.approve }, async (tx, c, next) => {
    const review = next.hrReview!;
    await recordHrReview(tx, c.employeeId, c.caseId, { ...review, at: deps.clock.now().toISOString(), reason });
    return {
      action: 'discipline.hr_reviewed', before: { stage: c.stage, hrReview: c.hrReview ? c.hrReview.status : null },
      after: { stage: c.stage, hrReview: review.status, forStepNo: review.forStep + 1 }, reason,
    };
  });
}

/** `discipline close D1 --outcome resolved|withdrawn|terminated|separated --reason … --as M1` */
export async function closeCase(deps: Deps, actor: Actor, input: { caseId: string; outcome: CloseOutcome; reason: string }): Promise<CaseView> {
  const reason = requireReason(input.reason, 'closing a case');
  return onCase(deps, actor, input.caseId, { kind: 'close', outcome: input.outcome }, async (tx, c, next, r, ctx) => {
    const evidence = r.resolution
      ? {
        asOf: ctx.evidence.today, rules: ctx.rules, run: r.resolution.run, needed: r.resolution.needed, since: r.resolution.since,
        weeks: ctx.evidence.weeks.filter((w) => r.resolution!.weeks.includes(w.weekStart)).map((w) => ({ ...w, week: ctx.weekInfo.get(w.weekStart)?.week ?? null })),
      }
      : null;
    await closeCaseRow(tx, c.employeeId, c.caseId, { outcome: input.outcome, from: c.stage as StepName, by: actor.id, at: deps.clock.now(), on: deps.clock.today(), reason, evidence });
    return {
      action: 'discipline.closed',
      after: { stage: 'closed', outcome: next.outcome, closedFrom: c.stage, ...(r.resolution ? { compliantWeeks: r.resolution.run, weeks: r.resolution.weeks } : {}) },
      reason,
    };
  });
}

/** `discipline clear-review D1 --note … --as HR1`: late data was looked at; the case may go on. */
export async function clearReview(deps: Deps, actor: Actor, input: { caseId: string; note: string }): Promise<CaseView> {
  const note = requireReason(input.note, 'clearing a review flag', '--note');
  return onCase(deps, actor, input.caseId, { kind: 'clear_review' }, async (tx, c) => {
    const changes = c.reviewChanges ?? [];
    await clearReviewRow(tx, c.employeeId, c.caseId, { by: actor.id, at: deps.clock.now().toISOString(), note, changes });
    return {
      action: 'discipline.review_cleared', before: { stage: c.stage, needsReview: true },
      after: { stage: c.stage, needsReview: false, weeks: changes.map((x) => x.weekStart) }, reason: note,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Reads

/** `discipline show D1 --as X`: the person, their management chain and HR (and the operator); audited. */
export async function showCase(deps: Deps, actor: Actor, input: { caseId: string }): Promise<CaseView> {
  const c = await getCase(deps.db, input.caseId);
  if (!c) throw new HubdayError('not_found', `no discipline case ${input.caseId} (see "hubday discipline list")`);
  const chain = await chainOf(deps.db, c.employeeId);
  if (!canViewAttendance(actor, chain)) {
    throw new HubdayError('forbidden', `${actor.id} may not read case ${c.caseId}: only ${c.employeeId}, their management chain and HR may`, [], 'not_in_reporting_line');
  }
  await auditReads(deps, actor, [c.employeeId], `discipline ${c.caseId}`);
  return caseView(deps.db, c.caseId, deps.clock.today());
}

export interface ListCasesInput {
  employeeId?: string;
  /** Open cases only. */
  open?: boolean;
  needsReview?: boolean;
}

/**
 * Cases the actor may read: their own, their subtree's, every one for HR and the operator; open
 * cases come with their next step's blockers and the resolution suggestion. Audited per person.
 */
export async function listCases(deps: Deps, actor: Actor, input: ListCasesInput = {}): Promise<CaseView[]> {
  const today = deps.clock.today();
  if (input.employeeId !== undefined) await chainOf(deps.db, input.employeeId);
  const rows = await listCaseRows(deps.db, {
    employeeIds: input.employeeId !== undefined ? [input.employeeId] : undefined, open: input.open, needsReview: input.needsReview,
    // Narrowed in SQL to what a manager may see, so that other people's rows never fill the limit.
    subtreeOf: seesEveryone(actor) || input.employeeId !== undefined ? undefined : actor.id,
  });
  const ids = [...new Set(rows.map((r) => r.employeeId))];
  const lastStepOn = new Map<string, LocalDate>();
  for (const r of rows) {
    if (r.stage === 'closed') continue;
    const last = r.steps[r.steps.length - 1];
    if (last) lastStepOn.set(r.employeeId, last.takenOn);
  }
  const subjects = await loadSubjects(deps.db, ids, today);
  const visibleIds = ids.filter((id) => {
    const s = subjects.get(id);
    return s !== undefined && canViewAttendance(actor, s.chain);
  });
  const withOpenCase = new Set(rows.filter((r) => r.stage !== 'closed').map((r) => r.employeeId));
  const openIds = visibleIds.filter((id) => withOpenCase.has(id));
  const contexts = await loadContexts(deps.db, openIds, today, lastStepOn);
  const visible = new Set(visibleIds);
  const views = rows.filter((r) => visible.has(r.employeeId)).map((r) => {
    const v = viewOf(r, r.stage === 'closed' ? undefined : contexts.get(r.employeeId));
    v.employeeName = subjects.get(r.employeeId)?.employee.name ?? '';
    return v;
  });
  await auditReads(deps, actor, views.map((v) => v.employeeId), 'discipline list');
  return views;
}

// ---------------------------------------------------------------------------------------------
// The afterEvaluation step

/**
 * Late data that changes a week used as evidence flags the case for review (never rewrites it):
 * one statement compares the open cases' evidence weeks with the weekly records just written, and
 * each newly flagged case gets an audit entry (actor `system`).
 */
export async function flagCasesForReview(tx: Db, deps: Deps, run: EvaluatedWeeks): Promise<number> {
  const flagged = await flagChangedEvidence(tx, run.mondays, run.employeeIds, deps.clock.now());
  if (flagged.length > 0) {
    await appendAuditEntries(tx, flagged.map((f) => ({
      actor: 'system', action: 'discipline.flagged_for_review', subject: f.employeeId, entity: `discipline:${f.caseId}`,
      after: {
        caseId: f.caseId, needsReview: true,
        changes: f.changes.map((x) => ({ weekStart: x.weekStart, stepNo: x.stepNo, before: x.before.status, after: x.after.status, presentBefore: x.before.present, presentAfter: x.after.present })),
      },
    })), deps.clock.now());
  }
  return flagged.length;
}

