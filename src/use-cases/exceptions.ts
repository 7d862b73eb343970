/**
 * Exceptions (issue 4 item 5): request, approve, deny, withdraw, revoke, read, and the expiry
 * notices. Rules in engine/exceptions.ts; every change through `audited` (entries reference ids
 * and codes, never the private reason); the weeks an approval or a revocation changes are
 * re-evaluated at once (dirty_week + evaluateChanged).
 */
import type { Deps } from './deps.js';
import type { Db } from '../store/db.js';
import { type LocalDate, addDays, mondayOf } from '../engine/dates.js';
import { seesEveryone, type Actor, type Chain } from '../engine/org.js';
import type { Employee, Policy, Relocation } from '../engine/types.js';
import { POLICY_DEFAULTS, DEFAULT_EXCEPTIONS, resolvePolicy } from '../engine/policy.js';
import { scopeSubjectOf } from '../engine/compliance.js';
import {
  type ExceptionCase, type ExceptionEffect, type ExceptionStatus, type ExceptionVisibility,
  approverRuleOf, approverText, decideException as decideRule, dueForExpiryNotice, effectiveRange, exceptionVisibility,
  requestException as requestRule, requestProblems, revokeException as revokeRule, withdrawException as withdrawRule,
} from '../engine/exceptions.js';
import { HubdayError, orThrow } from '../errors.js';
import { audited, authorizeView, chainOf } from './actor.js';
import { evaluateChanged } from './evaluate-changed.js';
import { getEmployee, getEmployees } from '../store/employee.repository.js';
import { managementChains } from '../store/org.repository.js';
import { listPolicies } from '../store/policy.repository.js';
import { relocationsByEmployee } from '../store/hr.repository.js';
import {
  type ExceptionRecord, exceptionsNearingEnd, exceptionsOfEmployee, getException, holdersOfRole, insertException, listExceptions,
  markEvaluatedWeeksDirty, markExpiryNotified, nextExceptionId, recordDecision, recordRevocation, recordWithdrawal,
} from '../store/exception.repository.js';
import { enqueueOutbox, type OutboxDraft } from '../store/outbox.repository.js';

// ---------------------------------------------------------------------------------------------
// Shared by the HR workflows (exceptions, relocations, disputes)

export async function employeeOrNotFound(db: Db, id: string): Promise<Employee> {
  const e = await getEmployee(db, id);
  if (!e) throw new HubdayError('not_found', `no employee ${id}`);
  return e;
}

/** Policies and relocations loaded once, for deciding the governing policy of many people. */
export interface PolicyFacts {
  policies: Policy[];
  relocations: Map<string, Relocation>;
}

export async function loadPolicyFacts(deps: Deps, employeeIds: readonly string[]): Promise<PolicyFacts> {
  const policies = await listPolicies(deps.db);
  const relocations = await relocationsByEmployee(deps.db, employeeIds);
  return { policies, relocations };
}

/** The policy that governs the employee's week containing `date` (relocation considered), or null. */
export function governingPolicy(facts: PolicyFacts, employee: Employee, date: LocalDate): Policy | null {
  const monday = mondayOf(date);
  return resolvePolicy(facts.policies, scopeSubjectOf(employee, facts.relocations.get(employee.employeeId) ?? null, monday), monday);
}

async function policyFor(deps: Deps, employee: Employee, date: LocalDate): Promise<Policy | null> {
  return governingPolicy(await loadPolicyFacts(deps, [employee.employeeId]), employee, date);
}

/** The VP level that applies to the employee today (the defaults when no policy covers them). */
async function vpLevelFor(deps: Deps, employee: Employee): Promise<number> {
  return (await policyFor(deps, employee, deps.clock.today()))?.vpLevel ?? POLICY_DEFAULTS.vpLevel;
}

/** What a decision about an employee rests on: the employee, their management chain and today's VP level for them. */
export async function decisionFacts(deps: Deps, employeeId: string): Promise<{ employee: Employee; chain: Chain; vpLevel: number }> {
  const employee = await employeeOrNotFound(deps.db, employeeId);
  const chain = await chainOf(deps.db, employeeId);
  return { employee, chain, vpLevel: await vpLevelFor(deps, employee) };
}

