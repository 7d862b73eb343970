/**
 * Promotion gating (DESIGN "Workflows", issue 4 item 3), as pure transition functions.
 *
 * A nomination is `pending` until it is `approved`, `denied` or `withdrawn`; a decided nomination
 * never changes again. Who may decide depends on the employee's standing:
 *
 * - in good standing (at nomination AND at decision): the manager's manager or anyone above them
 *   in the chain, or HR (rule `skip_level_or_hr`);
 * - not in good standing at nomination OR at decision: only the employee's VP (the nearest
 *   ancestor at or above the policy's `vpLevel`) or someone above them (rule `vp_or_above`).
 *   When the standing crossed the line between nomination and decision the stricter rule applies
 *   and the decision says so.
 *
 * Never the nominator, never the employee themself. The standing used as evidence leaves out
 * non-compliant weeks that have an open dispute (issue item 7): a refusal cannot rest on a week
 * the employee is contesting.
 */
import type { Actor, Chain } from './org.js';
import { ancestorDistance, isAncestor, isHr, isVpOrAbove, skipLevelOf, vpOf } from './org.js';
import type { LocalDate } from './dates.js';
import { refuse, type Refusal, personRequired } from './refusal.js';
import { computeStanding, standingWindow } from './standing.js';
import type { StandingParams, StandingMeasure, WeekStatus } from './types.js';


// ---------------------------------------------------------------------------------------------
// Standing as evidence

/** One stored weekly record as evidence, and whether the employee has an open dispute on it. */
export interface EvidenceWeek {
  weekStart: LocalDate;
  status: WeekStatus;
  present: number;
  required: number;
  policy: { id: string; version: number } | null;
  /** An open dispute on a day of this week. */
  openDispute: boolean;
}

/** The standing a decision rests on: the standing, the weeks it counted, and the weeks left out. */
export interface StandingEvidence {
  asOf: LocalDate;
  from: LocalDate;
  to: LocalDate;
  windowWeeks: number;
  measure: StandingMeasure;
  minRatio: number;
  counted: number;
  compliant: number;
  ratio: number | null;
  goodStanding: boolean;
  tier: string | null;
  presentDays: number;
  requiredDays: number;
  policy: { id: string; version: number } | null;
  /** The counted weeks (compliant or non_compliant), oldest first. */
  weeks: { weekStart: LocalDate; status: WeekStatus; present: number; required: number; policy: { id: string; version: number } | null }[];
  /** Non-compliant weeks left out because a dispute on them is open. */
  excludedWeeks: { weekStart: LocalDate; reason: 'open_dispute' }[];
}

/**
 * Standing (DESIGN rule 7) over the window's weeks, leaving out non-compliant weeks with an open
 * dispute. A compliant week with an open dispute stays: no outcome of a dispute can make a week
 * worse (an approved claim only adds a present day), so counting it never works against the
 * employee, while leaving it out could.
 */
export function standingEvidence(
  asOf: LocalDate,
  weeks: readonly EvidenceWeek[],
  params: StandingParams,
  policy: { id: string; version: number } | null,
): StandingEvidence {
  const inWindow = new Set<string>(standingWindow(asOf, params.windowWeeks).mondays);
  const kept: EvidenceWeek[] = [];
  const excluded: StandingEvidence['excludedWeeks'] = [];
  const seen = new Set<string>();
  for (const w of [...weeks].sort((a, b) => (a.weekStart < b.weekStart ? -1 : 1))) {
    if (!inWindow.has(w.weekStart) || seen.has(w.weekStart)) continue;
    seen.add(w.weekStart);
    if (w.status !== 'compliant' && w.status !== 'non_compliant') continue;
    if (w.status === 'non_compliant' && w.openDispute) {
      excluded.push({ weekStart: w.weekStart, reason: 'open_dispute' });
      continue;
    }
    kept.push(w);
  }
  const s = computeStanding('', asOf, kept, params, policy);
  return {
    asOf, from: s.from, to: s.to, windowWeeks: s.windowWeeks, measure: s.measure, minRatio: s.minRatio,
    counted: s.counted, compliant: s.compliant, ratio: s.ratio, goodStanding: s.goodStanding, tier: s.tier,
    presentDays: s.presentDays, requiredDays: s.requiredDays, policy,
    weeks: kept.map((w) => ({ weekStart: w.weekStart, status: w.status, present: w.present, required: w.required, policy: w.policy })),
    excludedWeeks: excluded,
  };
}

// ---------------------------------------------------------------------------------------------
// Nominations

export type PromotionStatus = 'pending' | 'approved' | 'denied' | 'withdrawn';

/** `skip_level_or_hr`: the employee is in good standing; `vp_or_above`: they are not (or were not at nomination). */
export type ApprovalRule = 'skip_level_or_hr' | 'vp_or_above';

export interface Nomination {
  employeeId: string;
  nominatedBy: string;
  fromLevel: number;
  toLevel: number;
  status: PromotionStatus;
  /** Standing at nomination (with open-dispute weeks left out). */
  goodStandingAtNomination: boolean;
}

