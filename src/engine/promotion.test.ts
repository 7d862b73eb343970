/** Promotion gating: the rules by example, and their invariants as properties. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildChain, person } from './test-factories.js';
import {
  approversOf, decide, mayDecide, nominate, ruleAtDecision, standingEvidence,
  type EvidenceWeek, type Nomination, type PromotionAction, type StandingEvidence,
} from './promotion.js';
import { OPERATOR, isVpOrAbove, type Actor, type Chain } from './org.js';
import { DEFAULT_STANDING } from './policy.js';
import { addDays, type LocalDate } from './dates.js';
import type { WeekStatus } from './types.js';

const d = (s: string) => s as LocalDate;

/** E100 (5) → M1 (7) → D1 (8) → V1 (10) → C1 (11). */
const CHAIN: Chain = buildChain(['E100', 5], ['M1', 7], ['D1', 8], ['V1', 10], ['C1', 11]);
const HR = person('H1', 'hr');

function standing(good: boolean): StandingEvidence {
  return {
    asOf: d('2026-11-30'), from: d('2026-09-07'), to: d('2026-11-29'), windowWeeks: 12, measure: 'weeks', minRatio: 0.75,
    counted: 12, compliant: good ? 10 : 6, ratio: good ? 10 / 12 : 0.5, goodStanding: good, tier: good ? 'regular' : 'occasional',
    presentDays: 0, requiredDays: 0, policy: { id: 'rto-3', version: 1 }, weeks: [], excludedWeeks: [],
  };
}

function nominated(by = 'M1', good = true): Nomination {
  const r = nominate(person(by), CHAIN, { employeeId: 'E100', currentLevel: 5, toLevel: 6, hasPending: false, employed: true, standing: standing(good) });
  assert.ok(r.ok, JSON.stringify(r));
  return r.nomination;
}

const ctx = (good: boolean, currentLevel = 5) => ({ vpLevel: 10, currentLevel, standing: standing(good) });

function reasonOf(r: { ok: boolean } | null): string | null {
  if (r === null) return null;
  return r.ok ? 'ok' : (r as unknown as { reason: string }).reason;
}

describe('nominating', () => {
  const input = { employeeId: 'E100', currentLevel: 5, toLevel: 6, hasPending: false, employed: true, standing: standing(true) };
  test('the manager or anyone above them may nominate', () => {
    for (const id of ['M1', 'D1', 'V1', 'C1']) assert.equal(reasonOf(nominate(person(id), CHAIN, input)), 'ok', id);
  });
  test('the nomination records the standing at nomination and the rule it implies', () => {
    const good = nominate(person('M1'), CHAIN, input);
    const bad = nominate(person('M1'), CHAIN, { ...input, standing: standing(false) });
    assert.ok(good.ok && bad.ok);
    assert.deepEqual([good.nomination.goodStandingAtNomination, good.rule], [true, 'skip_level_or_hr']);
    assert.deepEqual([bad.nomination.goodStandingAtNomination, bad.rule], [false, 'vp_or_above']);
    assert.equal(good.nomination.status, 'pending');
  });
  test('not the employee, not someone outside the chain, not HR by role alone, not the operator', () => {
    assert.equal(reasonOf(nominate(person('E100'), CHAIN, input)), 'self_nomination');
    assert.equal(reasonOf(nominate(person('X9'), CHAIN, input)), 'nominator_not_in_chain');
    assert.equal(reasonOf(nominate(HR, CHAIN, input)), 'nominator_not_in_chain');
    assert.equal(reasonOf(nominate(OPERATOR, CHAIN, input)), 'actor_required');
  });
  test('to a level above the current one, one pending nomination at a time, employed people only', () => {
    assert.equal(reasonOf(nominate(person('M1'), CHAIN, { ...input, toLevel: 5 })), 'level_not_above');
    assert.equal(reasonOf(nominate(person('M1'), CHAIN, { ...input, toLevel: 4 })), 'level_not_above');
    assert.equal(reasonOf(nominate(person('M1'), CHAIN, { ...input, hasPending: true })), 'nomination_pending');
    assert.equal(reasonOf(nominate(person('M1'), CHAIN, { ...input, employed: false })), 'employee_not_active');
  });
});

