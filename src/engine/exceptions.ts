/**
 * Exceptions to the office-days policy (DESIGN "Exception", issue 4 item 5): the request, the
 * decision by the right level, withdrawal, revocation and the expiry notice, as pure transition
 * functions (state + action + actor + evidence → next state, or a coded refusal), and who may
 * read what of an exception (the reason is private to the employee and HR).
 *
 * Also holds the refusal shape the workflow rules of this module family share (structurally the
 * `Refusal` of src/errors.ts, which the engine may not import).
 */
import { type LocalDate, addDays } from './dates.js';
import { type Actor, type Chain, hasRole, isAncestor, isHr, isVpOrAbove, vpOf } from './org.js';
import type { ExceptionGrant } from './types.js';
import { refuse, allow, type Transition, type Refusal, personRequired } from './refusal.js';

/** "a kind" or "an kind", for messages. */
export function article(word: string): string {
  return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
}

function needPerson(actor: Actor, what: string): Refusal | null {
  return actor.kind === 'person' ? null : personRequired(`${what} is a person's decision`);
}

// ---------------------------------------------------------------------------------------------
// Kinds and who approves them

export const KNOWN_EXCEPTION_KINDS = ['accommodation', 'remote_role', 'relocation_pending', 'caregiving', 'temporary'] as const;

/**
 * Who decides an exception of a kind:
 * - `hr`: HR only (accommodation, caregiving: medical or family grounds that only HR may read);
 * - `vp`: the employee's VP or someone above them (remote_role: a business decision about the
 *   role); when the employee has no VP above them, HR;
 * - `hr_or_vp`: HR, or the VP or above (relocation_pending, temporary, and any other kind).
 */
export type ApproverRule = 'hr' | 'vp' | 'hr_or_vp';

export function approverRuleOf(kind: string): ApproverRule {
  if (kind === 'accommodation' || kind === 'caregiving') return 'hr';
  if (kind === 'remote_role') return 'vp';
  return 'hr_or_vp';
}

/** A kind is a snake_case word: the known ones, or any other the company uses. */
export function isValidKind(kind: string): boolean {
  return /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/.test(kind) && kind.length <= 40;
}

/** What the approver rule of a kind asks, as text for messages. */
export function approverText(rule: ApproverRule): string {
  return rule === 'hr' ? 'HR' : rule === 'vp' ? "the employee's VP or someone above them" : "HR, or the employee's VP or someone above them";
}

/** May the actor decide (approve, deny, revoke) an exception of this kind for the person with this chain? */
export function mayDecide(rule: ApproverRule, actor: Actor, chain: Chain, vpLevel: number): boolean {
  if (actor.kind !== 'person') return false;
  const hr = hasRole(actor, 'hr');
  const vp = isVpOrAbove(chain, vpLevel, actor.id);
  if (rule === 'hr') return hr;
  if (rule === 'vp') return vp || (hr && vpOf(chain, vpLevel) === null);
  return hr || vp;
}

// ---------------------------------------------------------------------------------------------
// State

export type ExceptionStatus = 'pending' | 'approved' | 'denied' | 'withdrawn' | 'revoked';
export const EXCEPTION_STATUSES: readonly ExceptionStatus[] = ['pending', 'approved', 'denied', 'withdrawn', 'revoked'];
export type ExceptionEffect = 'exempt' | 'reduced';

export interface ExceptionCase {
  exceptionId: string;
  employeeId: string;
  kind: string;
  startDate: LocalDate;
  /** The last day as requested and granted. */
  endDate: LocalDate;
  effect: ExceptionEffect;
  daysPerWeek: number | null;
  status: ExceptionStatus;
  requestedBy: string;
  decidedBy: string | null;
  /** For a revoked exception: the first day on which it no longer applies. */
  revokedFrom: LocalDate | null;
  revokedBy: string | null;
}

/** What a request asks for: the grant's terms, and the reason (kept private to the employee and HR). */
export type ExceptionRequest = Pick<ExceptionCase, 'employeeId' | 'kind' | 'startDate' | 'endDate' | 'effect' | 'daysPerWeek'> & { reason: string };

/** The longest exception one request may cover (two years; renewals are new requests). */
export const MAX_EXCEPTION_DAYS = 731;

