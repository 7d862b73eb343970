/**
 * Disputes and badge-reader outages (issue 4 item 7). An employee claims a past day their badge
 * data does not show; their manager (or someone above, or HR) resolves it; an approved claim
 * becomes an attestation, a present day with the dispute as reference, and the week is
 * re-evaluated at once. HR declares badge-reader outages: those days are excused for everyone
 * whose home office it is, and their evaluated weeks are re-evaluated (set-based).
 * Rules in engine/disputes.ts; every change through `audited`.
 */
import type { Deps } from './deps.js';
import type { Db } from '../store/db.js';
import { type LocalDate, mondayOf } from '../engine/dates.js';
import { type Actor, seesEveryone } from '../engine/org.js';
import { employedOn } from '../engine/compliance.js';
import {
  type DisputeStatus, type Outage, cancelOutage as cancelOutageRule, declareOutage as declareOutageRule, openDispute as openRule,
  resolveDispute as resolveRule, reviewRefusal, withdrawDispute as withdrawRule,
} from '../engine/disputes.js';
import type { PresenceSource } from '../engine/types.js';
import { HubdayError } from '../errors.js';
import { audited, authorizeView, chainOf } from './actor.js';
import { orThrow } from '../errors.js';
import { employeeOrNotFound, reevaluate } from './exceptions.js';
import { computeWeeksLive } from './evaluate-weeks.js';
import { officeIds } from '../store/office.repository.js';
import { managementChains } from '../store/org.repository.js';
import { markEvaluatedWeeksDirty } from '../store/exception.repository.js';
import {
  type DisputeRecord, type OutageRecord, getDispute, getOutage, insertAttestation, insertDispute, insertOutage, listDisputes, listOutages,
  markOfficeWeeksDirty, nextDisputeId, nextOutageId, openDisputeOn, recordDisputeWithdrawal, recordOutageCancellation, recordReview,
} from '../store/dispute.repository.js';

export interface DisputeView extends DisputeRecord {
  /** The attestation an approved dispute became (its reference is the dispute id). */
  attestation: { day: LocalDate; officeId: string; reference: string } | null;
}

function toView(d: DisputeRecord): DisputeView {
  return { ...d, attestation: d.status === 'approved' ? { day: d.day, officeId: d.officeId, reference: d.disputeId } : null };
}

async function loadForChange(tx: Db, disputeId: string): Promise<DisputeRecord> {
  const d = await getDispute(tx, disputeId, true);
  if (!d) throw new HubdayError('not_found', `no dispute ${disputeId}`);
  return d;
}

/** How the employee's day stands in the data as it is now (computed live by the same engine). */
async function presenceOn(deps: Deps, employeeId: string, day: LocalDate): Promise<PresenceSource | null> {
  const weeks = (await computeWeeksLive(deps, [employeeId], [mondayOf(day)])).get(employeeId) ?? [];
  return weeks[0]?.presentDays.find((p) => p.date === day)?.source ?? null;
}

export interface OpenDisputeInput {
  employeeId: string;
  day: LocalDate;
  officeId: string;
  reason: string;
  /** Ask for a reviewer other than the direct manager. */
  otherReviewer?: boolean;
}

/** `hubday dispute open E100 --date D --office SEA1 --reason "…" [--other-reviewer] --as E100`. */
export async function openDispute(deps: Deps, actor: Actor, input: OpenDisputeInput): Promise<DisputeView> {
  const employee = await employeeOrNotFound(deps.db, input.employeeId);
  if (!(await officeIds(deps.db)).has(input.officeId)) throw new HubdayError('not_found', `no office ${input.officeId}`);
  const today = deps.clock.today();
  // Cheap refusals first (who, when), so that the presence computation runs only for a real claim.
  const employed = employedOn(employee, input.day);
  const claim = { employeeId: input.employeeId, day: input.day, officeId: input.officeId, reason: input.reason, otherReviewer: !!input.otherReviewer };
  orThrow(openRule(claim, actor, { today, presentSource: null, openDispute: null, employed }, ''));
  const presentSource = await presenceOn(deps, input.employeeId, input.day);
  const d = await audited(deps, async (tx, audit) => {
    const open = await openDisputeOn(tx, input.employeeId, input.day);
    const next = { ...orThrow(openRule(claim, actor, { today, presentSource, openDispute: open, employed }, '')), disputeId: await nextDisputeId(tx) };
    await insertDispute(tx, next, input.reason.trim(), deps.clock.now());
    audit({
      actor: actor.id, action: 'dispute.opened', subject: next.employeeId, entity: `dispute:${next.disputeId}`,
      after: { status: next.status, day: next.day, officeId: next.officeId, otherReviewer: next.otherReviewer }, reason: input.reason.trim(),
    });
    return (await getDispute(tx, next.disputeId))!;
  });
  return toView(d);
}