describe('deciding, in good standing: the manager\'s manager or above, or HR', () => {
  test('D1 (skip level), V1, C1 and HR may approve; the manager may not', () => {
    const n = nominated('M1');
    for (const a of [person('D1'), person('V1'), person('C1'), HR]) {
      const r = decide(n, { kind: 'approve' }, a, CHAIN, ctx(true));
      assert.ok(r.ok, a.id);
      assert.deepEqual([r.status, r.rule, r.ruleChanged], ['approved', 'skip_level_or_hr', false]);
    }
    const byD1 = nominated('D1');
    assert.equal(reasonOf(decide(byD1, { kind: 'approve' }, person('M1'), CHAIN, ctx(true))), 'approver_not_skip_level_or_hr');
  });
  test('never the nominator, never the employee (even with the hr role), never a stranger', () => {
    assert.equal(reasonOf(decide(nominated('D1'), { kind: 'approve' }, person('D1'), CHAIN, ctx(true))), 'nominator_cannot_decide');
    assert.equal(reasonOf(decide(nominated('M1'), { kind: 'approve' }, person('E100', 'hr'), CHAIN, ctx(true))), 'own_promotion');
    assert.equal(reasonOf(decide(nominated('M1'), { kind: 'approve' }, person('X9'), CHAIN, ctx(true))), 'approver_not_skip_level_or_hr');
    assert.equal(reasonOf(decide(nominated('M1'), { kind: 'approve' }, OPERATOR, CHAIN, ctx(true))), 'actor_required');
  });
  test('deny follows the same rule', () => {
    const r = decide(nominated('M1'), { kind: 'deny' }, HR, CHAIN, ctx(true));
    assert.ok(r.ok);
    assert.equal(r.status, 'denied');
    assert.equal(reasonOf(decide(nominated('M1'), { kind: 'deny' }, person('X9'), CHAIN, ctx(true))), 'approver_not_skip_level_or_hr');
  });
});

describe('deciding, not in good standing: the VP or above only', () => {
  test('V1 and C1 may decide; the skip level and HR may not', () => {
    const n = nominated('M1', false);
    for (const a of [person('V1'), person('C1')]) {
      const r = decide(n, { kind: 'approve' }, a, CHAIN, ctx(false));
      assert.ok(r.ok, a.id);
      assert.equal(r.rule, 'vp_or_above');
    }
    assert.equal(reasonOf(decide(n, { kind: 'approve' }, person('D1'), CHAIN, ctx(false))), 'approver_not_vp');
    assert.equal(reasonOf(decide(n, { kind: 'approve' }, HR, CHAIN, ctx(false))), 'approver_not_vp');
    assert.equal(reasonOf(decide(n, { kind: 'deny' }, HR, CHAIN, ctx(false))), 'approver_not_vp');
  });
  test('a VP who nominated may not decide; the person above them may', () => {
    const n = nominated('V1', false);
    assert.equal(reasonOf(decide(n, { kind: 'approve' }, person('V1'), CHAIN, ctx(false))), 'nominator_cannot_decide');
    assert.equal(reasonOf(decide(n, { kind: 'approve' }, person('C1'), CHAIN, ctx(false))), 'ok');
  });
  test('standing that crossed the line since nomination: the stricter rule, and the record says so', () => {
    const wasGood = nominated('M1', true);
    assert.equal(reasonOf(decide(wasGood, { kind: 'approve' }, person('D1'), CHAIN, ctx(false))), 'approver_not_vp');
    const r = decide(wasGood, { kind: 'approve' }, person('V1'), CHAIN, ctx(false));
    assert.ok(r.ok);
    assert.deepEqual([r.rule, r.ruleChanged], ['vp_or_above', true]);
    assert.match(r.ruleNote!, /stricter rule/);
    const wasBad = nominated('M1', false);
    assert.equal(reasonOf(decide(wasBad, { kind: 'approve' }, HR, CHAIN, ctx(true))), 'approver_not_vp');
    const r2 = decide(wasBad, { kind: 'approve' }, person('V1'), CHAIN, ctx(true));
    assert.ok(r2.ok && r2.ruleChanged);
    assert.deepEqual(ruleAtDecision(true, true), { rule: 'skip_level_or_hr', changed: false, note: 'in good standing at nomination and at decision' });
  });
  test('no VP in the chain: refused with no_vp_in_chain, naming what would fix it', () => {
    const low: Chain = [CHAIN[0]!, CHAIN[1]!, { employeeId: 'D1', level: 8, managerId: null }];
    const n = nominated('M1', false);
    const r = mayDecide(n, person('D1'), low, ctx(false));
    assert.equal(reasonOf(r), 'no_vp_in_chain');
    assert.match(r!.message, /HR must correct the org data/);
    assert.match(approversOf(n, low, 'vp_or_above', 10).text, /^nobody/);
  });
  test('approvers are named', () => {
    const n = nominated('M1', false);
    assert.equal(approversOf(n, CHAIN, 'vp_or_above', 10).text, 'V1 (the VP) or someone above them (never M1, who nominated)');
    assert.equal(approversOf(n, CHAIN, 'skip_level_or_hr', 10).text, 'D1 (the manager\'s manager) or someone above them, or HR (never M1, who nominated)');
    assert.deepEqual([approversOf(n, CHAIN, 'vp_or_above', 10).suggested, approversOf(n, CHAIN, 'skip_level_or_hr', 10).suggested], ['V1', 'D1']);
  });
  test('when the skip level or the VP nominated, the next person up is named', () => {
    const bySkip = approversOf(nominated('D1'), CHAIN, 'skip_level_or_hr', 10);
    assert.deepEqual([bySkip.text, bySkip.suggested], ['someone above D1 (the manager\'s manager, who nominated), such as V1, or HR', 'V1']);
    const byVp = approversOf(nominated('V1', false), CHAIN, 'vp_or_above', 10);
    assert.deepEqual([byVp.text, byVp.suggested], ['someone above V1 (the VP, who nominated), such as C1', 'C1']);
    const byTop = approversOf(nominated('C1', false), [...CHAIN.slice(0, 4), { employeeId: 'C1', level: 11, managerId: null }], 'vp_or_above', 11);
    assert.deepEqual([byTop.text, byTop.suggested], ['someone above C1 (the VP, who nominated): nobody is above them', null]);
  });
});

