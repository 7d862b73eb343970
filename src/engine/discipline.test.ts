/** Progressive discipline: each precondition by example, and the invariants as properties. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildChain, person } from './test-factories.js';
import {
  STEPS, newCase, nextStepOf, resolutionCheck, stepEvidence, stepPreconditions, transition,
  type CaseState, type CloseOutcome, type DisciplineAction, type DisciplineEvidence, type DisciplineRules, type EvidenceWeek, type StepName,
} from './discipline.js';
import { OPERATOR, type Actor, type Chain } from './org.js';
import { addDays, dayNumber, type LocalDate } from './dates.js';
import type { WeekStatus } from './types.js';

const d = (s: string) => s as LocalDate;
const CHAIN: Chain = buildChain(['E100', 5], ['M1', 7], ['D1', 8], ['V1', 10]);
const M1 = person('M1');
const H1 = person('H1', 'hr');
const H2 = person('H2', 'hr');
const E100 = person('E100');
const RULES: DisciplineRules = { nonCompliantWeeksPerStep: 2, minDaysBetweenSteps: 14, compliantWeeksToResolve: 3, lookbackWeeks: 12 };

/** Weeks from Monday 2026-09-07 on, one letter each: N non-compliant, C compliant, X excused, D non-compliant with an open dispute. */
function weeks(pattern: string, start = '2026-09-07'): EvidenceWeek[] {
  return [...pattern].map((c, i) => ({
    weekStart: addDays(d(start), 7 * i),
    status: (c === 'C' ? 'compliant' : c === 'X' ? 'excused' : 'non_compliant') as WeekStatus,
    present: c === 'C' ? 3 : 1,
    required: c === 'X' ? 0 : 3,
    policy: { id: 'rto-3', version: 1 },
    openDispute: c === 'D',
  }));
}

function ev(today: string, pattern: string, extra: Partial<DisciplineEvidence> = {}): DisciplineEvidence {
  return { today: d(today), weeks: weeks(pattern), exception: null, employed: true, previousCaseClosedOn: null, ...extra };
}

function reasonOf(r: { ok: boolean }): string {
  return r.ok ? 'ok' : (r as unknown as { reason: string }).reason;
}

function apply(state: CaseState, action: DisciplineAction, actor: Actor, e: DisciplineEvidence): CaseState {
  const r = transition(state, action, actor, CHAIN, e, RULES);
  assert.ok(r.ok, JSON.stringify(r));
  return r.next;
}

// Weeks: 09-07 N, 09-14 N, 09-21 C, 09-28 N, 10-05 N, 10-12 N, 10-19 N, 10-26 C, 11-02 C, 11-09 C, 11-16 C
const PATTERN = 'NNCNNNNCCCC';

/** A case at verbal_warning (2026-09-22), acknowledged. */
function atVerbal(): CaseState {
  let s = apply(newCase('E100'), { kind: 'step', step: 'verbal_warning' }, M1, ev('2026-09-22', PATTERN));
  s = apply(s, { kind: 'acknowledge' }, E100, ev('2026-09-23', PATTERN));
  return s;
}

/** At written_warning (2026-10-13), acknowledged. */
function atWritten(): CaseState {
  let s = apply(atVerbal(), { kind: 'step', step: 'written_warning' }, M1, ev('2026-10-13', PATTERN));
  s = apply(s, { kind: 'acknowledge' }, E100, ev('2026-10-14', PATTERN));
  return s;
}

