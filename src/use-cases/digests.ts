/**
 * Manager digests into the outbox (DESIGN "Workflows: manager awareness").
 *
 * After an evaluation (`afterEvaluation`, in the evaluation's own transaction), the digests of
 * the week that just ended are written to the outbox, one per manager with someone out of
 * compliance, keyed `digest:<managerId>:<week>`, so that re-running the evaluation never makes a
 * second one. When a re-run changes the week before its digest went out, the digest still
 * waiting (`pending`, or `failed` and waiting for a retry) gets the new content; one whose
 * manager no longer has anyone out of compliance is `cancelled` (and comes back if a later run
 * puts someone out again); a digest already sent, or being sent, is never sent again.
 *
 * `hubday digest --week W` does the same for any evaluated, complete week, on request.
 */
import type { Db } from '../store/db.js';
import type { Deps } from './deps.js';
import type { Actor } from '../engine/org.js';
import { hasRole } from '../engine/org.js';
import { addDays, isoWeekOf, type IsoWeek, type LocalDate } from '../engine/dates.js';
import {
  buildDigests, digestKey, digestPayload, digestWeekOf, renderDigest, DEFAULT_HISTORY_WEEKS, DEFAULT_TREND_WEEKS,
  type DigestManager, type DigestSubject,
} from '../engine/digest.js';
import { listPolicies } from '../store/policy.repository.js';
import {
  clearStaleDigests, managersAboveOutOfCompliance, markDigestsStale, outOfComplianceWithHistory, recordsOfWeek, staleDigestWeeks, weekHasDigests,
  type ManagerRow, type OutOfComplianceRow,
} from '../store/digest.repository.js';
import type { Employee } from '../engine/types.js';
import type { OutWithHistory } from './evaluate-compute.js';
import type { EvaluatedWeeks } from './after-evaluation.js';
import { cancelOutbox, enqueueOutboxMessages, undeliveredKeys, type OutboxDraft } from '../store/outbox.repository.js';
import { audited } from './actor.js';
import { HubdayError } from '../errors.js';

export const DIGEST_KIND = 'digest.weekly';

export interface DigestRunSummary {
  /** The digest week, or null when the run evaluated no week that just ended. */
  week: IsoWeek | null;
  weekStart: LocalDate | null;
  /** People out of compliance that week. */
  out: number;
  /** Managers with someone out of compliance (digests built). */
  digests: number;
  /** New digests in the outbox. */
  enqueued: number;
  /** Digests not yet delivered whose content changed. */
  refreshed: number;
  /** Digests already in the outbox and left as they were (unchanged, sent, or being sent). */
  unchanged: number;
  /** Undelivered digests withdrawn because their manager no longer has anyone out of compliance. */
  cancelled: number;
  /** Managers with someone out of compliance but no email address: no digest for them. */
  withoutEmail: string[];
}

const emptySummary = (): DigestRunSummary => ({
  week: null, weekStart: null, out: 0, digests: 0, enqueued: 0, refreshed: 0, unchanged: 0, cancelled: 0, withoutEmail: [],
});

/** The first week of a digest's history (the week itself is the last). */
export function digestHistoryFrom(monday: LocalDate): LocalDate {
  return addDays(monday, -7 * (DEFAULT_HISTORY_WEEKS - 1));
}

/** What a week's digests read: the people out with their recent weeks, and everyone above them. */
export interface DigestInput {
  out: OutOfComplianceRow[];
  managers: ManagerRow[];
}

const byId = (a: { employeeId: string }, b: { employeeId: string }) => (a.employeeId < b.employeeId ? -1 : a.employeeId > b.employeeId ? 1 : 0);

/**
 * The DigestInput of an evaluation that has just computed every employee's weeks of the digest
 * week's history (evaluate-compute collects the people out): what outOfComplianceWithHistory and
 * managersAboveOutOfCompliance would read back from the store, without reading it.
 */