export interface ResolveResult {
  dispute: DisputeView;
  /** Employee-weeks re-evaluated (the claimed week, when it had been evaluated). */
  reevaluated: number;
}

/**
 * `hubday dispute approve|reject ID --as M1 [--reason]`: the manager, someone above them, or HR
 * (not the direct manager when the employee asked for another reviewer; never the claimant).
 * Approval writes the attestation and re-evaluates the week; a rejection needs a reason.
 */
export async function resolveDispute(deps: Deps, actor: Actor, input: { disputeId: string; decision: 'approve' | 'reject'; note?: string | null }): Promise<ResolveResult> {
  const pre = await getDispute(deps.db, input.disputeId);
  if (!pre) throw new HubdayError('not_found', `no dispute ${input.disputeId}`);
  const chain = await chainOf(deps.db, pre.employeeId);
  const note = input.note?.trim() || null;
  const { d, marked } = await audited(deps, async (tx, audit) => {
    const cur = await loadForChange(tx, input.disputeId);
    const next = orThrow(resolveRule(cur, input.decision, actor, chain, note));
    let marked = 0;
    if (next.status === 'approved') {
      if (!(await insertAttestation(tx, cur.employeeId, cur.day, cur.officeId, cur.disputeId))) {
        throw new HubdayError('conflict', `${cur.day} already has an attestation for ${cur.employeeId}: reject or withdraw dispute ${cur.disputeId}`, [], 'already_attested');
      }
      marked = await markEvaluatedWeeksDirty(tx, [cur.employeeId], cur.day, cur.day);
    }
    await recordReview(tx, next, note, deps.clock.now());
    audit({
      actor: actor.id, action: next.status === 'approved' ? 'dispute.approved' : 'dispute.rejected', subject: cur.employeeId, entity: `dispute:${cur.disputeId}`,
      before: { status: cur.status },
      after: { status: next.status, day: cur.day, officeId: cur.officeId, ...(next.status === 'approved' ? { attestation: { day: cur.day, officeId: cur.officeId, reference: cur.disputeId } } : {}) },
      reason: note,
    });
    return { d: (await getDispute(tx, cur.disputeId))!, marked };
  });
  return { dispute: toView(d), reevaluated: await reevaluate(deps, marked) };
}

/** `hubday dispute withdraw ID --as E100`: the claimant, while it is open. */
export async function withdrawDispute(deps: Deps, actor: Actor, input: { disputeId: string }): Promise<DisputeView> {
  const d = await audited(deps, async (tx, audit) => {
    const cur = await loadForChange(tx, input.disputeId);
    const next = orThrow(withdrawRule(cur, actor));
    await recordDisputeWithdrawal(tx, next, deps.clock.now());
    audit({ actor: actor.id, action: 'dispute.withdrawn', subject: cur.employeeId, entity: `dispute:${cur.disputeId}`, before: { status: cur.status }, after: { status: next.status } });
    return (await getDispute(tx, cur.disputeId))!;
  });
  return toView(d);
}

/** `hubday dispute show ID`: the person, their chain, HR (a read by someone else is audited). */
export async function showDispute(deps: Deps, actor: Actor, input: { disputeId: string }): Promise<DisputeView> {
  const d = await getDispute(deps.db, input.disputeId);
  if (!d) throw new HubdayError('not_found', `no dispute ${input.disputeId}`);
  await authorizeView(deps, actor, d.employeeId, `dispute ${d.disputeId}`);
  return toView(d);
}

export interface ListDisputesInput {
  employeeId?: string;
  open?: boolean;
  statuses?: readonly DisputeStatus[];
  /** Only open disputes this actor may resolve. */
  toReview?: boolean;
}

/**
 * `hubday dispute list`: one person's (`employeeId`: the person, their chain, HR), or all those
 * the actor may see (HR and the operator everyone's; anyone else their own and their subtree's).
 */