describe('the first step: a verbal warning opens the case', () => {
  test('two non-compliant complete weeks in the standing window are enough', () => {
    const r = transition(newCase('E100'), { kind: 'step', step: 'verbal_warning' }, M1, CHAIN, ev('2026-09-22', PATTERN), RULES);
    assert.ok(r.ok);
    assert.equal(r.next.stage, 'verbal_warning');
    assert.deepEqual(r.next.steps[0], { step: 'verbal_warning', by: 'M1', on: '2026-09-22', ack: null, countedWeeks: ['2026-09-07', '2026-09-14'] });
    assert.deepEqual(r.stepEvidence!.counted.map((w) => w.weekStart), ['2026-09-07', '2026-09-14']);
    assert.equal(r.stepEvidence!.since, null);
  });
  test('an incomplete week is not counted (standing convention: complete weeks ending on or before today)', () => {
    // On Saturday 2026-09-19 the week of 09-14 is not complete.
    assert.equal(reasonOf(transition(newCase('E100'), { kind: 'step', step: 'verbal_warning' }, M1, CHAIN, ev('2026-09-19', PATTERN), RULES)), 'not_enough_noncompliant_weeks');
    assert.equal(reasonOf(transition(newCase('E100'), { kind: 'step', step: 'verbal_warning' }, M1, CHAIN, ev('2026-09-20', PATTERN), RULES)), 'ok');
  });
  test('a non-compliant week with an open dispute is not evidence', () => {
    const r = transition(newCase('E100'), { kind: 'step', step: 'verbal_warning' }, M1, CHAIN, ev('2026-09-22', 'NDC'), RULES);
    assert.equal(reasonOf(r), 'not_enough_noncompliant_weeks');
    assert.match((r as { message: string }).message, /1 non-compliant complete week from 2026-06-29 to 2026-09-20 \(1 more left out while a dispute on them is open\); 2 are needed/);
  });
  test('weeks on or before the previous case\'s closing are not evidence for a new case', () => {
    const e = ev('2026-09-22', PATTERN, { previousCaseClosedOn: d('2026-09-10') });
    assert.equal(reasonOf(transition(newCase('E100'), { kind: 'step', step: 'verbal_warning' }, M1, CHAIN, e, RULES)), 'not_enough_noncompliant_weeks');
    assert.equal(stepEvidence(newCase('E100'), e, RULES).from, '2026-09-11');
  });
  test('the first step must be the verbal warning', () => {
    assert.equal(reasonOf(transition(newCase('E100'), { kind: 'step', step: 'written_warning' }, M1, CHAIN, ev('2026-09-22', PATTERN), RULES)), 'wrong_next_step');
  });
});

describe('who may act', () => {
  const e = ev('2026-09-22', PATTERN);
  test('the manager, anyone above them, or HR', () => {
    for (const a of [M1, person('D1'), person('V1'), H1]) assert.equal(reasonOf(transition(newCase('E100'), { kind: 'step', step: 'verbal_warning' }, a, CHAIN, e, RULES)), 'ok', a.id);
  });
  test('never the employee (even with the hr role), a stranger, or the operator', () => {
    assert.equal(reasonOf(transition(newCase('E100'), { kind: 'step', step: 'verbal_warning' }, person('E100', 'hr'), CHAIN, e, RULES)), 'own_case');
    assert.equal(reasonOf(transition(newCase('E100'), { kind: 'step', step: 'verbal_warning' }, person('X9'), CHAIN, e, RULES)), 'not_manager_or_hr');
    assert.equal(reasonOf(transition(newCase('E100'), { kind: 'step', step: 'verbal_warning' }, OPERATOR, CHAIN, e, RULES)), 'actor_required');
  });
});