describe('withdrawing and finality', () => {
  test('the nominator or HR may withdraw; others may not', () => {
    const n = nominated('M1');
    assert.equal(reasonOf(decide(n, { kind: 'withdraw' }, person('M1'), CHAIN, ctx(true))), 'ok');
    assert.equal(reasonOf(decide(n, { kind: 'withdraw' }, HR, CHAIN, ctx(true))), 'ok');
    assert.equal(reasonOf(decide(n, { kind: 'withdraw' }, person('V1'), CHAIN, ctx(true))), 'withdraw_not_nominator');
    assert.equal(reasonOf(decide(n, { kind: 'withdraw' }, person('E100', 'hr'), CHAIN, ctx(true))), 'withdraw_not_nominator');
  });
  test('a decided nomination never changes', () => {
    for (const status of ['approved', 'denied', 'withdrawn'] as const) {
      const n = { ...nominated('M1'), status };
      for (const kind of ['approve', 'deny', 'withdraw'] as const) {
        for (const a of [person('M1'), person('V1'), HR]) assert.equal(reasonOf(decide(n, { kind }, a, CHAIN, ctx(true))), 'promotion_not_pending');
      }
    }
  });
  test('an approval is refused when the employee is no longer below the nominated level', () => {
    assert.equal(reasonOf(decide(nominated('M1'), { kind: 'approve' }, person('D1'), CHAIN, ctx(true, 6))), 'level_not_above');
    assert.equal(reasonOf(decide(nominated('M1'), { kind: 'deny' }, person('D1'), CHAIN, ctx(true, 6))), 'ok');
  });
});

describe('standing as evidence: weeks with an open dispute', () => {
  const week = (i: number, status: WeekStatus, openDispute = false): EvidenceWeek => ({
    weekStart: addDays(d('2026-09-07'), 7 * i), status, present: status === 'compliant' ? 3 : 1, required: 3, policy: { id: 'rto-3', version: 1 }, openDispute,
  });
  const params = { ...DEFAULT_STANDING, windowWeeks: 4 };
  test('a non-compliant week with an open dispute is left out; the standing rests on the others', () => {
    const asOf = d('2026-10-04'); // window: 2026-09-07 .. 2026-10-04
    const weeks = [week(0, 'compliant'), week(1, 'compliant'), week(2, 'compliant'), week(3, 'non_compliant', true)];
    const s = standingEvidence(asOf, weeks, params, null);
    assert.deepEqual([s.counted, s.compliant, s.ratio, s.goodStanding], [3, 3, 1, true]);
    assert.deepEqual(s.excludedWeeks, [{ weekStart: '2026-09-28', reason: 'open_dispute' }]);
    const without = standingEvidence(asOf, weeks.map((w) => ({ ...w, openDispute: false })), params, null);
    assert.deepEqual([without.counted, without.ratio, without.goodStanding], [4, 0.75, true]);
    const two = [week(0, 'compliant'), week(1, 'non_compliant'), week(2, 'compliant'), week(3, 'non_compliant', true)];
    assert.equal(standingEvidence(asOf, two, params, null).goodStanding, false); // 2 of 3
    assert.equal(standingEvidence(asOf, two.map((w) => ({ ...w, openDispute: false })), params, null).ratio, 0.5);
  });
  test('a compliant week with an open dispute stays counted (no dispute can make it worse)', () => {
    const s = standingEvidence(d('2026-10-04'), [week(0, 'compliant', true), week(1, 'non_compliant'), week(2, 'compliant'), week(3, 'compliant')], params, null);
    assert.deepEqual([s.counted, s.compliant, s.excludedWeeks.length], [4, 3, 0]);
    assert.deepEqual(s.weeks.map((w) => w.weekStart), ['2026-09-07', '2026-09-14', '2026-09-21', '2026-09-28']);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

/** A random management chain above E0 (levels in any order), with some people holding the hr role. */
const arbWorld = fc.record({
  levels: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 6 }),
  employeeLevel: fc.integer({ min: 1, max: 9 }),
  hrInChain: fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }),
  vpLevel: fc.integer({ min: 8, max: 11 }),
});