export interface NominateInput {
  employeeId: string;
  currentLevel: number;
  toLevel: number;
  /** The employee has another pending nomination. */
  hasPending: boolean;
  /** The employee is employed today (no termination date on or before today). */
  employed: boolean;
  standing: StandingEvidence;
}

/**
 * A manager (or anyone above them in the chain) nominates an employee to a higher level. HR is not
 * a nominator by role: nominations come from the management line.
 */
export function nominate(actor: Actor, chain: Chain, input: NominateInput): { ok: true; nomination: Nomination; rule: ApprovalRule } | Refusal {
  if (actor.kind !== 'person') return personRequired('a nomination is a person\'s decision');
  if (actor.id === input.employeeId) return refuse('forbidden', 'self_nomination', `${actor.id} may not nominate themself: their manager, or someone above them, nominates`);
  if (!isAncestor(chain, actor.id)) {
    return refuse('forbidden', 'nominator_not_in_chain', `${actor.id} is not in ${input.employeeId}'s management chain: only their manager (${chain[1]?.employeeId ?? 'none'}) or someone above them may nominate`);
  }
  if (!input.employed) return refuse('conflict', 'employee_not_active', `${input.employeeId} is no longer employed`);
  if (!Number.isInteger(input.toLevel) || input.toLevel <= input.currentLevel) {
    return refuse('conflict', 'level_not_above', `${input.employeeId} is at level ${input.currentLevel}: a promotion is to a higher level, not ${input.toLevel}`);
  }
  if (input.hasPending) return refuse('conflict', 'nomination_pending', `${input.employeeId} already has a pending nomination: decide or withdraw it first`);
  const nomination: Nomination = {
    employeeId: input.employeeId, nominatedBy: actor.id, fromLevel: input.currentLevel, toLevel: input.toLevel, status: 'pending',
    goodStandingAtNomination: input.standing.goodStanding,
  };
  return { ok: true, nomination, rule: input.standing.goodStanding ? 'skip_level_or_hr' : 'vp_or_above' };
}

/** The rule that applies at decision: the stricter one when the standing was not good at nomination or is not now. */
export function ruleAtDecision(goodAtNomination: boolean, goodNow: boolean): { rule: ApprovalRule; changed: boolean; note: string } {
  if (goodAtNomination && goodNow) return { rule: 'skip_level_or_hr', changed: false, note: 'in good standing at nomination and at decision' };
  if (!goodAtNomination && !goodNow) return { rule: 'vp_or_above', changed: false, note: 'not in good standing at nomination nor at decision' };
  if (goodAtNomination) return { rule: 'vp_or_above', changed: true, note: 'in good standing at nomination but not at decision: the stricter rule (VP or above) applies' };
  return { rule: 'vp_or_above', changed: true, note: 'not in good standing at nomination, in good standing at decision: the stricter rule (VP or above) applies' };
}

/** Who may decide under a rule: named for people ("V1 or above", "M0 or above, or HR"). */
export interface Approvers {
  rule: ApprovalRule;
  /** vp_or_above: the VP (null when the chain reaches no VP). */
  vp: string | null;
  /** skip_level_or_hr: the manager's manager (null when there is none). */
  skipLevel: string | null;
  /** HR may decide (skip_level_or_hr only). */
  hr: boolean;
  /** Never these: the nominator and the employee. */
  excluded: string[];
  /** The nearest person in the chain who may decide (null: none; HR may, under skip_level_or_hr). */
  suggested: string | null;
  /** A sentence: "V1 (the VP) or someone above them". */
  text: string;
}

export function approversOf(n: Nomination, chain: Chain, rule: ApprovalRule, vpLevel: number): Approvers {
  const excluded = [n.employeeId, n.nominatedBy].filter((v, i, a) => a.indexOf(v) === i);
  const not = ` (never ${n.nominatedBy}, who nominated)`;
  /** The nearest person in the chain from `from` (a distance) up who is not excluded. */
  const firstFrom = (from: number): string | null => {
    for (let i = from; i < chain.length; i++) if (!excluded.includes(chain[i]!.employeeId)) return chain[i]!.employeeId;
    return null;
  };
  if (rule === 'vp_or_above') {
    const vp = vpOf(chain, vpLevel);
    if (vp === null) {
      return {
        rule, vp, skipLevel: null, hr: false, excluded, suggested: null,
        text: `nobody: ${n.employeeId}'s management chain reaches no VP (level ${vpLevel} or above); HR must correct the org data (manager links or levels)`,
      };
    }
    const suggested = firstFrom(ancestorDistance(chain, vp));
    return {
      rule, vp, skipLevel: null, hr: false, excluded, suggested,
      text: vp === n.nominatedBy
        ? `someone above ${vp} (the VP, who nominated)${suggested ? `, such as ${suggested}` : ': nobody is above them'}`
        : `${vp} (the VP) or someone above them${not}`,
    };
  }
  const skip = skipLevelOf(chain);
  const suggested = firstFrom(2);
  return {
    rule, vp: null, skipLevel: skip, hr: true, excluded, suggested,
    text: skip !== null && skip === n.nominatedBy
      ? `someone above ${skip} (the manager's manager, who nominated)${suggested ? `, such as ${suggested}` : ''}, or HR`
      : `${skip ?? 'the manager\'s manager'} (the manager's manager) or someone above them, or HR${not}`,
  };
}