export function digestInputOf(out: readonly OutWithHistory[], employees: readonly Employee[]): DigestInput {
  const people = new Map(employees.map((e) => [e.employeeId, e]));
  const managerOf = (e: Employee) => (e.managerId === e.employeeId ? null : e.managerId);
  const rows: OutOfComplianceRow[] = [];
  const above = new Set<string>();
  for (const o of out) {
    const e = people.get(o.employeeId);
    if (!e) continue;
    rows.push({ employeeId: o.employeeId, name: e.name, managerId: managerOf(e), policyId: o.policyId, policyVersion: o.policyVersion, weeks: o.weeks });
    // Up the tree to the root, each manager once (a cycle ends at a manager already seen).
    for (let m = e.managerId; m !== null && !above.has(m); ) {
      const boss = people.get(m);
      if (!boss) break;
      above.add(m);
      m = boss.managerId;
    }
  }
  const managers: ManagerRow[] = [...above].map((id) => people.get(id)!).map((m) => ({
    employeeId: m.employeeId, name: m.name, email: m.email, managerId: managerOf(m), terminationDate: m.terminationDate,
  }));
  return { out: rows.sort(byId), managers: managers.sort(byId) };
}

/**
 * Builds the week's digests from the stored records (or from `known`, what an evaluation computed) and writes them to the outbox, in `tx`
 * (the week is no longer marked stale).
 * Two reads for the whole week (people out with their recent weeks, everyone above them), one
 * write per 500 digests, one for cancellations.
 */
export async function writeDigestsOfWeek(tx: Db, deps: Deps, monday: LocalDate, known?: DigestInput): Promise<DigestRunSummary> {
  const week = isoWeekOf(monday);
  const out = known?.out ?? await outOfComplianceWithHistory(tx, monday, digestHistoryFrom(monday));
  const managerRows = known?.managers ?? await managersAboveOutOfCompliance(tx, monday);
  const policies = await listPolicies(tx);
  const indirectOf = new Map(policies.map((p) => [`${p.id}\u0000${p.version}`, p.digest.indirect]));
  const subjects: DigestSubject[] = out.map((o) => ({
    employeeId: o.employeeId, name: o.name, managerId: o.managerId,
    indirect: o.policyId !== null && indirectOf.get(`${o.policyId}\u0000${o.policyVersion}`) === true,
    weeks: o.weeks,
  }));
  const today = deps.clock.today();
  const managers = new Map<string, DigestManager>(managerRows.map((m) => [m.employeeId, {
    employeeId: m.employeeId, name: m.name, email: m.email, managerId: m.managerId,
    active: m.terminationDate === null || m.terminationDate >= today,
  }]));
  const digests = buildDigests({ weekStart: monday, subjects, managers, trendWeeks: DEFAULT_TREND_WEEKS, historyWeeks: DEFAULT_HISTORY_WEEKS });

  const drafts: OutboxDraft[] = [];
  const withoutEmail: string[] = [];
  for (const g of digests) {
    if (g.email === null) {
      withoutEmail.push(g.managerId);
      continue;
    }
    const { subject, text } = renderDigest(g);
    drafts.push({ kind: DIGEST_KIND, dedupeKey: digestKey(g.managerId, week), recipientId: g.managerId, to: g.email, subject, text, payload: digestPayload(g) });
  }
  const at = deps.clock.now();
  const r = await enqueueOutboxMessages(tx, drafts, { at, refresh: true });
  const wanted = new Set(drafts.map((d) => d.dedupeKey));
  const stale = (await undeliveredKeys(tx, DIGEST_KIND, `digest:%:${week}`)).filter((k) => !wanted.has(k));
  const cancelled = await cancelOutbox(tx, stale, at);
  await clearStaleDigests(tx, monday);
  return {
    week, weekStart: monday, out: out.length, digests: digests.length, enqueued: r.inserted, refreshed: r.refreshed, unchanged: r.kept,
    cancelled, withoutEmail,
  };
}

/**
 * What the run itself computed of the digest week's people, when it computed that week and its
 * history (EvaluatedWeeks.digest): the digests then read no stored record.
 */
export function runDigestInput(deps: Deps, run: EvaluatedWeeks): DigestInput | undefined {
  return run.digest !== undefined && run.digest.monday === digestWeekOf(run.mondays, deps.clock.today()) ? run.digest.input : undefined;
}

/**
 * The afterEvaluation step: the digests of the week that just ended, when the run evaluated it
 * (see digestWeekOf). The whole week is digested whatever employees the run touched, because a
 * manager's digest lists all their reports out of compliance, not only those just re-evaluated.
 */
