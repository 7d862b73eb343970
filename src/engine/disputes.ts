/**
 * Disputes and badge-reader outages (DESIGN "Dispute", issue 4 item 7), as pure transition
 * functions with coded refusals.
 *
 * A dispute is an employee's claim that they were at an office on a past day that their badge
 * data does not show. Their manager, anyone above the manager, or HR resolves it; when the
 * employee asks for a reviewer other than their manager, the direct manager is excluded (HR or
 * someone above the manager decides). The claimant never resolves their own claim. An approved
 * claim becomes an attestation (a present day with source `attestation` and the dispute's id).
 *
 * An outage is declared by HR for an office and a date range: those work days are excused for
 * everyone whose home office it is, like a public holiday (compliance.ts reads `Context.outages`).
 */
import { type LocalDate, addDays } from './dates.js';
import { type Actor, type Chain, hasRole, isAncestor, isHr, managerOf } from './org.js';
import type { PresenceSource } from './types.js';
import { type Transition, allow, refuse, personRequired } from './refusal.js';

export type DisputeStatus = 'open' | 'approved' | 'rejected' | 'withdrawn';
export const DISPUTE_STATUSES: readonly DisputeStatus[] = ['open', 'approved', 'rejected', 'withdrawn'];

export interface DisputeCase {
  disputeId: string;
  employeeId: string;
  day: LocalDate;
  officeId: string;
  status: DisputeStatus;
  openedBy: string;
  /** The employee asked for a reviewer other than their manager. */
  otherReviewer: boolean;
  reviewedBy: string | null;
}

/** What the store knows about the claimed day when the claim is made. */
export interface ClaimEvidence {
  today: LocalDate;
  /** The employee's presence on the day as the data stands (badge, attestation, travel), or null. */
  presentSource: PresenceSource | null;
  /** Another dispute of the same person and day is open. */
  openDispute: string | null;
  /** The employee was employed on the day. */
  employed: boolean;
}

export interface ClaimInput {
  employeeId: string;
  day: LocalDate;
  officeId: string;
  reason: string;
  otherReviewer: boolean;
}

/** How far back a day may be claimed. */
export const MAX_CLAIM_AGE_DAYS = 366;

export function openDispute(input: ClaimInput, actor: Actor, ev: ClaimEvidence, disputeId: string): Transition<DisputeCase> {
  if (actor.kind !== 'person') return personRequired('a dispute is opened by the employee');
  if (actor.id !== input.employeeId) {
    return refuse('forbidden', 'not_own_claim', `${actor.id} may not claim a day for ${input.employeeId}: only the employee claims their own days`);
  }
  if (input.reason.trim() === '') return refuse('conflict', 'reason_required', 'say why the day is missing (--reason), for example "badge reader down"');
  if (input.day >= ev.today) return refuse('conflict', 'date_not_past', `${input.day} is not in the past: only a past day can be claimed (today is ${ev.today})`);
  if (input.day < addDays(ev.today, -MAX_CLAIM_AGE_DAYS)) return refuse('conflict', 'date_too_old', `${input.day} is more than ${MAX_CLAIM_AGE_DAYS} days ago: it can no longer be claimed`);
  if (!ev.employed) return refuse('conflict', 'not_employed_on_day', `${input.employeeId} was not employed on ${input.day}`);
  if (ev.presentSource === 'attestation') return refuse('conflict', 'already_attested', `${input.day} is already a present day for ${input.employeeId} (an approved claim)`);
  if (ev.presentSource !== null) {
    return refuse('conflict', 'already_present', `${input.day} is already a present day for ${input.employeeId} (from ${ev.presentSource === 'badge' ? 'badge data' : 'approved business travel'}): there is nothing to claim`);
  }
  if (ev.openDispute !== null) return refuse('conflict', 'dispute_already_open', `${input.employeeId} already has an open dispute ${ev.openDispute} for ${input.day}`);
  return allow({
    disputeId, employeeId: input.employeeId, day: input.day, officeId: input.officeId, status: 'open', openedBy: actor.id,
    otherReviewer: input.otherReviewer, reviewedBy: null,
  });
}

/**
 * May the actor review the claim? Never the claimant. HR always; anyone above the employee in
 * their management chain — except the direct manager when the employee asked for another reviewer.
 */
export function reviewRefusal(d: DisputeCase, actor: Actor, chain: Chain): ReturnType<typeof refuse> | null {
  if (actor.kind !== 'person') return personRequired('resolving a dispute is a person\'s decision');
  if (actor.id === d.employeeId || actor.id === d.openedBy) return refuse('forbidden', 'own_dispute', `${actor.id} may not resolve their own dispute ${d.disputeId}`);
  if (hasRole(actor, 'hr')) return null;
  if (d.otherReviewer && actor.id === managerOf(chain)) {
    return refuse('forbidden', 'manager_excluded', `${d.employeeId} asked for a reviewer other than their manager: HR or someone above ${actor.id} resolves dispute ${d.disputeId}`);
  }
  if (!isAncestor(chain, actor.id)) {
    return refuse('forbidden', 'not_reviewer', `${actor.id} may not resolve ${d.employeeId}'s dispute: their manager, someone above the manager, or HR may`);
  }
  return null;
}