const arbStep = fc.record({
  actor: fc.integer({ min: 0, max: 9 }),
  kind: fc.constantFrom<'nominate' | PromotionAction['kind']>('nominate', 'approve', 'approve', 'deny', 'withdraw'),
  good: fc.boolean(),
  toLevelStep: fc.integer({ min: -1, max: 3 }),
});

let vpApprovals = 0;
test('property: no sequence of actions approves a promotion of someone not in good standing except by their VP or above; the nominator never decides; a decided nomination never changes', () => {
  fc.assert(
    fc.property(arbWorld, fc.array(arbStep, { minLength: 4, maxLength: 40, size: 'max' }), (w, steps) => {
      const chain: Chain = [
        { employeeId: 'E0', level: w.employeeLevel, managerId: 'A1' },
        ...w.levels.map((level, i) => ({ employeeId: `A${i + 1}`, level, managerId: i + 1 < w.levels.length ? `A${i + 2}` : null })),
      ];
      // Actors: the employee, the chain, HR outside the chain, a stranger (some chain members hold hr).
      const ids = ['E0', ...w.levels.map((_, i) => `A${i + 1}`), 'H1', 'X1'];
      const actorOf = (i: number): Actor => {
        const id = ids[i % ids.length]!;
        const hr = id === 'H1' || (id !== 'X1' && w.hrInChain[ids.indexOf(id) % 7]!);
        return hr ? person(id, 'hr') : person(id);
      };
      let current: Nomination | null = null;
      const history: Nomination[] = [];
      for (const s of steps) {
        const actor = actorOf(s.actor);
        const st = standing(s.good);
        if (s.kind === 'nominate') {
          const r = nominate(actor, chain, { employeeId: 'E0', currentLevel: w.employeeLevel, toLevel: w.employeeLevel + s.toLevelStep, hasPending: current?.status === 'pending', employed: true, standing: st });
          if (r.ok) {
            assert.notEqual(actor.id, 'E0');
            assert.ok(chain.slice(1).some((l) => l.employeeId === actor.id));
            assert.ok(s.toLevelStep > 0);
            assert.ok(current === null || current.status !== 'pending', 'one pending nomination');
            if (current) history.push(current);
            current = r.nomination;
          }
          continue;
        }
        if (current === null) continue;
        const before = current.status;
        const r = decide(current, { kind: s.kind }, actor, chain, { vpLevel: w.vpLevel, currentLevel: w.employeeLevel, standing: st });
        if (!r.ok) continue;
        assert.equal(before, 'pending', 'a decided nomination never changes');
        if (s.kind !== 'withdraw') {
          assert.notEqual(actor.id, current.nominatedBy, 'the nominator never decides');
          assert.notEqual(actor.id, 'E0', 'nobody decides their own promotion');
        }
        if (s.kind === 'approve' && (!current.goodStandingAtNomination || !s.good)) {
          assert.ok(isVpOrAbove(chain, w.vpLevel, actor.id), `${actor.id} approved a promotion of someone not in good standing`);
          assert.equal(r.rule, 'vp_or_above');
          vpApprovals++;
        }
        current = { ...current, status: r.status };
      }
      for (const h of history) assert.notEqual(h.status, 'pending');
    }),
    { numRuns: 2000 },
  );
  assert.ok(vpApprovals > 200, `the generator reaches approvals under the VP rule (${vpApprovals})`);
});