/** decisionFacts for the employee of an exception (not_found when there is no such exception). */
async function exceptionDecisionFacts(deps: Deps, exceptionId: string): Promise<{ chain: Chain; vpLevel: number }> {
  const pre = await getException(deps.db, exceptionId);
  if (!pre) throw new HubdayError('not_found', `no exception ${exceptionId}`);
  return decisionFacts(deps, pre.employeeId);
}

/** Re-evaluates the weeks marked dirty by a change that committed (no-op when none were marked). */
export async function reevaluate(deps: Deps, marked: number): Promise<number> {
  if (marked <= 0) return 0;
  return (await evaluateChanged(deps)).pairs;
}

// ---------------------------------------------------------------------------------------------
// Views

/** An exception as the actor may see it: the private texts only with `visibility: 'full'`. */
export interface ExceptionView
  extends Pick<ExceptionCase, 'exceptionId' | 'employeeId' | 'kind' | 'startDate' | 'endDate' | 'effect' | 'daysPerWeek' | 'status' | 'requestedBy' | 'decidedBy' | 'revokedBy' | 'revokedFrom'> {
  /** In force today. */
  active: boolean;
  /** The last day on which it applies (the end date, or the day before a revocation took effect); null when it never applied. */
  inForceUntil: LocalDate | null;
  approver: string;
  requestedAt: string | null;
  decidedAt: string | null;
  expiryNotifiedAt: string | null;
  visibility: Exclude<ExceptionVisibility, 'none'>;
  /** Only for the employee and HR. */
  reason?: string | null;
  decisionNote?: string | null;
  revokeReason?: string | null;
}

export function toView(x: ExceptionRecord, visibility: Exclude<ExceptionVisibility, 'none'>, today: LocalDate): ExceptionView {
  const range = effectiveRange(x);
  const view: ExceptionView = {
    exceptionId: x.exceptionId, employeeId: x.employeeId, kind: x.kind, startDate: x.startDate, endDate: x.endDate, effect: x.effect,
    daysPerWeek: x.daysPerWeek, status: x.status, active: range !== null && range.startDate <= today && today <= range.endDate,
    inForceUntil: range?.endDate ?? null, approver: approverText(approverRuleOf(x.kind)), requestedBy: x.requestedBy, requestedAt: x.requestedAt,
    decidedBy: x.decidedBy, decidedAt: x.decidedAt, revokedBy: x.revokedBy, revokedFrom: x.revokedFrom, expiryNotifiedAt: x.expiryNotifiedAt, visibility,
  };
  if (visibility === 'full') {
    view.reason = x.reason;
    view.decisionNote = x.decisionNote;
    view.revokeReason = x.revokeReason;
  }
  return view;
}

/** What the audit log records of an exception: ids, codes and dates, never the texts. */
function auditShape(x: ExceptionCase): Record<string, unknown> {
  return {
    status: x.status, kind: x.kind, startDate: x.startDate, endDate: x.endDate, effect: x.effect, daysPerWeek: x.daysPerWeek,
    ...(x.revokedFrom ? { revokedFrom: x.revokedFrom } : {}),
  };
}

/** What someone who just acted on an exception sees of it: everything only when they are the employee or HR. */
function visibleAs(actor: Actor, chain: Chain): 'full' | 'summary' {
  return exceptionVisibility(actor, chain) === 'full' ? 'full' : 'summary';
}

async function loadForChange(tx: Db, exceptionId: string): Promise<ExceptionRecord> {
  const x = await getException(tx, exceptionId, true);
  if (!x) throw new HubdayError('not_found', `no exception ${exceptionId}`);
  return x;
}

// ---------------------------------------------------------------------------------------------
// Changes

export interface RequestExceptionInput {
  employeeId: string;
  kind: string;
  from: LocalDate;
  to: LocalDate;
  /** `exempt`, or `reduced` with daysPerWeek. */
  effect: ExceptionEffect;
  daysPerWeek: number | null;
  reason: string;
}

