/**
 * Relocation to a hub (issue 4 item 6): assign, accept, decline, complete, cancel, the overdue
 * check, and reads. Rules in engine/relocation.ts; evaluation applies the hub as home office from
 * the deadline on (engine/compliance.ts relocationInForce), so a change that moves or removes
 * that date re-evaluates the weeks it touches.
 */
import type { Deps } from './deps.js';
import type { Db } from '../store/db.js';
import { type LocalDate, addDays, mondayOf } from '../engine/dates.js';
import { type Actor, hasRole, seesEveryone } from '../engine/org.js';
import {
  type RelocationCase, type RelocationStatus, assignRelocation as assignRule, cancelRelocation as cancelRule,
  completeRelocation as completeRule, displayedStatus, isOverdue, respondRelocation as respondRule,
} from '../engine/relocation.js';
import { HubdayError } from '../errors.js';
import { audited, authorizeView } from './actor.js';
import { orThrow } from '../errors.js';
import { decisionFacts, employeeOrNotFound, reevaluate } from './exceptions.js';
import { officeIds } from '../store/office.repository.js';
import { markEvaluatedWeeksDirty } from '../store/exception.repository.js';
import {
  type RelocationRecord, getRelocation, listRelocations, markOverdueRelocations, recordCancellation, recordCompletion, recordResponse,
  saveAssignment, setHomeOffice,
} from '../store/relocation.repository.js';

/** A relocation as shown: the stored status and the one that holds today (overdue once the deadline has passed). */
export interface RelocationView extends RelocationRecord {
  /** `overdue` when the deadline has passed and the employee has not relocated, even before check-overdue wrote it. */
  currentStatus: RelocationStatus;
  overdue: boolean;
  /** The Monday of the first week judged at the hub (the first week beginning on or after the deadline); null when cancelled. */
  hubInForceFrom: LocalDate | null;
}

export function toRelocationView(r: RelocationRecord, today: LocalDate): RelocationView {
  return { ...r, currentStatus: displayedStatus(r, today), overdue: isOverdue(r, today), hubInForceFrom: r.status === 'cancelled' ? null : firstMondayFrom(r.deadline) };
}

function firstMondayFrom(date: LocalDate): LocalDate {
  const m = mondayOf(date);
  return m === date ? m : addDays(m, 7);
}

const FAR_FUTURE = '9999-12-31' as LocalDate;

async function loadForChange(tx: Db, employeeId: string): Promise<RelocationRecord> {
  const r = await getRelocation(tx, employeeId, true);
  if (!r) throw new HubdayError('not_found', `${employeeId} has no relocation`);
  return r;
}

function auditShape(r: RelocationCase): Record<string, unknown> {
  return { status: r.status, targetOfficeId: r.targetOfficeId, deadline: r.deadline };
}

export interface RelocationChange {
  relocation: RelocationView;
  reevaluated: number;
}

/** `hubday relocation assign E100 --hub SEA1 --deadline D`: HR, or the employee's VP or above; only remote staff. */
export async function assignRelocation(deps: Deps, actor: Actor, input: { employeeId: string; hub: string; deadline: LocalDate }): Promise<RelocationChange> {
  const { employee, chain, vpLevel } = await decisionFacts(deps, input.employeeId);
  if (!(await officeIds(deps.db)).has(input.hub)) throw new HubdayError('not_found', `no office ${input.hub}`);
  const today = deps.clock.today();
  const { rec, marked } = await audited(deps, async (tx, audit) => {
    const current = await getRelocation(tx, input.employeeId, true);
    const next = orThrow(assignRule(current, { employeeId: input.employeeId, arrangement: employee.arrangement, targetOfficeId: input.hub, deadline: input.deadline }, actor, chain, vpLevel, today));
    await saveAssignment(tx, next, deps.clock.now());
    audit({ actor: actor.id, action: 'relocation.assigned', subject: next.employeeId, entity: `relocation:${next.employeeId}`, before: current ? auditShape(current) : null, after: auditShape(next) });
    // Weeks from the deadline on (normally none is evaluated yet) now judge the hub.
    const marked = await markEvaluatedWeeksDirty(tx, [next.employeeId], next.deadline, FAR_FUTURE);
    return { rec: (await getRelocation(tx, next.employeeId))!, marked };
  });
  return { relocation: toRelocationView(rec, today), reevaluated: await reevaluate(deps, marked) };
}

/** `hubday relocation accept|decline E100 --as E100`: the employee's answer. */
export async function respondRelocation(deps: Deps, actor: Actor, input: { employeeId: string; answer: 'accept' | 'decline'; note?: string | null }): Promise<RelocationView> {
  await employeeOrNotFound(deps.db, input.employeeId);
  const rec = await audited(deps, async (tx, audit) => {
    const r = await loadForChange(tx, input.employeeId);
    const next = orThrow(respondRule(r, input.answer, actor));
    await recordResponse(tx, next, input.note?.trim() || null, deps.clock.now());
    audit({ actor: actor.id, action: input.answer === 'accept' ? 'relocation.accepted' : 'relocation.declined', subject: r.employeeId, entity: `relocation:${r.employeeId}`, before: { status: r.status }, after: { status: next.status } });
    return (await getRelocation(tx, r.employeeId))!;
  });
  return toRelocationView(rec, deps.clock.today());
}

/**
 * `hubday relocation complete E100 --as HR1 [--set-home-office]`: HR records the move. With
 * `setHomeOffice`, the employee's home office becomes the hub (the work arrangement is left to
 * the HRIS import).
 */