/** Approve (the day becomes an attestation) or reject (nothing changes; a reason is required). */
export function resolveDispute(d: DisputeCase, decision: 'approve' | 'reject', actor: Actor, chain: Chain, note: string | null): Transition<DisputeCase> {
  const who = reviewRefusal(d, actor, chain);
  if (who) return who;
  if (d.status !== 'open') return refuse('conflict', 'not_open', `dispute ${d.disputeId} is ${d.status}: only an open dispute is resolved`);
  if (decision === 'reject' && (note === null || note.trim() === '')) {
    return refuse('conflict', 'reason_required', `say why dispute ${d.disputeId} is rejected (--reason): the employee reads it`);
  }
  return allow({ ...d, status: decision === 'approve' ? 'approved' : 'rejected', reviewedBy: actor.id });
}

export function withdrawDispute(d: DisputeCase, actor: Actor): Transition<DisputeCase> {
  if (actor.kind !== 'person' || actor.id !== d.employeeId) return refuse('forbidden', 'not_claimant', `only ${d.employeeId} may withdraw dispute ${d.disputeId}`);
  if (d.status !== 'open') return refuse('conflict', 'not_open', `dispute ${d.disputeId} is ${d.status}: only an open dispute can be withdrawn`);
  return allow({ ...d, status: 'withdrawn' });
}

// ---------------------------------------------------------------------------------------------
// Badge-reader outages

export type OutageStatus = 'active' | 'cancelled';

export interface Outage {
  outageId: string;
  officeId: string;
  startDate: LocalDate;
  endDate: LocalDate;
  reason: string;
  status: OutageStatus;
}

/** The longest outage one declaration may cover. */
export const MAX_OUTAGE_DAYS = 31;

export interface OutageInput {
  officeId: string;
  startDate: LocalDate;
  endDate: LocalDate;
  reason: string;
}

export function declareOutage(input: OutageInput, actor: Actor, existing: readonly Outage[], today: LocalDate, outageId: string): Transition<Outage> {
  if (!isHr(actor)) return refuse('forbidden', 'not_hr', `only HR declares a badge-reader outage; ${actor.kind === 'person' ? actor.id : `the ${actor.kind}`} is not HR`);
  if (input.endDate < input.startDate) return refuse('conflict', 'invalid_dates', `--to ${input.endDate} is before --from ${input.startDate}`);
  if (addDays(input.startDate, MAX_OUTAGE_DAYS) <= input.endDate) return refuse('conflict', 'outage_too_long', `an outage covers at most ${MAX_OUTAGE_DAYS} days; declare a longer one in parts`);
  if (input.startDate > today) return refuse('conflict', 'date_not_past', `an outage is declared once it has happened (from ${input.startDate} is after today, ${today})`);
  if (input.reason.trim() === '') return refuse('conflict', 'reason_required', 'say what happened (--reason): it is shown in the explanation of the weeks it excuses');
  const clash = existing.find((o) => o.status === 'active' && o.officeId === input.officeId && o.startDate <= input.endDate && input.startDate <= o.endDate);
  if (clash) return refuse('conflict', 'overlapping_outage', `outage ${clash.outageId} at ${clash.officeId} (${clash.startDate} to ${clash.endDate}) already covers some of these days`);
  return allow({ outageId, officeId: input.officeId, startDate: input.startDate, endDate: input.endDate, reason: input.reason.trim(), status: 'active' });
}

export function cancelOutage(o: Outage, actor: Actor): Transition<Outage> {
  if (!isHr(actor)) return refuse('forbidden', 'not_hr', `only HR cancels an outage`);
  if (o.status !== 'active') return refuse('conflict', 'not_active', `outage ${o.outageId} is already ${o.status}`);
  return allow({ ...o, status: 'cancelled' });
}

/** What evaluation reads: the active outage at an office on a date, if any. */
export type OutageLookup = (officeId: string, date: LocalDate) => { outageId: string; reason: string } | null;

export function outageLookup(outages: readonly Outage[]): OutageLookup {
  const byOffice = new Map<string, Outage[]>();
  for (const o of outages) {
    if (o.status !== 'active') continue;
    let list = byOffice.get(o.officeId);
    if (!list) byOffice.set(o.officeId, (list = []));
    list.push(o);
  }
  return (officeId, date) => {
    const list = byOffice.get(officeId);
    if (!list) return null;
    const o = list.find((x) => x.startDate <= date && date <= x.endDate);
    return o ? { outageId: o.outageId, reason: o.reason } : null;
  };
}