describe('the next steps: waits, acknowledgements, weeks since the last step', () => {
  test('a written warning needs the verbal one acknowledged', () => {
    const s = apply(newCase('E100'), { kind: 'step', step: 'verbal_warning' }, M1, ev('2026-09-22', PATTERN));
    assert.equal(reasonOf(transition(s, { kind: 'step', step: 'written_warning' }, M1, CHAIN, ev('2026-10-13', PATTERN), RULES)), 'previous_step_unacknowledged');
  });
  test('a documented refusal to acknowledge counts as recorded', () => {
    let s = apply(newCase('E100'), { kind: 'step', step: 'verbal_warning' }, M1, ev('2026-09-22', PATTERN));
    assert.equal(reasonOf(transition(s, { kind: 'refuse_ack', reason: ' ' }, M1, CHAIN, ev('2026-09-23', PATTERN), RULES)), 'reason_required');
    assert.equal(reasonOf(transition(s, { kind: 'refuse_ack', reason: 'declined to sign' }, E100, CHAIN, ev('2026-09-23', PATTERN), RULES)), 'own_case');
    s = apply(s, { kind: 'refuse_ack', reason: 'declined to sign in the meeting of 09-23, H1 present' }, M1, ev('2026-09-23', PATTERN));
    assert.equal(s.steps[0]!.ack!.kind, 'refused');
    assert.equal(reasonOf(transition(s, { kind: 'step', step: 'written_warning' }, M1, CHAIN, ev('2026-10-13', PATTERN), RULES)), 'ok');
  });
  test('only the employee acknowledges, once', () => {
    const s = apply(newCase('E100'), { kind: 'step', step: 'verbal_warning' }, M1, ev('2026-09-22', PATTERN));
    assert.equal(reasonOf(transition(s, { kind: 'acknowledge' }, M1, CHAIN, ev('2026-09-23', PATTERN), RULES)), 'not_the_employee');
    const acked = apply(s, { kind: 'acknowledge' }, E100, ev('2026-09-23', PATTERN));
    assert.equal(reasonOf(transition(acked, { kind: 'acknowledge' }, E100, CHAIN, ev('2026-09-24', PATTERN), RULES)), 'already_acknowledged');
    assert.equal(reasonOf(transition(acked, { kind: 'refuse_ack', reason: 'x' }, M1, CHAIN, ev('2026-09-24', PATTERN), RULES)), 'already_acknowledged');
    assert.equal(reasonOf(transition(newCase('E100'), { kind: 'acknowledge' }, E100, CHAIN, ev('2026-09-24', PATTERN), RULES)), 'no_case');
  });
  test('the minimum wait between steps', () => {
    const s = atVerbal(); // 2026-09-22
    const r = transition(s, { kind: 'step', step: 'written_warning' }, M1, CHAIN, ev('2026-10-05', PATTERN), RULES);
    assert.equal(reasonOf(r), 'too_soon');
    assert.match((r as { message: string }).message, /13 days ago: at least 14 days must pass between steps \(possible from 2026-10-06\)/);
  });
  test('only weeks that start after the previous step count', () => {
    // Verbal on 2026-09-22 (a Tuesday): the week of 09-21 started before it. 09-28 and 10-05 are non-compliant.
    const s = atVerbal();
    assert.equal(reasonOf(transition(s, { kind: 'step', step: 'written_warning' }, M1, CHAIN, ev('2026-10-10', PATTERN), RULES)), 'not_enough_noncompliant_weeks');
    const se = stepEvidence(s, ev('2026-10-11', PATTERN), RULES);
    assert.deepEqual([se.since, se.from, se.to], ['2026-09-22', '2026-09-23', '2026-10-11']);
    assert.deepEqual(se.counted.map((w) => w.weekStart), ['2026-09-28', '2026-10-05']);
    assert.deepEqual(se.considered.map((w) => w.weekStart), ['2026-09-28', '2026-10-05']);
  });
  test('the steps go in order', () => {
    assert.equal(reasonOf(transition(atVerbal(), { kind: 'step', step: 'termination_eligible' }, M1, CHAIN, ev('2026-10-13', PATTERN), RULES)), 'wrong_next_step');
    assert.equal(reasonOf(transition(atVerbal(), { kind: 'step', step: 'verbal_warning' }, M1, CHAIN, ev('2026-10-13', PATTERN), RULES)), 'case_already_open');
    assert.equal(nextStepOf(atVerbal()), 'written_warning');
  });
  test('an active exception blocks every step', () => {
    const e = ev('2026-10-13', PATTERN, { exception: { exceptionId: 'X1', kind: 'caregiving', endDate: d('2026-12-31') } });
    assert.equal(reasonOf(transition(atVerbal(), { kind: 'step', step: 'written_warning' }, M1, CHAIN, e, RULES)), 'exception_active');
    assert.equal(reasonOf(transition(newCase('E100'), { kind: 'step', step: 'verbal_warning' }, M1, CHAIN, { ...e, today: d('2026-09-22') }, RULES)), 'exception_active');
  });
  test('a case flagged for review takes no step until the flag is cleared', () => {
    const flagged = { ...atVerbal(), needsReview: true };
    assert.equal(reasonOf(transition(flagged, { kind: 'step', step: 'written_warning' }, M1, CHAIN, ev('2026-10-13', PATTERN), RULES)), 'case_needs_review');
    assert.equal(reasonOf(transition(flagged, { kind: 'clear_review' }, E100, CHAIN, ev('2026-10-13', PATTERN), RULES)), 'own_case');
    const cleared = apply(flagged, { kind: 'clear_review' }, H1, ev('2026-10-13', PATTERN));
    assert.equal(reasonOf(transition(cleared, { kind: 'clear_review' }, H1, CHAIN, ev('2026-10-13', PATTERN), RULES)), 'no_review_pending');
    assert.equal(reasonOf(transition(cleared, { kind: 'step', step: 'written_warning' }, M1, CHAIN, ev('2026-10-13', PATTERN), RULES)), 'ok');
  });
  test('every unmet precondition is listed', () => {
    const s = apply(newCase('E100'), { kind: 'step', step: 'verbal_warning' }, M1, ev('2026-09-22', PATTERN));
    const all = stepPreconditions({ ...s, needsReview: true }, 'written_warning', M1, CHAIN, ev('2026-09-24', PATTERN, { exception: { exceptionId: 'X1', kind: 'temporary', endDate: d('2026-10-01') }, employed: false }), RULES);
    assert.deepEqual(all.map((r) => r.reason), ['employee_not_active', 'case_needs_review', 'exception_active', 'previous_step_unacknowledged', 'too_soon', 'not_enough_noncompliant_weeks']);
  });
});

