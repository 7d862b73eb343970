/**
 * Progressive discipline (DESIGN "Workflows", issue 4 item 4), as one pure transition function.
 *
 *   none → verbal_warning → written_warning → termination_eligible → closed
 *
 * Every step is a person's action (the employee's manager or anyone above them in the chain, or
 * HR; never the employee), refused unless all of its preconditions hold:
 *
 * 1. it is the next step of the case, and the case is not closed;
 * 2. enough non-compliant weeks since the previous step (`nonCompliantWeeksPerStep`): complete
 *    stored weeks that start after the previous step's date (for the first step: within the
 *    standing window, and after the employee's previous case closed), leaving out weeks with an
 *    open dispute;
 * 3. at least `minDaysBetweenSteps` days since the previous step;
 * 4. the previous step acknowledged by the employee, or their refusal to acknowledge recorded (with
 *    a reason) by the manager or HR;
 * 5. no active exception today;
 * 6. before `termination_eligible`: an approved HR review of the written warning, by HR, by someone
 *    other than who recorded the written warning, and the escalation by someone other than the
 *    reviewer (two people agree);
 * 7. the case is not flagged for review (late data changed a week used as evidence).
 *
 * A case closes as `resolved` (after `compliantWeeksToResolve` compliant weeks since the last
 * step; hubday suggests it, a person records it), `withdrawn` (HR), `terminated` (from
 * termination_eligible) or `separated` (the employee left). A closed case accepts no step.
 * Nothing here is ever taken automatically: each transition is an action by an actor.
 */
import type { Actor, Chain } from './org.js';
import { isAncestor, isHr } from './org.js';
import { type LocalDate, addDays, dayNumber, fromDayNumber } from './dates.js';
import { standingWindow } from './standing.js';
import type { DisciplineParams } from './types.js';
import type { EvidenceWeek } from './promotion.js';
import { refuse, type Refusal, personRequired } from './refusal.js';

export type { EvidenceWeek } from './promotion.js';

export type StepName = 'verbal_warning' | 'written_warning' | 'termination_eligible';
export const STEPS: readonly StepName[] = ['verbal_warning', 'written_warning', 'termination_eligible'];
export type DisciplineStage = 'none' | StepName | 'closed';
export type CloseOutcome = 'resolved' | 'withdrawn' | 'terminated' | 'separated';
export const CLOSE_OUTCOMES: readonly CloseOutcome[] = ['resolved', 'withdrawn', 'terminated', 'separated'];

export interface Acknowledgement {
  kind: 'acknowledged' | 'refused';
  by: string;
  on: LocalDate;
  /** Why the employee did not acknowledge (a refusal only). */
  reason: string | null;
}

export interface StepRecord {
  step: StepName;
  by: string;
  on: LocalDate;
  ack: Acknowledgement | null;
  /** The Mondays of the non-compliant weeks the step was taken on. */
  countedWeeks: readonly LocalDate[];
}

export interface HrReview {
  status: 'approved' | 'rejected';
  by: string;
  on: LocalDate;
  /** The index (0-based) of the step reviewed: the written warning. */
  forStep: number;
}

export interface CaseState {
  employeeId: string;
  stage: DisciplineStage;
  steps: readonly StepRecord[];
  hrReview: HrReview | null;
  outcome: CloseOutcome | null;
  /** The stage the case was at when it closed. */
  closedFrom: StepName | null;
  closedOn: LocalDate | null;
  /** Late data changed a week used as evidence: no step until someone clears it. */
  needsReview: boolean;
}

export function newCase(employeeId: string): CaseState {
  return { employeeId, stage: 'none', steps: [], hrReview: null, outcome: null, closedFrom: null, closedOn: null, needsReview: false };
}

export interface DisciplineEvidence {
  today: LocalDate;
  /** The employee's stored weekly records (any range; the rules pick the complete weeks they need). */
  weeks: readonly EvidenceWeek[];
  /** An approved exception covering today. */
  exception: { exceptionId: string; kind: string; endDate: LocalDate } | null;
  /** The employee is employed today. */
  employed: boolean;
  /** The day the employee's previous case closed: earlier weeks are not evidence for a new case. */
  previousCaseClosedOn: LocalDate | null;
}