/** Problems with the shape of a request (bad input rather than a refused step), or an empty list. */
export function requestProblems(r: ExceptionRequest): { reason: string; message: string }[] {
  const out: { reason: string; message: string }[] = [];
  if (!isValidKind(r.kind)) out.push({ reason: 'invalid_kind', message: `--kind "${r.kind}" must be a snake_case word such as ${KNOWN_EXCEPTION_KINDS.join(', ')}` });
  if (r.endDate < r.startDate) out.push({ reason: 'invalid_dates', message: `--to ${r.endDate} is before --from ${r.startDate}` });
  else if (addDays(r.startDate, MAX_EXCEPTION_DAYS) <= r.endDate) out.push({ reason: 'invalid_dates', message: `an exception covers at most ${MAX_EXCEPTION_DAYS} days; request a renewal later` });
  if (r.effect === 'reduced') {
    if (r.daysPerWeek === null || !Number.isInteger(r.daysPerWeek) || r.daysPerWeek < 0 || r.daysPerWeek > 6) {
      out.push({ reason: 'invalid_days_per_week', message: '--days-per-week must be a whole number from 0 to 6' });
    }
  } else if (r.daysPerWeek !== null) out.push({ reason: 'invalid_effect', message: 'give either --exempt or --days-per-week, not both' });
  if (r.reason.trim() === '') out.push({ reason: 'reason_required', message: 'a reason is required (--reason); only the employee and HR can read it' });
  return out;
}

/** The dates an exception applies to (its granted range, cut at a revocation), or null when none. */
export function effectiveRange(x: Pick<ExceptionCase, 'status' | 'startDate' | 'endDate' | 'revokedFrom'>): { startDate: LocalDate; endDate: LocalDate } | null {
  if (x.status === 'approved') return { startDate: x.startDate, endDate: x.endDate };
  if (x.status === 'revoked' && x.revokedFrom !== null) {
    const end = addDays(x.revokedFrom, -1) < x.endDate ? addDays(x.revokedFrom, -1) : x.endDate;
    return end >= x.startDate ? { startDate: x.startDate, endDate: end } : null;
  }
  return null;
}

/** What evaluation applies: the grant of an exception over its effective range, or null. */
export function grantOf(x: ExceptionCase): ExceptionGrant | null {
  const range = effectiveRange(x);
  if (!range) return null;
  return { exceptionId: x.exceptionId, kind: x.kind, startDate: range.startDate, endDate: range.endDate, effect: x.effect, daysPerWeek: x.effect === 'reduced' ? x.daysPerWeek : null };
}

/** Is the exception in force on `date`? */
export function activeOn(x: ExceptionCase, date: LocalDate): boolean {
  const r = effectiveRange(x);
  return r !== null && r.startDate <= date && date <= r.endDate;
}

function overlaps(a: { startDate: LocalDate; endDate: LocalDate }, b: { startDate: LocalDate; endDate: LocalDate }): boolean {
  return a.startDate <= b.endDate && b.startDate <= a.endDate;
}

// ---------------------------------------------------------------------------------------------
// Transitions

/**
 * A request by the employee, anyone above them in the management chain, or HR. Refused when a
 * pending or in-force exception of the same kind already covers any of the dates.
 */
export function requestException(
  r: ExceptionRequest,
  actor: Actor,
  chain: Chain,
  existing: readonly ExceptionCase[],
  exceptionId: string,
): Transition<ExceptionCase> {
  const p = needPerson(actor, 'requesting an exception');
  if (p) return p;
  const self = actor.id === r.employeeId;
  if (!self && !isAncestor(chain, actor.id) && !isHr(actor)) {
    return refuse('forbidden', 'not_in_reporting_line', `${actor.id} may not request an exception for ${r.employeeId}: only the employee, someone above them in their management chain, or HR may`);
  }
  const problems = requestProblems(r);
  if (problems.length > 0) return refuse('conflict', problems[0]!.reason, problems[0]!.message);
  const clash = existing.find((x) => x.employeeId === r.employeeId && x.kind === r.kind && (x.status === 'pending' || effectiveRange(x) !== null) &&
    overlaps(x.status === 'pending' ? x : effectiveRange(x)!, r));
  if (clash) {
    return refuse('conflict', 'overlapping_exception', `${r.employeeId} already has ${article(clash.status)} ${r.kind} exception ${clash.exceptionId} (${clash.startDate} to ${clash.endDate}) overlapping these dates: withdraw or revoke it first`);
  }
  return allow({
    exceptionId, employeeId: r.employeeId, kind: r.kind, startDate: r.startDate, endDate: r.endDate, effect: r.effect,
    daysPerWeek: r.effect === 'reduced' ? r.daysPerWeek : null, status: 'pending', requestedBy: actor.id, decidedBy: null, revokedFrom: null, revokedBy: null,
  });
}