/** `hubday exception request`: by the employee, anyone above them, or HR. */
export async function requestException(deps: Deps, actor: Actor, input: RequestExceptionInput): Promise<ExceptionView> {
  const request = {
    employeeId: input.employeeId, kind: input.kind, startDate: input.from, endDate: input.to, effect: input.effect,
    daysPerWeek: input.daysPerWeek, reason: input.reason,
  };
  const problems = requestProblems(request);
  if (problems.length > 0) throw new HubdayError('invalid_usage', problems.map((p) => p.message).join('; '), [], problems[0]!.reason);
  const chain = await chainOf(deps.db, input.employeeId);
  return audited(deps, async (tx, audit) => {
    const existing = await exceptionsOfEmployee(tx, input.employeeId);
    // The id is drawn only for an allowed request, so that refusals leave no gaps in the numbering.
    const x = { ...orThrow(requestRule(request, actor, chain, existing, '')), exceptionId: await nextExceptionId(tx) };
    await insertException(tx, x, input.reason.trim(), deps.clock.now());
    audit({ actor: actor.id, action: 'exception.requested', subject: x.employeeId, entity: `exception:${x.exceptionId}`, after: { ...auditShape(x), requestedBy: x.requestedBy } });
    return toView((await getException(tx, x.exceptionId))!, visibleAs(actor, chain), deps.clock.today());
  });
}

export interface ExceptionChangeResult {
  exception: ExceptionView;
  /** Employee-weeks re-evaluated because of the change. */
  reevaluated: number;
}

/** `hubday exception approve|deny ID`: by the right level for the kind, never the employee or the requester. */
export async function decideException(deps: Deps, actor: Actor, input: { exceptionId: string; decision: 'approve' | 'deny'; note?: string | null }): Promise<ExceptionChangeResult> {
  const { chain, vpLevel } = await exceptionDecisionFacts(deps, input.exceptionId);
  const { view, marked } = await audited(deps, async (tx, audit) => {
    const x = await loadForChange(tx, input.exceptionId);
    const next = orThrow(decideRule(x, input.decision, actor, chain, vpLevel));
    await recordDecision(tx, next, input.note?.trim() || null, deps.clock.now());
    audit({
      actor: actor.id, action: input.decision === 'approve' ? 'exception.approved' : 'exception.denied', subject: x.employeeId,
      entity: `exception:${x.exceptionId}`, before: { status: x.status }, after: auditShape(next),
    });
    const marked = next.status === 'approved' ? await markEvaluatedWeeksDirty(tx, [x.employeeId], x.startDate, x.endDate) : 0;
    return { view: (await getException(tx, x.exceptionId))!, marked };
  });
  const reevaluated = await reevaluate(deps, marked);
  return { exception: toView(view, visibleAs(actor, chain), deps.clock.today()), reevaluated };
}

/** `hubday exception withdraw ID`: a pending request, by the employee or the requester. */
export async function withdrawException(deps: Deps, actor: Actor, input: { exceptionId: string }): Promise<ExceptionView> {
  const chain = await chainFor(deps, input.exceptionId);
  return audited(deps, async (tx, audit) => {
    const x = await loadForChange(tx, input.exceptionId);
    const next = orThrow(withdrawRule(x, actor));
    await recordWithdrawal(tx, next, deps.clock.now());
    audit({ actor: actor.id, action: 'exception.withdrawn', subject: x.employeeId, entity: `exception:${x.exceptionId}`, before: { status: x.status }, after: { status: next.status } });
    return toView((await getException(tx, x.exceptionId))!, visibleAs(actor, chain), deps.clock.today());
  });
}

/** `hubday exception revoke ID --reason`: an approved exception stops applying from today (never retroactively). */
export async function revokeException(deps: Deps, actor: Actor, input: { exceptionId: string; reason: string }): Promise<ExceptionChangeResult> {
  if (input.reason.trim() === '') throw new HubdayError('invalid_usage', 'say why the exception is revoked (--reason); only the employee and HR can read it', [], 'reason_required');
  const { chain, vpLevel } = await exceptionDecisionFacts(deps, input.exceptionId);
  const today = deps.clock.today();
  const { view, marked } = await audited(deps, async (tx, audit) => {
    const x = await loadForChange(tx, input.exceptionId);
    const next = orThrow(revokeRule(x, actor, chain, vpLevel, today));
    await recordRevocation(tx, next, input.reason.trim(), deps.clock.now());
    audit({ actor: actor.id, action: 'exception.revoked', subject: x.employeeId, entity: `exception:${x.exceptionId}`, before: { status: x.status }, after: auditShape(next) });
    // The weeks from the one containing the revocation date to the end change.
    const from = today > x.startDate ? today : x.startDate;
    const marked = await markEvaluatedWeeksDirty(tx, [x.employeeId], from, x.endDate);
    return { view: (await getException(tx, x.exceptionId))!, marked };
  });
  const reevaluated = await reevaluate(deps, marked);
  return { exception: toView(view, visibleAs(actor, chain), today), reevaluated };
}