export interface DisciplineRules extends DisciplineParams {
  /** How far back the first step looks for non-compliant weeks: the standing window. */
  lookbackWeeks: number;
}

export type DisciplineAction =
  | { kind: 'step'; step: StepName }
  | { kind: 'acknowledge' }
  | { kind: 'refuse_ack'; reason: string }
  | { kind: 'hr_review'; approve: boolean }
  | { kind: 'close'; outcome: CloseOutcome }
  | { kind: 'clear_review' };

/** The weeks a step rests on. */
export interface StepEvidence {
  /** The previous step's date (null for the first step). */
  since: LocalDate | null;
  /** First Monday considered and last day of the last complete week considered. */
  from: LocalDate;
  to: LocalDate;
  /** Complete weeks considered (any status), oldest first. */
  considered: EvidenceWeek[];
  /** Those counted: non_compliant without an open dispute. */
  counted: EvidenceWeek[];
  /** Non-compliant weeks left out because a dispute on them is open. */
  excluded: { weekStart: LocalDate; reason: 'open_dispute' }[];
  needed: number;
}

export interface ResolutionCheck {
  /** Compliant weeks in the current run (most recent complete weeks since the last step). */
  run: number;
  needed: number;
  eligible: boolean;
  /** The Mondays of the compliant weeks in the run, oldest first. */
  weeks: LocalDate[];
  since: LocalDate | null;
}

export type TransitionResult =
  | { ok: true; next: CaseState; stepEvidence?: StepEvidence; resolution?: ResolutionCheck }
  | Refusal;

/** The step after the case's stage (null when there is none). */
export function nextStepOf(state: CaseState): StepName | null {
  if (state.stage === 'none') return 'verbal_warning';
  if (state.stage === 'verbal_warning') return 'written_warning';
  if (state.stage === 'written_warning') return 'termination_eligible';
  return null;
}

/** The Sunday-inclusive end of the last complete week on or before `today` (as in standing). */
function lastCompleteSunday(today: LocalDate): LocalDate {
  return standingWindow(today, 1).to;
}

function isComplete(weekStart: LocalDate, today: LocalDate): boolean {
  return addDays(weekStart, 6) <= lastCompleteSunday(today);
}

function sortedUnique(weeks: readonly EvidenceWeek[]): EvidenceWeek[] {
  const seen = new Set<string>();
  return [...weeks].sort((a, b) => (a.weekStart < b.weekStart ? -1 : a.weekStart > b.weekStart ? 1 : 0)).filter((w) => {
    if (seen.has(w.weekStart)) return false;
    seen.add(w.weekStart);
    return true;
  });
}

/** The evidence for the case's next step as of today (whatever the step). */
export function stepEvidence(state: CaseState, ev: DisciplineEvidence, rules: DisciplineRules): StepEvidence {
  const last = state.steps[state.steps.length - 1] ?? null;
  const to = lastCompleteSunday(ev.today);
  let from: LocalDate;
  if (last) from = addDays(last.on, 1);
  else {
    from = standingWindow(ev.today, Math.max(1, rules.lookbackWeeks)).from;
    if (ev.previousCaseClosedOn !== null && addDays(ev.previousCaseClosedOn, 1) > from) from = addDays(ev.previousCaseClosedOn, 1);
  }
  // Weeks that start on or after `from` (a week that began before the previous step is not "since" it).
  const considered = sortedUnique(ev.weeks).filter((w) => w.weekStart >= from && isComplete(w.weekStart, ev.today));
  const counted: EvidenceWeek[] = [];
  const excluded: StepEvidence['excluded'] = [];
  for (const w of considered) {
    if (w.status !== 'non_compliant') continue;
    if (w.openDispute) excluded.push({ weekStart: w.weekStart, reason: 'open_dispute' });
    else counted.push(w);
  }
  return { since: last?.on ?? null, from, to, considered, counted, excluded, needed: rules.nonCompliantWeeksPerStep };
}