export interface DecisionContext {
  vpLevel: number;
  /** The employee's level today (a decision is refused when it is no longer below the target). */
  currentLevel: number;
  /** The standing re-read at decision (open-dispute weeks left out). */
  standing: StandingEvidence;
}

export type PromotionAction =
  | { kind: 'approve' }
  | { kind: 'deny' }
  | { kind: 'withdraw' };

export interface DecisionResult {
  ok: true;
  status: Exclude<PromotionStatus, 'pending'>;
  /** The rule the decision was taken under (null for a withdrawal). */
  rule: ApprovalRule | null;
  /** The standing crossed the line since nomination. */
  ruleChanged: boolean;
  ruleNote: string | null;
}

/**
 * May this actor approve or deny? Null when they may. Both approving and denying are decisions
 * reserved to the rule's deciders (a deny resting on standing evidence must come from the people
 * the policy trusts with it).
 */
export function mayDecide(n: Nomination, actor: Actor, chain: Chain, ctx: DecisionContext): Refusal | null {
  if (actor.kind !== 'person') return personRequired('a promotion decision is a person\'s decision');
  if (n.status !== 'pending') return refuse('conflict', 'promotion_not_pending', `this nomination was already ${n.status}: a decided nomination never changes`);
  if (actor.id === n.employeeId) return refuse('forbidden', 'own_promotion', `${actor.id} may not decide their own promotion`);
  if (actor.id === n.nominatedBy) return refuse('forbidden', 'nominator_cannot_decide', `${actor.id} nominated ${n.employeeId} and may not also decide (who may: ${approversOf(n, chain, ruleAtDecision(n.goodStandingAtNomination, ctx.standing.goodStanding).rule, ctx.vpLevel).text})`);
  const { rule } = ruleAtDecision(n.goodStandingAtNomination, ctx.standing.goodStanding);
  const who = approversOf(n, chain, rule, ctx.vpLevel);
  const s = ctx.standing;
  const now = s.ratio === null ? 'no week counted' : `ratio ${s.ratio.toFixed(3)} ${s.goodStanding ? '≥' : '<'} ${s.minRatio}, ${s.from} to ${s.to}`;
  if (rule === 'vp_or_above') {
    const why = n.goodStandingAtNomination
      ? `${n.employeeId} was in good standing at nomination but is not now (${now}), so the stricter rule applies`
      : s.goodStanding
        ? `${n.employeeId} was not in good standing at nomination (is now: ${now}); the stricter rule applies`
        : `${n.employeeId} is not in good standing (${now})`;
    if (who.vp === null) {
      return refuse('conflict', 'no_vp_in_chain', `${why}: only their VP (level ${ctx.vpLevel} or above) or someone above may decide, and their management chain reaches no one at that level; HR must correct the org data (a manager link or a level) before this nomination can be decided`);
    }
    if (!isVpOrAbove(chain, ctx.vpLevel, actor.id)) {
      return refuse('forbidden', 'approver_not_vp', `${why}: only ${who.text} may decide; ${actor.id} is not`);
    }
    return null;
  }
  if (!(ancestorDistance(chain, actor.id) >= 2 || isHr(actor))) {
    return refuse('forbidden', 'approver_not_skip_level_or_hr', `${n.employeeId} is in good standing (${now}): ${who.text} may decide; ${actor.id} is not`);
  }
  return null;
}

/** approve / deny / withdraw a nomination. */
export function decide(n: Nomination, action: PromotionAction, actor: Actor, chain: Chain, ctx: DecisionContext): DecisionResult | Refusal {
  if (action.kind === 'withdraw') {
    if (actor.kind !== 'person') return personRequired('withdrawing a nomination is a person\'s decision');
    if (n.status !== 'pending') return refuse('conflict', 'promotion_not_pending', `this nomination was already ${n.status}: a decided nomination never changes`);
    if (actor.id !== n.nominatedBy && !(isHr(actor) && actor.id !== n.employeeId)) {
      return refuse('forbidden', 'withdraw_not_nominator', `only ${n.nominatedBy}, who nominated, or HR may withdraw this nomination`);
    }
    return { ok: true, status: 'withdrawn', rule: null, ruleChanged: false, ruleNote: null };
  }
  const refused = mayDecide(n, actor, chain, ctx);
  if (refused) return refused;
  if (action.kind === 'approve' && ctx.currentLevel >= n.toLevel) {
    return refuse('conflict', 'level_not_above', `${n.employeeId} is already at level ${ctx.currentLevel}, not below the nominated level ${n.toLevel}: deny or withdraw this nomination`);
  }
  const r = ruleAtDecision(n.goodStandingAtNomination, ctx.standing.goodStanding);
  return { ok: true, status: action.kind === 'approve' ? 'approved' : 'denied', rule: r.rule, ruleChanged: r.changed, ruleNote: r.note };
}