export async function completeRelocation(deps: Deps, actor: Actor, input: { employeeId: string; setHomeOffice?: boolean }): Promise<RelocationChange> {
  const employee = await employeeOrNotFound(deps.db, input.employeeId);
  const today = deps.clock.today();
  const { rec, marked } = await audited(deps, async (tx, audit) => {
    const r = await loadForChange(tx, input.employeeId);
    const next = orThrow(completeRule(r, actor));
    const moveHome = !!input.setHomeOffice && employee.homeOfficeId !== r.targetOfficeId;
    await recordCompletion(tx, next, actor.id, moveHome ? employee.homeOfficeId : null, deps.clock.now());
    audit({ actor: actor.id, action: 'relocation.completed', subject: r.employeeId, entity: `relocation:${r.employeeId}`, before: { status: r.status }, after: auditShape(next) });
    let marked = 0;
    if (moveHome) {
      await setHomeOffice(tx, r.employeeId, r.targetOfficeId);
      audit({ actor: actor.id, action: 'employee.home_office_changed', subject: r.employeeId, entity: null, before: { homeOfficeId: employee.homeOfficeId }, after: { homeOfficeId: r.targetOfficeId } });
      // The home office is read for every week (its calendar, the weeks before the deadline): re-evaluate them all.
      marked = await markEvaluatedWeeksDirty(tx, [r.employeeId], '0001-01-01' as LocalDate, FAR_FUTURE);
    }
    return { rec: (await getRelocation(tx, r.employeeId))!, marked };
  });
  return { relocation: toRelocationView(rec, today), reevaluated: await reevaluate(deps, marked) };
}

/** `hubday relocation cancel E100 --as HR1`: HR or the VP (or above); the hub no longer applies from the deadline. */
export async function cancelRelocation(deps: Deps, actor: Actor, input: { employeeId: string; reason?: string | null }): Promise<RelocationChange> {
  const { chain, vpLevel } = await decisionFacts(deps, input.employeeId);
  const { rec, marked } = await audited(deps, async (tx, audit) => {
    const r = await loadForChange(tx, input.employeeId);
    const next = orThrow(cancelRule(r, actor, chain, vpLevel));
    await recordCancellation(tx, next, actor.id, deps.clock.now());
    audit({ actor: actor.id, action: 'relocation.cancelled', subject: r.employeeId, entity: `relocation:${r.employeeId}`, before: auditShape(r), after: { status: next.status }, reason: input.reason?.trim() || null });
    const marked = await markEvaluatedWeeksDirty(tx, [r.employeeId], r.deadline, FAR_FUTURE);
    return { rec: (await getRelocation(tx, r.employeeId))!, marked };
  });
  return { relocation: toRelocationView(rec, deps.clock.today()), reevaluated: await reevaluate(deps, marked) };
}

/**
 * `hubday relocation check-overdue`: writes status `overdue` on every assigned or accepted
 * relocation whose deadline has passed (one statement), each audited. For HR or the operator
 * (a scheduled job).
 */
export async function checkOverdueRelocations(deps: Deps, actor: Actor): Promise<RelocationView[]> {
  if (actor.kind === 'person' && !hasRole(actor, 'hr')) {
    throw new HubdayError('forbidden', `only HR (or the store operator, as a scheduled job) runs the overdue check; ${actor.id} is not HR`, [], 'not_hr');
  }
  const today = deps.clock.today();
  const changed = await audited(deps, async (tx, audit) => {
    const rows = await markOverdueRelocations(tx, today, deps.clock.now());
    for (const r of rows) {
      audit({ actor: actor.id, action: 'relocation.overdue', subject: r.employeeId, entity: `relocation:${r.employeeId}`, before: { status: r.before }, after: { status: 'overdue', deadline: r.deadline } });
    }
    const ids = new Set(rows.map((r) => r.employeeId));
    return rows.length > 0 ? (await listRelocations(tx, { statuses: ['overdue'] })).filter((r) => ids.has(r.employeeId)) : [];
  });
  return changed.map((r) => toRelocationView(r, today));
}

/**
 * `hubday relocation list [--overdue] [--status S]`: HR and the operator see every relocation;
 * anyone else their own and their subtree's.
 */
export async function listRelocationsFor(deps: Deps, actor: Actor, input: { overdue?: boolean; statuses?: readonly RelocationStatus[]; employeeId?: string } = {}): Promise<RelocationView[]> {
  const today = deps.clock.today();
  if (input.employeeId !== undefined) await authorizeView(deps, actor, input.employeeId, 'relocation');
  const everyone = seesEveryone(actor);
  const rows = await listRelocations(deps.db, {
    employeeId: input.employeeId,
    subtreeOf: everyone || input.employeeId !== undefined ? undefined : actor.id,
    statuses: input.statuses,
    overdueOn: input.overdue ? today : undefined,
  });
  return rows.map((r) => toRelocationView(r, today));
}

/** `hubday relocation show E100`: the person, their chain, HR (a read by someone else is audited). */
export async function showRelocation(deps: Deps, actor: Actor, input: { employeeId: string }): Promise<RelocationView> {
  await authorizeView(deps, actor, input.employeeId, 'relocation');
  const r = await getRelocation(deps.db, input.employeeId);
  if (!r) throw new HubdayError('not_found', `${input.employeeId} has no relocation`);
  return toRelocationView(r, deps.clock.today());
}