/**
 * The current run of compliant weeks since the last step, counted back from the last complete
 * week: compliant weeks count, a non-compliant week ends the run, other weeks (excused, exempt,
 * grace, not evaluated, or non-compliant with an open dispute) neither count nor end it.
 */
export function resolutionCheck(state: CaseState, ev: DisciplineEvidence, rules: DisciplineRules): ResolutionCheck {
  const last = state.steps[state.steps.length - 1] ?? null;
  const weeks = sortedUnique(ev.weeks).filter((w) => (last === null || w.weekStart > last.on) && isComplete(w.weekStart, ev.today));
  const run: LocalDate[] = [];
  for (let i = weeks.length - 1; i >= 0; i--) {
    const w = weeks[i]!;
    if (w.status === 'compliant') run.unshift(w.weekStart);
    else if (w.status === 'non_compliant' && !w.openDispute) break;
  }
  const needed = rules.compliantWeeksToResolve;
  return { run: run.length, needed, eligible: last !== null && run.length >= needed, weeks: run, since: last?.on ?? null };
}

function isPerson(actor: Actor): boolean {
  return actor.kind === 'person';
}

/** The employee's manager or anyone above them, or HR; never the employee. */
export function isManagerOrHr(actor: Actor, chain: Chain): boolean {
  if (!isPerson(actor) || actor.id === chain[0]?.employeeId) return false;
  return isAncestor(chain, actor.id) || isHr(actor);
}

const STEP_TEXT: Record<StepName, string> = {
  verbal_warning: 'a verbal warning',
  written_warning: 'a written warning',
  termination_eligible: 'termination eligibility',
};

/** Who may act on a case (step, refusal to acknowledge, close, clear a flag). */
function actorRefusal(actor: Actor, chain: Chain, what: string): Refusal | null {
  const employeeId = chain[0]?.employeeId ?? '';
  if (!isPerson(actor)) return personRequired(`${what} is a person's decision`);
  if (actor.id === employeeId) return refuse('forbidden', 'own_case', `${actor.id} may not act on their own discipline case (${what})`);
  if (!isManagerOrHr(actor, chain)) {
    return refuse('forbidden', 'not_manager_or_hr', `${what}: only ${employeeId}'s manager (${chain[1]?.employeeId ?? 'none'}) or someone above them, or HR, may; ${actor.id} is neither`);
  }
  return null;
}

/**
 * Every unmet precondition of taking `step` today, in the order they are explained (empty: the
 * step may be taken). The actor's right to act is checked first.
 */