async function chainFor(deps: Deps, exceptionId: string): Promise<Chain> {
  const x = await getException(deps.db, exceptionId);
  if (!x) throw new HubdayError('not_found', `no exception ${exceptionId}`);
  return chainOf(deps.db, x.employeeId);
}

// ---------------------------------------------------------------------------------------------
// Reads

/**
 * `hubday exception show ID`: the employee and HR see everything (the private reason included);
 * the management chain and the operator see that it exists, its kind, dates, effect and status;
 * anyone else is refused. A read by someone other than the employee is audited.
 */
export async function showException(deps: Deps, actor: Actor, input: { exceptionId: string }): Promise<ExceptionView> {
  const x = await getException(deps.db, input.exceptionId);
  if (!x) throw new HubdayError('not_found', `no exception ${input.exceptionId}`);
  const chain = await authorizeView(deps, actor, x.employeeId, `exception ${x.exceptionId}`);
  const vis = exceptionVisibility(actor, chain);
  if (vis === 'none') throw new HubdayError('forbidden', `${actor.id} may not read ${x.employeeId}'s exceptions`, [], 'not_in_reporting_line');
  return toView(x, vis, deps.clock.today());
}

export interface ListExceptionsInput {
  employeeId?: string;
  pending?: boolean;
  /** Only those in force today. */
  active?: boolean;
  statuses?: readonly ExceptionStatus[];
}

/**
 * `hubday exception list`: one person's exceptions (`employeeId`: the person, their chain, HR),
 * or all those the actor may see: HR and the operator everyone's, anyone else their own and their
 * subtree's. Lists never carry the private texts (`exception show` does, for the employee and HR).
 */
export async function listExceptionsFor(deps: Deps, actor: Actor, input: ListExceptionsInput = {}): Promise<ExceptionView[]> {
  const today = deps.clock.today();
  const statuses = input.pending ? (['pending'] as ExceptionStatus[]) : input.statuses;
  let rows: ExceptionRecord[];
  if (input.employeeId !== undefined) {
    await authorizeView(deps, actor, input.employeeId, 'exceptions');
    rows = await listExceptions(deps.db, { employeeId: input.employeeId, statuses, activeOn: input.active ? today : undefined });
  } else {
    const everyone = seesEveryone(actor);
    rows = await listExceptions(deps.db, { subtreeOf: everyone ? undefined : actor.id, statuses, activeOn: input.active ? today : undefined });
  }
  return rows.map((x) => toView(x, 'summary', today));
}