describe('termination eligibility needs an approved HR review', () => {
  const e = ev('2026-11-03', 'NNCNNNNNN');
  test('without a review, refused; with a rejected one, refused; with an approved one, allowed', () => {
    const s = atWritten(); // written on 2026-10-13
    assert.equal(reasonOf(transition(s, { kind: 'step', step: 'termination_eligible' }, M1, CHAIN, e, RULES)), 'hr_review_required');
    const rejected = apply(s, { kind: 'hr_review', approve: false }, H1, e);
    assert.equal(reasonOf(transition(rejected, { kind: 'step', step: 'termination_eligible' }, M1, CHAIN, e, RULES)), 'hr_review_rejected');
    const approved = apply(rejected, { kind: 'hr_review', approve: true }, H2, e);
    const r = transition(approved, { kind: 'step', step: 'termination_eligible' }, M1, CHAIN, e, RULES);
    assert.ok(r.ok);
    assert.equal(r.next.stage, 'termination_eligible');
    assert.deepEqual(r.next.steps.map((x) => x.step), STEPS);
    assert.equal(reasonOf(transition(approved, { kind: 'step', step: 'termination_eligible' }, H2, CHAIN, e, RULES)), 'reviewer_cannot_escalate');
    assert.equal(reasonOf(transition(approved, { kind: 'step', step: 'termination_eligible' }, H1, CHAIN, e, RULES)), 'ok');
  });
  test('the review is HR\'s, on a written warning, not by whoever recorded it', () => {
    assert.equal(reasonOf(transition(atWritten(), { kind: 'hr_review', approve: true }, person('D1'), CHAIN, e, RULES)), 'reviewer_not_hr');
    assert.equal(reasonOf(transition(atVerbal(), { kind: 'hr_review', approve: true }, H1, CHAIN, e, RULES)), 'review_not_applicable');
    let s = apply(atVerbal(), { kind: 'step', step: 'written_warning' }, H1, ev('2026-10-13', PATTERN));
    s = apply(s, { kind: 'acknowledge' }, E100, ev('2026-10-13', PATTERN));
    assert.equal(reasonOf(transition(s, { kind: 'hr_review', approve: true }, H1, CHAIN, e, RULES)), 'reviewer_took_step');
    assert.equal(reasonOf(transition(s, { kind: 'hr_review', approve: true }, person('E100', 'hr'), CHAIN, e, RULES)), 'own_case');
  });
});

