/**
 * Relocation to a hub (DESIGN "Relocation", issue 4 item 6): a remote employee is assigned a hub
 * and a deadline; from the deadline on, the policy applies with the hub as home office
 * (compliance.ts `relocationInForce`). Pure transition functions with coded refusals.
 *
 *   assigned ──accept──▶ accepted ──complete──▶ relocated
 *      │  ╲                 │
 *      │   ╲──decline──▶ declined ──accept──▶ accepted
 *      ▼                    │
 *   overdue (deadline passed, not relocated) — accept, decline and complete still allowed
 *   any open state ──cancel──▶ cancelled;  declined, cancelled ──assign──▶ assigned (a new assignment)
 */
import type { LocalDate } from './dates.js';
import { type Actor, type Chain, isHr, isVpOrAbove } from './org.js';
import type { Arrangement } from './types.js';
import { type Transition, allow, refuse, personRequired } from './refusal.js';

export type RelocationStatus = 'assigned' | 'accepted' | 'relocated' | 'declined' | 'overdue' | 'cancelled';
export const RELOCATION_STATUSES: readonly RelocationStatus[] = ['assigned', 'accepted', 'relocated', 'declined', 'overdue', 'cancelled'];

export interface RelocationCase {
  employeeId: string;
  targetOfficeId: string;
  deadline: LocalDate;
  status: RelocationStatus;
  assignedBy: string;
}

/** States in which the employee still has to move. */
const OPEN: readonly RelocationStatus[] = ['assigned', 'accepted', 'overdue'];

export function isOpen(r: Pick<RelocationCase, 'status'>): boolean {
  return OPEN.includes(r.status);
}

/** Overdue: the deadline has passed (it is before `today`) and the employee has not relocated. */
export function isOverdue(r: Pick<RelocationCase, 'status' | 'deadline'>, today: LocalDate): boolean {
  return isOpen(r) && r.deadline < today;
}

/** The status to show on `today`: `overdue` when it is, whether or not check-overdue has written it yet. */
export function displayedStatus(r: Pick<RelocationCase, 'status' | 'deadline'>, today: LocalDate): RelocationStatus {
  return r.status !== 'overdue' && isOverdue(r, today) ? 'overdue' : r.status;
}

/** May the actor assign or cancel a relocation of the person: HR, or their VP or someone above. */
export function mayAssign(actor: Actor, chain: Chain, vpLevel: number): boolean {
  return actor.kind === 'person' && (isHr(actor) || isVpOrAbove(chain, vpLevel, actor.id));
}

export interface AssignInput {
  employeeId: string;
  arrangement: Arrangement;
  targetOfficeId: string;
  deadline: LocalDate;
}

export function assignRelocation(current: RelocationCase | null, input: AssignInput, actor: Actor, chain: Chain, vpLevel: number, today: LocalDate): Transition<RelocationCase> {
  if (actor.kind !== 'person') return personRequired('assigning a relocation is a person\'s decision');
  if (actor.id === input.employeeId) return refuse('forbidden', 'own_relocation', `${actor.id} may not assign their own relocation`);
  if (!mayAssign(actor, chain, vpLevel)) {
    return refuse('forbidden', 'not_hr_or_vp', `a relocation of ${input.employeeId} is assigned by HR or by their VP or someone above; ${actor.id} is neither`);
  }
  if (input.arrangement !== 'remote') {
    return refuse('conflict', 'not_remote', `${input.employeeId} works ${input.arrangement}, not remote: only remote staff are assigned a hub`);
  }
  if (current && current.status !== 'declined' && current.status !== 'cancelled') {
    return refuse('conflict', 'relocation_exists', `${input.employeeId} already has a relocation to ${current.targetOfficeId} (${current.status}, deadline ${current.deadline}): cancel it first to assign another`);
  }
  if (input.deadline <= today) return refuse('conflict', 'deadline_not_future', `the deadline ${input.deadline} must be after today (${today})`);
  return allow({ employeeId: input.employeeId, targetOfficeId: input.targetOfficeId, deadline: input.deadline, status: 'assigned', assignedBy: actor.id });
}

/** The employee's answer. Accept from assigned, overdue or declined; decline from assigned, accepted or overdue. */
export function respondRelocation(r: RelocationCase, answer: 'accept' | 'decline', actor: Actor): Transition<RelocationCase> {
  if (actor.kind !== 'person' || actor.id !== r.employeeId) {
    return refuse('forbidden', 'not_the_employee', `only ${r.employeeId} may ${answer} their relocation${actor.kind === 'person' ? `; ${actor.id} is not them` : ' (say who you are with --as)'}`);
  }
  const from: readonly RelocationStatus[] = answer === 'accept' ? ['assigned', 'overdue', 'declined'] : ['assigned', 'accepted', 'overdue'];
  if (!from.includes(r.status)) return refuse('conflict', 'relocation_closed', `the relocation of ${r.employeeId} is ${r.status}: it can no longer be ${answer === 'accept' ? 'accepted' : 'declined'}`);
  return allow({ ...r, status: answer === 'accept' ? 'accepted' : 'declined' });
}

/** HR records that the employee has relocated. */
export function completeRelocation(r: RelocationCase, actor: Actor): Transition<RelocationCase> {
  if (!isHr(actor)) return refuse('forbidden', 'not_hr', `only HR records a relocation as done; ${actor.kind === 'person' ? actor.id : actor.kind} is not HR`);
  if (actor.id === r.employeeId) return refuse('forbidden', 'own_relocation', `${actor.id} may not record their own relocation`);
  if (!isOpen(r)) return refuse('conflict', 'relocation_closed', `the relocation of ${r.employeeId} is ${r.status}: only an assigned, accepted or overdue relocation is completed`);
  return allow({ ...r, status: 'relocated' });
}

/** HR or the VP (or above) cancels an open or declined relocation; the policy then no longer moves the employee to the hub. */
export function cancelRelocation(r: RelocationCase, actor: Actor, chain: Chain, vpLevel: number): Transition<RelocationCase> {
  if (actor.kind !== 'person') return personRequired('cancelling a relocation is a person\'s decision');
  if (actor.id === r.employeeId) return refuse('forbidden', 'own_relocation', `${actor.id} may not cancel their own relocation`);
  if (!mayAssign(actor, chain, vpLevel)) return refuse('forbidden', 'not_hr_or_vp', `a relocation is cancelled by HR or by the employee's VP or someone above; ${actor.id} is neither`);
  if (!isOpen(r) && r.status !== 'declined') return refuse('conflict', 'relocation_closed', `the relocation of ${r.employeeId} is ${r.status}: nothing to cancel`);
  return allow({ ...r, status: 'cancelled' });
}

/** The overdue check: an assigned or accepted relocation whose deadline has passed becomes overdue (null: no change). */
export function markOverdue(r: RelocationCase, today: LocalDate): RelocationCase | null {
  return (r.status === 'assigned' || r.status === 'accepted') && r.deadline < today ? { ...r, status: 'overdue' } : null;
}