export async function enqueueDigests(tx: Db, deps: Deps, run: EvaluatedWeeks): Promise<DigestRunSummary> {
  const monday = digestWeekOf(run.mondays, deps.clock.today());
  if (monday === null) return emptySummary();
  if (run.employeeIds !== undefined) {
    // A partial re-evaluation (late events, a workflow step) touches a few people, but rebuilding
    // the week's digests reads everyone out of compliance. When the week already has digests,
    // mark it instead: they are rebuilt once, just before the next delivery (refreshStaleDigests).
    if (await weekHasDigests(tx, isoWeekOf(monday))) {
      await markDigestsStale(tx, monday);
      return { ...emptySummary(), week: isoWeekOf(monday), weekStart: monday };
    }
  }
  const s = await writeDigestsOfWeek(tx, deps, monday, runDigestInput(deps, run));
  deps.log(describeDigestRun(s));
  return s;
}

/**
 * Rebuilds the digests of the weeks marked by partial re-evaluations (one transaction per
 * week), so that what is delivered reflects the latest records. Called by the outbox worker
 * before it claims messages.
 */
export async function refreshStaleDigests(deps: Deps): Promise<DigestRunSummary[]> {
  const out: DigestRunSummary[] = [];
  for (const monday of await staleDigestWeeks(deps.db)) {
    out.push(await deps.db.transaction((tx) => writeDigestsOfWeek(tx, deps, monday)));
    deps.log(describeDigestRun(out[out.length - 1]!));
  }
  return out;
}

/** One line about a digest run, for the log. */
export function describeDigestRun(s: DigestRunSummary): string {
  if (s.week === null) return 'digests: no week just ended was evaluated';
  const parts = [`${s.enqueued} new`, `${s.refreshed} updated`, `${s.unchanged} unchanged`];
  if (s.cancelled > 0) parts.push(`${s.cancelled} withdrawn`);
  const no = s.withoutEmail.length;
  return `digests ${s.week}: ${s.out} out of compliance, ${s.digests} manager${s.digests === 1 ? '' : 's'}; ${parts.join(', ')}` +
    (no > 0 ? `; ${no} manager${no === 1 ? '' : 's'} without an email address get none (${s.withoutEmail.slice(0, 5).join(', ')}${no > 5 ? ', …' : ''})` : '') +
    ` (hubday outbox list --kind ${DIGEST_KIND})`;
}

/** May the actor run the outbox and digests by hand? The operator, admins and HR. */
export function mayManageOutbox(actor: Actor): boolean {
  return actor.kind === 'operator' || actor.kind === 'system' || hasRole(actor, 'admin') || hasRole(actor, 'hr');
}

/**
 * `hubday digest --week W`: writes the week's digests to the outbox on request (for a week that
 * an evaluation did not digest, for example an older one). Exactly once per manager and week all
 * the same: digests already sent are not sent again. Audited (`digest.enqueued`).
 */
export async function enqueueDigestsForWeek(deps: Deps, actor: Actor, input: { week: IsoWeek; monday: LocalDate }): Promise<DigestRunSummary> {
  if (!mayManageOutbox(actor)) {
    throw new HubdayError('forbidden', `${actor.id} may not enqueue digests: only the operator, admins and HR may (an admin grants it: hubday role grant EMPLOYEE hr)`, [], 'not_admin_or_hr');
  }
  const today = deps.clock.today();
  const sunday = addDays(input.monday, 6);
  if (sunday >= today) {
    throw new HubdayError('conflict', `week ${input.week} ends on ${sunday} and is not complete yet (today is ${today}): digests are for complete weeks`, [], 'week_not_complete');
  }
  return audited(deps, async (tx, audit) => {
    if ((await recordsOfWeek(tx, input.monday)) === 0) {
      throw new HubdayError('conflict', `week ${input.week} has not been evaluated: run hubday evaluate --from ${input.monday} --to ${sunday} first`, [], 'week_not_evaluated');
    }
    const s = await writeDigestsOfWeek(tx, deps, input.monday);
    audit({
      actor: actor.id, action: 'digest.enqueued', subject: `week:${input.week}`, entity: null,
      after: { week: input.week, digests: s.digests, enqueued: s.enqueued, refreshed: s.refreshed, unchanged: s.unchanged, cancelled: s.cancelled, withoutEmail: s.withoutEmail.length },
    });
    return s;
  });
}