describe('closing', () => {
  test('resolved after a run of compliant weeks since the last step (suggested, recorded by a person)', () => {
    const s = atVerbal(); // 2026-09-22
    // Weeks after: 09-28 N, 10-05 N, 10-12 N, 10-19 N, 10-26 C, 11-02 C, 11-09 C, 11-16 C
    const early = ev('2026-11-09', PATTERN);
    assert.deepEqual(resolutionCheck(s, early, RULES), { run: 2, needed: 3, eligible: false, weeks: ['2026-10-26', '2026-11-02'], since: '2026-09-22' });
    assert.equal(reasonOf(transition(s, { kind: 'close', outcome: 'resolved' }, M1, CHAIN, early, RULES)), 'not_enough_compliant_weeks');
    const r = transition(s, { kind: 'close', outcome: 'resolved' }, M1, CHAIN, ev('2026-11-16', PATTERN), RULES);
    assert.ok(r.ok);
    assert.deepEqual([r.next.stage, r.next.outcome, r.next.closedFrom, r.next.closedOn], ['closed', 'resolved', 'verbal_warning', '2026-11-16']);
    assert.equal(r.resolution!.run, 3);
  });
  test('excused weeks and disputed non-compliant weeks neither count nor break the run; a non-compliant week breaks it', () => {
    const s = atVerbal();
    assert.equal(resolutionCheck(s, ev('2026-11-01', 'NNNCXCDC'), RULES).run, 3);
    assert.equal(resolutionCheck(s, ev('2026-11-01', 'NNNCXNCC'), RULES).run, 2);
  });
  test('withdrawn by HR only; terminated only from termination_eligible; separated by the manager or HR', () => {
    const s = atVerbal();
    const e = ev('2026-10-01', PATTERN);
    assert.equal(reasonOf(transition(s, { kind: 'close', outcome: 'withdrawn' }, M1, CHAIN, e, RULES)), 'withdraw_requires_hr');
    assert.equal(reasonOf(transition(s, { kind: 'close', outcome: 'withdrawn' }, H1, CHAIN, e, RULES)), 'ok');
    assert.equal(reasonOf(transition(s, { kind: 'close', outcome: 'terminated' }, H1, CHAIN, e, RULES)), 'not_termination_eligible');
    assert.equal(reasonOf(transition(s, { kind: 'close', outcome: 'separated' }, M1, CHAIN, e, RULES)), 'ok');
    assert.equal(reasonOf(transition(s, { kind: 'close', outcome: 'separated' }, E100, CHAIN, e, RULES)), 'own_case');
    assert.equal(reasonOf(transition(newCase('E100'), { kind: 'close', outcome: 'separated' }, M1, CHAIN, e, RULES)), 'no_case');
  });
  test('a closed case accepts no step', () => {
    const closed = apply(atVerbal(), { kind: 'close', outcome: 'withdrawn' }, H1, ev('2026-10-01', PATTERN));
    const e = ev('2026-11-30', 'NNNNNNNNNNNN');
    for (const step of STEPS) assert.equal(reasonOf(transition(closed, { kind: 'step', step }, M1, CHAIN, e, RULES)), 'case_closed', step);
    assert.equal(reasonOf(transition(closed, { kind: 'acknowledge' }, E100, CHAIN, e, RULES)), 'case_closed');
    assert.equal(reasonOf(transition(closed, { kind: 'hr_review', approve: true }, H2, CHAIN, e, RULES)), 'case_closed');
    assert.equal(reasonOf(transition(closed, { kind: 'close', outcome: 'resolved' }, M1, CHAIN, e, RULES)), 'case_closed');
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const WORLD_START = d('2026-01-05');
const ACTORS: Actor[] = [E100, M1, person('D1'), person('V1'), H1, H2, person('X9'), OPERATOR, person('E100', 'hr')];

const arbWeek = fc.record({
  status: fc.constantFrom<WeekStatus>('non_compliant', 'non_compliant', 'compliant', 'compliant', 'excused', 'exempt'),
  openDispute: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
});

const arbAction = fc.record({
  days: fc.integer({ min: 0, max: 25 }),
  kind: fc.constantFrom('step', 'step', 'step', 'acknowledge', 'acknowledge', 'refuse_ack', 'hr_review', 'close', 'clear_review', 'flag'),
  step: fc.constantFrom<StepName | 'next'>('verbal_warning', 'written_warning', 'termination_eligible', 'next', 'next', 'next'),
  natural: fc.integer({ min: 0, max: 9 }),
  actor: fc.integer({ min: 0, max: ACTORS.length - 1 }),
  approve: fc.integer({ min: 0, max: 4 }).map((n) => n > 0),
  outcome: fc.constantFrom<CloseOutcome>('resolved', 'withdrawn', 'terminated', 'separated'),
  exception: fc.integer({ min: 0, max: 6 }).map((n) => n === 0),
  reason: fc.constantFrom('', 'declined to sign'),
});

const arbRules = fc.record({
  nonCompliantWeeksPerStep: fc.integer({ min: 1, max: 3 }),
  minDaysBetweenSteps: fc.integer({ min: 0, max: 30 }),
  compliantWeeksToResolve: fc.integer({ min: 1, max: 4 }),
  lookbackWeeks: fc.integer({ min: 4, max: 12 }),
});

/** What every reached state must satisfy, whatever the sequence of actions that led to it. */
function checkInvariant(s: CaseState, rules: DisciplineRules, world: readonly EvidenceWeek[]): void {
  assert.deepEqual(s.steps.map((x) => x.step), STEPS.slice(0, s.steps.length), 'steps in order, none skipped');
  const byMonday = new Map(world.map((w) => [w.weekStart, w]));
  for (let i = 0; i < s.steps.length; i++) {
    const step = s.steps[i]!;
    assert.ok(step.countedWeeks.length >= rules.nonCompliantWeeksPerStep, 'enough non-compliant weeks');
    for (const m of step.countedWeeks) {
      const w = byMonday.get(m)!;
      assert.equal(w.status, 'non_compliant');
      assert.equal(w.openDispute, false, 'no week with an open dispute is evidence');
      assert.ok(addDays(m, 6) <= step.on, 'complete weeks only');
      if (i > 0) assert.ok(m > s.steps[i - 1]!.on, 'weeks since the previous step');
    }
    assert.ok(!['E100', 'X9', 'operator'].includes(step.by), `${step.by} may not take a step`);
    if (i > 0) {
      const prev = s.steps[i - 1]!;
      assert.ok(dayNumber(step.on) - dayNumber(prev.on) >= rules.minDaysBetweenSteps, 'the wait between steps');
      assert.ok(prev.ack !== null && prev.ack.on <= step.on, 'the previous step acknowledged (or its refusal recorded) before the next');
      if (prev.ack.kind === 'acknowledged') assert.equal(prev.ack.by, 'E100');
      else assert.ok(prev.ack.reason && prev.ack.by !== 'E100');
    }
  }
  const reachedTermination = s.stage === 'termination_eligible' || s.closedFrom === 'termination_eligible';
  if (reachedTermination) {
    assert.equal(s.steps.length, 3);
    const review = s.hrReview!;
    assert.ok(review && review.status === 'approved' && review.forStep === 1, 'an approved HR review of the written warning');
    assert.ok(['H1', 'H2'].includes(review.by) && review.by !== s.steps[1]!.by);
    assert.ok(review.on >= s.steps[1]!.on && review.on <= s.steps[2]!.on);
    assert.notEqual(review.by, s.steps[2]!.by, 'the reviewer does not escalate');
  }
  if (s.outcome === 'terminated') assert.equal(s.closedFrom, 'termination_eligible');
}

let reachedTermination = 0;
test('property: no sequence of actions reaches termination_eligible without the steps, the waits, the acknowledgements and the HR review; an active exception never allows a step; a closed case accepts no step', () => {
  fc.assert(
    fc.property(arbRules, fc.array(arbWeek, { minLength: 60, maxLength: 60 }), fc.array(arbAction, { minLength: 10, maxLength: 60, size: 'max' }), (rules, ws, actions) => {
      const world: EvidenceWeek[] = ws.map((w, i) => ({ weekStart: addDays(WORLD_START, 7 * i), status: w.status, present: 0, required: 3, policy: null, openDispute: w.status === 'non_compliant' && w.openDispute }));
      let s = newCase('E100');
      let today = d('2026-02-02');
      for (const a of actions) {
        today = addDays(today, a.days);
        const e: DisciplineEvidence = { today, weeks: world, exception: a.exception ? { exceptionId: 'X', kind: 'temporary', endDate: addDays(today, 30) } : null, employed: true, previousCaseClosedOn: null };
        // Mostly the natural actor for the action; sometimes anyone.
        const natural = a.natural < 7;
        let action: DisciplineAction;
        let actor: Actor;
        switch (a.kind) {
          case 'flag':
            s = { ...s, needsReview: s.stage !== 'closed' && s.stage !== 'none' ? true : s.needsReview };
            continue;
          case 'step':
            action = { kind: 'step', step: a.step === 'next' ? nextStepOf(s) ?? 'verbal_warning' : a.step };
            actor = natural ? M1 : ACTORS[a.actor]!;
            break;
          case 'acknowledge':
            action = { kind: 'acknowledge' };
            actor = natural ? E100 : ACTORS[a.actor]!;
            break;
          case 'refuse_ack':
            action = { kind: 'refuse_ack', reason: a.reason };
            actor = natural ? H1 : ACTORS[a.actor]!;
            break;
          case 'hr_review':
            action = { kind: 'hr_review', approve: a.approve };
            actor = natural ? H2 : ACTORS[a.actor]!;
            break;
          case 'close':
            action = { kind: 'close', outcome: a.outcome };
            actor = natural ? H1 : ACTORS[a.actor]!;
            break;
          default:
            action = { kind: 'clear_review' };
            actor = natural ? M1 : ACTORS[a.actor]!;
        }
        const wasClosed = s.stage === 'closed';
        const r = transition(s, action, actor, CHAIN, e, rules);
        if (!r.ok) continue;
        if (action.kind === 'step') assert.equal(e.exception, null, 'a step taken while an exception was active');
        if (wasClosed) assert.equal(action.kind, 'clear_review', `a closed case accepted ${action.kind}`);
        s = r.next;
        checkInvariant(s, rules, world);
        if (s.stage === 'termination_eligible') reachedTermination++;
      }
    }),
    { numRuns: 1500 },
  );
  assert.ok(reachedTermination > 40, `the generator reaches termination_eligible (${reachedTermination} times)`);
});