/** Approval or denial by the right level (approverRuleOf), never by the employee nor by the requester. */
export function decideException(x: ExceptionCase, decision: 'approve' | 'deny', actor: Actor, chain: Chain, vpLevel: number): Transition<ExceptionCase> {
  const verb = decision === 'approve' ? 'approving' : 'denying';
  const p = needPerson(actor, `${verb} an exception`);
  if (p) return p;
  if (x.status !== 'pending') return refuse('conflict', 'not_pending', `exception ${x.exceptionId} is ${x.status}, not pending: only a pending request is decided`);
  if (actor.id === x.employeeId) return refuse('forbidden', 'own_exception', `${actor.id} may not decide their own exception ${x.exceptionId}`);
  if (actor.id === x.requestedBy) return refuse('forbidden', 'self_approval', `${actor.id} requested exception ${x.exceptionId} and may not decide it: another approver must`);
  const rule = approverRuleOf(x.kind);
  if (!mayDecide(rule, actor, chain, vpLevel)) {
    const reason = rule === 'hr' ? 'approver_not_hr' : rule === 'vp' ? 'approver_not_vp' : 'approver_not_hr_or_vp';
    return refuse('forbidden', reason, `${article(x.kind)} exception is decided by ${approverText(rule)}; ${actor.id} is not`);
  }
  return allow({ ...x, status: decision === 'approve' ? 'approved' : 'denied', decidedBy: actor.id });
}

/** A pending request withdrawn by the employee or by whoever requested it. */
export function withdrawException(x: ExceptionCase, actor: Actor): Transition<ExceptionCase> {
  const p = needPerson(actor, 'withdrawing an exception request');
  if (p) return p;
  if (actor.id !== x.employeeId && actor.id !== x.requestedBy) {
    const who = x.requestedBy === x.employeeId ? x.employeeId : `${x.employeeId} or the requester ${x.requestedBy}`;
    return refuse('forbidden', 'not_requester', `only ${who} may withdraw exception ${x.exceptionId}`);
  }
  if (x.status !== 'pending') return refuse('conflict', 'not_pending', `exception ${x.exceptionId} is ${x.status}: only a pending request can be withdrawn (an approved one is revoked by an approver)`);
  return allow({ ...x, status: 'withdrawn' });
}

/**
 * Revocation of an approved exception by someone who could approve it, from `today` on (never
 * retroactively: the weeks already covered stay covered). Refused when it has already ended.
 */
export function revokeException(x: ExceptionCase, actor: Actor, chain: Chain, vpLevel: number, today: LocalDate): Transition<ExceptionCase> {
  const p = needPerson(actor, 'revoking an exception');
  if (p) return p;
  if (x.status !== 'approved') return refuse('conflict', 'not_approved', `exception ${x.exceptionId} is ${x.status}: only an approved exception can be revoked`);
  if (actor.id === x.employeeId) return refuse('forbidden', 'own_exception', `${actor.id} may not revoke their own exception ${x.exceptionId}`);
  const rule = approverRuleOf(x.kind);
  if (!mayDecide(rule, actor, chain, vpLevel)) {
    const reason = rule === 'hr' ? 'approver_not_hr' : rule === 'vp' ? 'approver_not_vp' : 'approver_not_hr_or_vp';
    return refuse('forbidden', reason, `${article(x.kind)} exception is revoked by ${approverText(rule)}; ${actor.id} is not`);
  }
  if (x.endDate < today) return refuse('conflict', 'exception_ended', `exception ${x.exceptionId} ended on ${x.endDate}: there is nothing left to revoke`);
  return allow({ ...x, status: 'revoked', revokedFrom: today, revokedBy: actor.id });
}

/**
 * Does an approved exception get its expiry notice on `today`? Its last day is within
 * `noticeDays` days (and not yet past), and no notice was sent.
 */
export function dueForExpiryNotice(x: ExceptionCase, today: LocalDate, noticeDays: number, alreadyNotified: boolean): boolean {
  if (alreadyNotified || x.status !== 'approved') return false;
  return x.endDate >= today && x.endDate <= addDays(today, noticeDays);
}

// ---------------------------------------------------------------------------------------------
// Who reads what

/**
 * What the actor may see of an exception: `full` (with the private reason: the employee and HR),
 * `summary` (that it exists, its kind, dates, effect and status: the management chain and the
 * store operator), or `none`.
 */
export type ExceptionVisibility = 'full' | 'summary' | 'none';

export function exceptionVisibility(actor: Actor, chain: Chain): ExceptionVisibility {
  const personId = chain[0]?.employeeId;
  if (actor.kind === 'person' && (actor.id === personId || hasRole(actor, 'hr'))) return 'full';
  if (actor.kind === 'operator' || actor.kind === 'system') return 'summary';
  if (isAncestor(chain, actor.id)) return 'summary';
  return 'none';
}