/** Pending requests this actor may decide (for `exception list --to-decide`); a few statements whatever the number. */
export async function pendingForApprover(deps: Deps, actor: Actor): Promise<ExceptionView[]> {
  if (actor.kind !== 'person') return [];
  const pending = await listExceptions(deps.db, { statuses: ['pending'] });
  if (pending.length === 0) return [];
  const ids = [...new Set(pending.map((x) => x.employeeId))];
  const employees = await getEmployees(deps.db, ids);
  const chains = await managementChains(deps.db, ids);
  const facts = await loadPolicyFacts(deps, ids);
  const byId = new Map(employees.map((e) => [e.employeeId, e]));
  const today = deps.clock.today();
  const out: ExceptionView[] = [];
  for (const x of pending) {
    const e = byId.get(x.employeeId);
    const chain = chains.get(x.employeeId);
    if (!e || !chain) continue;
    const vpLevel = governingPolicy(facts, e, today)?.vpLevel ?? POLICY_DEFAULTS.vpLevel;
    if (decideRule(x, 'approve', actor, chain, vpLevel).ok) out.push(toView(x, 'summary', today));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Expiry notices

export interface ExpiryNoticeResult {
  /** Exceptions whose notice was sent by this run. */
  notified: string[];
  /** Outbox messages enqueued. */
  messages: number;
}

/**
 * Sends, through the outbox, the expiry notice of every approved exception whose last day is
 * within the governing policy's `exceptions.expiryNoticeDays` (default 14) of `asOf` (default
 * today): one mail to the employee and one to each HR person, exactly once per exception (the
 * exception row records the notice, and the outbox deduplicates by key). The mails name the
 * exception, its kind and dates; never the private reason.
 */
export async function sendExpiryNotices(deps: Deps, opts: { asOf?: LocalDate } = {}): Promise<ExpiryNoticeResult> {
  const today = opts.asOf ?? deps.clock.today();
  // Candidates within the longest notice any policy asks for, then each against its own policy.
  const policies = await listPolicies(deps.db);
  const maxDays = Math.max(DEFAULT_EXCEPTIONS.expiryNoticeDays, ...policies.map((p) => p.exceptions.expiryNoticeDays));
  const candidates = await exceptionsNearingEnd(deps.db, today, maxDays);
  if (candidates.length === 0) return { notified: [], messages: 0 };
  const ids = [...new Set(candidates.map((x) => x.employeeId))];
  const employees = new Map((await getEmployees(deps.db, ids)).map((e) => [e.employeeId, e]));
  const facts = await loadPolicyFacts(deps, ids);
  const due: { x: ExceptionRecord; employee: Employee }[] = [];
  for (const x of candidates) {
    const employee = employees.get(x.employeeId);
    if (!employee) continue;
    const days = governingPolicy(facts, employee, today)?.exceptions.expiryNoticeDays ?? DEFAULT_EXCEPTIONS.expiryNoticeDays;
    if (dueForExpiryNotice(x, today, days, x.expiryNotifiedAt !== null)) due.push({ x, employee });
  }
  if (due.length === 0) return { notified: [], messages: 0 };
  const hr = await holdersOfRole(deps.db, 'hr');
  return audited(deps, async (tx, audit) => {
    const marked = new Set(await markExpiryNotified(tx, due.map((d) => d.x.exceptionId), deps.clock.now()));
    const drafts: OutboxDraft[] = [];
    const notified: string[] = [];
    for (const { x, employee } of due) {
      if (!marked.has(x.exceptionId)) continue;
      notified.push(x.exceptionId);
      const effect = x.effect === 'exempt' ? 'exempt from the office-days requirement' : `${x.daysPerWeek} office day${x.daysPerWeek === 1 ? '' : 's'} a week`;
      const payload = { exceptionId: x.exceptionId, employeeId: x.employeeId, kind: x.kind, startDate: x.startDate, endDate: x.endDate, effect: x.effect, daysPerWeek: x.daysPerWeek };
      drafts.push({
        kind: 'exception.expiring', dedupeKey: `exception.expiring:${x.exceptionId}:${x.employeeId}`, recipientId: x.employeeId, to: employee.email,
        subject: `Your ${x.kind.replace(/_/g, ' ')} exception ends on ${x.endDate}`,
        text: `Hello ${employee.name},\n\nyour ${x.kind.replace(/_/g, ' ')} exception ${x.exceptionId} (${effect}) ends on ${x.endDate}. ` +
          `From ${addDays(x.endDate, 1)} the office-days policy applies to you as usual.\n\n` +
          `If you still need it, request a renewal: hubday exception request ${x.employeeId} --kind ${x.kind} --from ${addDays(x.endDate, 1)} --to … --reason "…"\n`,
        payload,
      });
      for (const h of hr) {
        if (h.employeeId === x.employeeId) continue;
        drafts.push({
          kind: 'exception.expiring', dedupeKey: `exception.expiring:${x.exceptionId}:${h.employeeId}`, recipientId: h.employeeId, to: h.email,
          subject: `Exception ${x.exceptionId} of ${x.employeeId} ends on ${x.endDate}`,
          text: `The ${x.kind.replace(/_/g, ' ')} exception ${x.exceptionId} of ${x.employeeId} (${effect}, ${x.startDate} to ${x.endDate}) ends on ${x.endDate}.\n\n` +
            `Details: hubday exception show ${x.exceptionId} --as ${h.employeeId}\n`,
          payload,
        });
      }
      audit({ actor: 'system', action: 'exception.expiry_notified', subject: x.employeeId, entity: `exception:${x.exceptionId}`, after: { endDate: x.endDate, recipients: 1 + hr.filter((h) => h.employeeId !== x.employeeId).length } });
    }
    const messages = drafts.length > 0 ? await enqueueOutbox(tx, drafts, deps.clock.now()) : 0;
    return { notified, messages };
  });
}