export async function listDisputesFor(deps: Deps, actor: Actor, input: ListDisputesInput = {}): Promise<DisputeView[]> {
  const statuses = input.open || input.toReview ? (['open'] as DisputeStatus[]) : input.statuses;
  if (input.employeeId !== undefined) await authorizeView(deps, actor, input.employeeId, 'disputes');
  const everyone = seesEveryone(actor);
  const rows = await listDisputes(deps.db, { employeeId: input.employeeId, subtreeOf: everyone || input.employeeId !== undefined ? undefined : actor.id, statuses });
  if (!input.toReview) return rows.map(toView);
  const out: DisputeView[] = [];
  const chains = await managementChains(deps.db, [...new Set(rows.map((d) => d.employeeId))]);
  for (const d of rows) {
    const chain = chains.get(d.employeeId);
    if (chain && reviewRefusal(d, actor, chain) === null) out.push(toView(d));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Outages

export interface OutageChange {
  outage: OutageRecord;
  /** Employee-weeks marked and re-evaluated, and the people they belong to. */
  reevaluated: number;
  employees: number;
}

/** `hubday outage declare --office SEA1 --from D --to D --reason "…" --as HR1`. */
export async function declareOutage(deps: Deps, actor: Actor, input: { officeId: string; from: LocalDate; to: LocalDate; reason: string }): Promise<OutageChange> {
  if (!(await officeIds(deps.db)).has(input.officeId)) throw new HubdayError('not_found', `no office ${input.officeId}`);
  const today = deps.clock.today();
  const { o, marked } = await audited(deps, async (tx, audit) => {
    const existing = await listOutages(tx, { officeId: input.officeId, activeOnly: true });
    const next = { ...orThrow(declareOutageRule({ officeId: input.officeId, startDate: input.from, endDate: input.to, reason: input.reason }, actor, existing, today, '')), outageId: await nextOutageId(tx) };
    await insertOutage(tx, next, actor.id, deps.clock.now());
    const marked = await markOfficeWeeksDirty(tx, next.officeId, next.startDate, next.endDate);
    audit({ actor: actor.id, action: 'outage.declared', subject: `office:${next.officeId}`, entity: `outage:${next.outageId}`, after: outageShape(next), reason: next.reason });
    return { o: (await getOutage(tx, next.outageId))!, marked };
  });
  return { outage: o, reevaluated: await reevaluate(deps, marked.weeks), employees: marked.employees };
}

/** `hubday outage cancel ID --as HR1 [--reason]`: the days are no longer excused; the weeks are re-evaluated. */
export async function cancelOutage(deps: Deps, actor: Actor, input: { outageId: string; reason?: string | null }): Promise<OutageChange> {
  const { o, marked } = await audited(deps, async (tx, audit) => {
    const cur = await getOutage(tx, input.outageId, true);
    if (!cur) throw new HubdayError('not_found', `no outage ${input.outageId}`);
    const next = orThrow(cancelOutageRule(cur, actor));
    await recordOutageCancellation(tx, next, actor.id, input.reason?.trim() || null, deps.clock.now());
    const marked = await markOfficeWeeksDirty(tx, cur.officeId, cur.startDate, cur.endDate);
    audit({ actor: actor.id, action: 'outage.cancelled', subject: `office:${cur.officeId}`, entity: `outage:${cur.outageId}`, before: { status: cur.status }, after: { status: next.status }, reason: input.reason?.trim() || null });
    return { o: (await getOutage(tx, cur.outageId))!, marked };
  });
  return { outage: o, reevaluated: await reevaluate(deps, marked.weeks), employees: marked.employees };
}

/** `hubday outage list [--office X] [--all]`: outages are facts about buildings, readable by anyone. */
export async function listOutagesFor(deps: Deps, actor: Actor, input: { officeId?: string; from?: LocalDate; to?: LocalDate; includeCancelled?: boolean } = {}): Promise<OutageRecord[]> {
  void actor;
  return listOutages(deps.db, { officeId: input.officeId, from: input.from, to: input.to, activeOnly: !input.includeCancelled });
}

function outageShape(o: Outage): Record<string, unknown> {
  return { status: o.status, officeId: o.officeId, startDate: o.startDate, endDate: o.endDate };
}