export function stepPreconditions(state: CaseState, step: StepName, actor: Actor, chain: Chain, ev: DisciplineEvidence, rules: DisciplineRules): Refusal[] {
  const who = actorRefusal(actor, chain, `recording ${STEP_TEXT[step]}`);
  if (who) return [who];
  if (state.stage === 'closed') return [refuse('conflict', 'case_closed', `this case is closed (${state.outcome}): a closed case accepts no step; a new case starts with a verbal warning`)];
  const next = nextStepOf(state);
  if (next !== step) {
    const msg = state.stage === 'none'
      ? `${state.employeeId} has no open case: the first step is verbal_warning`
      : next === null
        ? `the case is already ${state.stage}: record its outcome with "discipline close"`
        : step === 'verbal_warning'
          ? `${state.employeeId} already has an open case (at ${state.stage}); its next step is ${next}`
          : `the case is at ${state.stage}: the next step is ${next}, not ${step}`;
    return [refuse('conflict', state.stage !== 'none' && step === 'verbal_warning' ? 'case_already_open' : 'wrong_next_step', msg)];
  }
  const out: Refusal[] = [];
  if (!ev.employed) out.push(refuse('conflict', 'employee_not_active', `${state.employeeId} is no longer employed`));
  if (state.needsReview) {
    out.push(refuse('conflict', 'case_needs_review', 'late data changed a week this case rests on: the manager or HR must review it and clear the flag ("discipline clear-review") before the next step'));
  }
  if (ev.exception) {
    out.push(refuse('conflict', 'exception_active', `an approved exception (${ev.exception.exceptionId}, ${ev.exception.kind}) covers ${ev.today} (until ${ev.exception.endDate}): no step may be taken while it is active`));
  }
  const last = state.steps[state.steps.length - 1] ?? null;
  if (last && last.ack === null) {
    out.push(refuse('conflict', 'previous_step_unacknowledged', `the ${last.step} of ${last.on} is not acknowledged: ${state.employeeId} acknowledges it ("discipline acknowledge"), or the manager or HR records their refusal with a reason ("discipline refuse-ack")`));
  }
  if (last) {
    const waited = dayNumber(ev.today) - dayNumber(last.on);
    if (waited < rules.minDaysBetweenSteps) {
      const earliest = fromDayNumber(dayNumber(last.on) + rules.minDaysBetweenSteps);
      out.push(refuse('conflict', 'too_soon', `the ${last.step} was recorded on ${last.on}, ${waited} day${waited === 1 ? '' : 's'} ago: at least ${rules.minDaysBetweenSteps} days must pass between steps (possible from ${earliest})`));
    }
  }
  const se = stepEvidence(state, ev, rules);
  if (se.counted.length < se.needed) {
    const disputed = se.excluded.length > 0 ? ` (${se.excluded.length} more left out while a dispute on them is open)` : '';
    const span = se.to < se.from
      ? `no complete week since the ${last!.step} of ${last!.on} yet`
      : `${se.counted.length} non-compliant complete week${se.counted.length === 1 ? '' : 's'} ${last ? `since the ${last.step} of ${last.on}` : `from ${se.from}`} to ${se.to}${disputed}`;
    out.push(refuse('conflict', 'not_enough_noncompliant_weeks', `${span}; ${se.needed} are needed for ${STEP_TEXT[step]}`));
  }
  if (step === 'termination_eligible') {
    const writtenAt = state.steps.length - 1;
    const review = state.hrReview && state.hrReview.forStep === writtenAt ? state.hrReview : null;
    if (review === null) out.push(refuse('conflict', 'hr_review_required', 'termination eligibility needs an approved HR review of the written warning ("discipline hr-review CASE --approve")'));
    else if (review.status !== 'approved') out.push(refuse('conflict', 'hr_review_rejected', `HR (${review.by}) rejected the escalation on ${review.on}: a new approved HR review is needed`));
    else if (review.by === actor.id) out.push(refuse('forbidden', 'reviewer_cannot_escalate', `${actor.id} reviewed the case for HR: the escalation is someone else's decision (the manager, someone above them, or another HR person), so that two people agree`));
  }
  return out;
}

/** Applies an action to a case: the next state, or the first refusal. */
export function transition(state: CaseState, action: DisciplineAction, actor: Actor, chain: Chain, ev: DisciplineEvidence, rules: DisciplineRules): TransitionResult {
  const employeeId = state.employeeId;
  switch (action.kind) {
    case 'step': {
      const refused = stepPreconditions(state, action.step, actor, chain, ev, rules);
      if (refused.length > 0) return refused[0]!;
      const se = stepEvidence(state, ev, rules);
      const rec: StepRecord = { step: action.step, by: actor.id, on: ev.today, ack: null, countedWeeks: se.counted.map((w) => w.weekStart) };
      return { ok: true, next: { ...state, stage: action.step, steps: [...state.steps, rec] }, stepEvidence: se };
    }
    case 'acknowledge': {
      if (!isPerson(actor)) return personRequired('an acknowledgement is the employee\'s');
      if (actor.id !== employeeId) return refuse('forbidden', 'not_the_employee', `only ${employeeId} may acknowledge their own warning; the manager or HR may record a refusal to acknowledge ("discipline refuse-ack")`);
      const r = ackTarget(state);
      if (!r.ok) return r;
      return { ok: true, next: withAck(state, { kind: 'acknowledged', by: actor.id, on: ev.today, reason: null }) };
    }
    case 'refuse_ack': {
      const who = actorRefusal(actor, chain, 'recording a refusal to acknowledge');
      if (who) return who;
      const r = ackTarget(state);
      if (!r.ok) return r;
      if (action.reason.trim() === '') return refuse('conflict', 'reason_required', 'a refusal to acknowledge is recorded with a reason (what was said, when, who was present)');
      return { ok: true, next: withAck(state, { kind: 'refused', by: actor.id, on: ev.today, reason: action.reason }) };
    }
    case 'hr_review': {
      if (!isPerson(actor)) return personRequired('an HR review is a person\'s decision');
      if (actor.id === employeeId) return refuse('forbidden', 'own_case', `${actor.id} may not review their own case`);
      if (!isHr(actor)) return refuse('forbidden', 'reviewer_not_hr', `only HR may review a case before termination eligibility; ${actor.id} does not hold the hr role`);
      if (state.stage === 'closed') return refuse('conflict', 'case_closed', `this case is closed (${state.outcome})`);
      if (state.stage !== 'written_warning') return refuse('conflict', 'review_not_applicable', `an HR review is taken on a written warning, before termination eligibility; the case is at ${state.stage}`);
      const at = state.steps.length - 1;
      if (state.steps[at]!.by === actor.id) return refuse('forbidden', 'reviewer_took_step', `${actor.id} recorded the written warning: another HR person reviews it`);
      return { ok: true, next: { ...state, hrReview: { status: action.approve ? 'approved' : 'rejected', by: actor.id, on: ev.today, forStep: at } } };
    }
    case 'close': {
      const who = actorRefusal(actor, chain, `closing the case as ${action.outcome}`);
      if (who) return who;
      if (state.stage === 'closed') return refuse('conflict', 'case_closed', `this case is already closed (${state.outcome})`);
      if (state.stage === 'none') return refuse('conflict', 'no_case', `${employeeId} has no open case`);
      let resolution: ResolutionCheck | undefined;
      if (action.outcome === 'resolved') {
        resolution = resolutionCheck(state, ev, rules);
        if (!resolution.eligible) {
          return refuse('conflict', 'not_enough_compliant_weeks', `${resolution.run} compliant week${resolution.run === 1 ? '' : 's'} in a row since the ${state.steps[state.steps.length - 1]!.step} of ${resolution.since}; ${resolution.needed} close a case as resolved`);
        }
      } else if (action.outcome === 'withdrawn') {
        if (!isHr(actor)) return refuse('forbidden', 'withdraw_requires_hr', 'only HR may withdraw a case (for example one opened in error)');
      } else if (action.outcome === 'terminated') {
        if (state.stage !== 'termination_eligible') return refuse('conflict', 'not_termination_eligible', `the case is at ${state.stage}: a termination is recorded only on a termination_eligible case`);
      }
      return {
        ok: true,
        next: { ...state, stage: 'closed', outcome: action.outcome, closedFrom: state.stage, closedOn: ev.today },
        ...(resolution ? { resolution } : {}),
      };
    }
    case 'clear_review': {
      const who = actorRefusal(actor, chain, 'clearing a review flag');
      if (who) return who;
      if (!state.needsReview) return refuse('conflict', 'no_review_pending', 'this case is not flagged for review');
      return { ok: true, next: { ...state, needsReview: false } };
    }
  }
}

function ackTarget(state: CaseState): { ok: true } | Refusal {
  if (state.stage === 'closed') return refuse('conflict', 'case_closed', `this case is closed (${state.outcome})`);
  const last = state.steps[state.steps.length - 1];
  if (!last) return refuse('conflict', 'no_case', `${state.employeeId} has no open case`);
  if (last.ack !== null) {
    return refuse('conflict', 'already_acknowledged', `the ${last.step} of ${last.on} was already ${last.ack.kind === 'acknowledged' ? 'acknowledged' : 'recorded as refused'} on ${last.ack.on}`);
  }
  return { ok: true };
}

function withAck(state: CaseState, ack: Acknowledgement): CaseState {
  const steps = state.steps.slice();
  steps[steps.length - 1] = { ...steps[steps.length - 1]!, ack };
  return { ...state, steps };
}
