/** Disputes and outages: examples of each rule, properties of the transitions, and outage days in the weekly evaluation. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OPERATOR, type Actor, type Chain } from './org.js';
import { addDays } from './dates.js';
import {
  type ClaimEvidence, type ClaimInput, type DisputeCase, type Outage, DISPUTE_STATUSES, cancelOutage, declareOutage, openDispute, outageLookup,
  resolveDispute, reviewRefusal, withdrawDispute,
} from './disputes.js';
import { evaluateEmployee } from './compliance.js';
import { explainWeek } from './explain.js';
import { SEA1, buildAttestation, buildContext, buildInput, buildLeave, buildPolicy, date, evaluateWeek, ins, monday, buildChain, person, allowedState, refusalReason } from './test-factories.js';

const CHAIN: Chain = buildChain(['E', 5], ['M', 7], ['D', 9], ['V', 10]);
const E = person('E');
const M = person('M');
const D = person('D');
const V = person('V');
const H = person('H', 'hr');
const P = person('P');
const OP = OPERATOR;
const d = date;
const TODAY = d('2026-11-30');
const CLAIM: ClaimInput = { employeeId: 'E', day: d('2026-11-25'), officeId: 'SEA1', reason: 'badge reader down', otherReviewer: false };
const EV: ClaimEvidence = { today: TODAY, presentSource: null, openDispute: null, employed: true };

const ok = allowedState;
const reason = refusalReason;

describe('claims', () => {
  test('the employee claims a past day not already present, one open claim per day', () => {
    const c = ok(openDispute(CLAIM, E, EV, 'D1'));
    assert.deepEqual([c.status, c.openedBy, c.otherReviewer], ['open', 'E', false]);
    assert.equal(reason(openDispute(CLAIM, M, EV, 'D1')), 'not_own_claim');
    assert.equal(reason(openDispute(CLAIM, H, EV, 'D1')), 'not_own_claim');
    assert.equal(reason(openDispute(CLAIM, OP, EV, 'D1')), 'actor_required');
    assert.equal(reason(openDispute({ ...CLAIM, day: TODAY }, E, EV, 'D1')), 'date_not_past');
    assert.equal(reason(openDispute({ ...CLAIM, day: d('2025-11-01') }, E, EV, 'D1')), 'date_too_old');
    assert.equal(reason(openDispute({ ...CLAIM, reason: ' ' }, E, EV, 'D1')), 'reason_required');
    assert.equal(reason(openDispute(CLAIM, E, { ...EV, presentSource: 'badge' }, 'D1')), 'already_present');
    assert.equal(reason(openDispute(CLAIM, E, { ...EV, presentSource: 'travel' }, 'D1')), 'already_present');
    assert.equal(reason(openDispute(CLAIM, E, { ...EV, presentSource: 'attestation' }, 'D1')), 'already_attested');
    assert.equal(reason(openDispute(CLAIM, E, { ...EV, openDispute: 'D0' }, 'D1')), 'dispute_already_open');
    assert.equal(reason(openDispute(CLAIM, E, { ...EV, employed: false }, 'D1')), 'not_employed_on_day');
  });

  test('reviewers: anyone above the employee or HR; never the claimant; not the manager when another reviewer is asked for', () => {
    const c = ok(openDispute(CLAIM, E, EV, 'D1'));
    for (const a of [M, D, V, H]) assert.equal(ok(resolveDispute(c, 'approve', a, CHAIN, null)).reviewedBy, a.id);
    assert.equal(reason(resolveDispute(c, 'approve', E, CHAIN, null)), 'own_dispute');
    assert.equal(reason(resolveDispute(c, 'approve', { ...E, roles: ['hr'] }, CHAIN, null)), 'own_dispute', 'not even an HR claimant');
    assert.equal(reason(resolveDispute(c, 'approve', P, CHAIN, null)), 'not_reviewer');
    assert.equal(reason(resolveDispute(c, 'approve', OP, CHAIN, null)), 'actor_required');
    const other = ok(openDispute({ ...CLAIM, otherReviewer: true }, E, EV, 'D2'));
    assert.equal(reason(resolveDispute(other, 'approve', M, CHAIN, null)), 'manager_excluded');
    assert.equal(reason(resolveDispute(other, 'reject', M, CHAIN, 'no')), 'manager_excluded');
    for (const a of [D, V, H]) assert.ok(resolveDispute(other, 'approve', a, CHAIN, null).ok, a.id);
  });

  test('a rejection needs a reason; only open claims are resolved or withdrawn; only the claimant withdraws', () => {
    const c = ok(openDispute(CLAIM, E, EV, 'D1'));
    assert.equal(reason(resolveDispute(c, 'reject', M, CHAIN, null)), 'reason_required');
    const rejected = ok(resolveDispute(c, 'reject', M, CHAIN, 'no record at reception'));
    assert.equal(rejected.status, 'rejected');
    assert.equal(reason(resolveDispute(rejected, 'approve', H, CHAIN, null)), 'not_open');
    assert.equal(reason(withdrawDispute(rejected, E)), 'not_open');
    assert.equal(reason(withdrawDispute(c, M)), 'not_claimant');
    assert.equal(ok(withdrawDispute(c, E)).status, 'withdrawn');
  });
});

test('property: a claim is never resolved by its claimant, only by HR or someone above the employee (not the excluded manager), and resolved claims stay resolved', () => {
  const ACTORS: readonly Actor[] = [E, M, D, V, H, P, OP, { ...E, roles: ['hr'] }, { ...M, roles: ['hr'] }];
  const seen = { approved: 0, rejected: 0 };
  fc.assert(
    fc.property(
      fc.array(fc.record({
        action: fc.constantFrom('open', 'approve', 'reject', 'withdraw'),
        actor: fc.integer({ min: 0, max: ACTORS.length - 1 }),
        other: fc.boolean(),
        note: fc.option(fc.constantFrom('', 'why not')),
        day: fc.integer({ min: 1, max: 5 }),
      }), { minLength: 5, maxLength: 25 }),
      (steps) => {
        const disputes: DisputeCase[] = [];
        for (const s of steps) {
          const actor = ACTORS[s.actor]!;
          if (s.action === 'open') {
            const day = addDays(TODAY, -s.day);
            const open = disputes.find((x) => x.day === day && x.status === 'open');
            const attested = disputes.some((x) => x.day === day && x.status === 'approved');
            const t = openDispute({ ...CLAIM, day, otherReviewer: s.other }, actor, { ...EV, openDispute: open?.disputeId ?? null, presentSource: attested ? 'attestation' : null }, `D${disputes.length + 1}`);
            if (t.ok) {
              assert.equal(actor.id, 'E');
              assert.ok(!open && !attested);
              disputes.push(t.state);
            }
            continue;
          }
          if (disputes.length === 0) continue;
          const i = s.day % disputes.length;
          const cur = disputes[i]!;
          const t = s.action === 'withdraw' ? withdrawDispute(cur, actor) : resolveDispute(cur, s.action as 'approve' | 'reject', actor, CHAIN, s.note);
          if (!t.ok) continue;
          assert.equal(cur.status, 'open', 'only open claims move');
          assert.ok(DISPUTE_STATUSES.includes(t.state.status));
          if (t.state.status === 'approved' || t.state.status === 'rejected') {
            assert.notEqual(actor.id, cur.employeeId);
            assert.ok(actor.roles.includes('hr') || ['M', 'D', 'V'].includes(actor.id));
            if (cur.otherReviewer && !actor.roles.includes('hr')) assert.notEqual(actor.id, 'M');
            if (t.state.status === 'rejected') assert.ok(s.note && s.note.trim() !== '');
            seen[t.state.status]++;
          }
          if (t.state.status === 'withdrawn') assert.equal(actor.id, 'E');
          disputes[i] = t.state;
        }
        // At most one open claim per day.
        const openDays = disputes.filter((x) => x.status === 'open').map((x) => x.day);
        assert.equal(new Set(openDays).size, openDays.length);
      },
    ),
    { numRuns: 300 },
  );
  assert.ok(seen.approved > 20 && seen.rejected > 10, JSON.stringify(seen));
});

describe('outages', () => {
  const O = (over: Partial<Outage> = {}): Outage => ({ outageId: 'O1', officeId: 'SEA1', startDate: d('2026-11-25'), endDate: d('2026-11-25'), reason: 'reader down', status: 'active', ...over });

  test('HR declares a past outage of at most 31 days, not over another at the same office; HR cancels', () => {
    const input = { officeId: 'SEA1', startDate: d('2026-11-24'), endDate: d('2026-11-25'), reason: 'reader down' };
    assert.equal(ok(declareOutage(input, H, [], TODAY, 'O1')).status, 'active');
    for (const a of [E, M, V, OP]) assert.equal(reason(declareOutage(input, a, [], TODAY, 'O1')), 'not_hr');
    assert.equal(reason(declareOutage({ ...input, endDate: d('2026-11-01') }, H, [], TODAY, 'O1')), 'invalid_dates');
    assert.equal(reason(declareOutage({ ...input, startDate: d('2026-10-01') }, H, [], TODAY, 'O1')), 'outage_too_long');
    assert.equal(reason(declareOutage({ ...input, startDate: d('2026-12-01'), endDate: d('2026-12-01') }, H, [], TODAY, 'O1')), 'date_not_past');
    assert.equal(reason(declareOutage({ ...input, reason: '' }, H, [], TODAY, 'O1')), 'reason_required');
    assert.equal(reason(declareOutage(input, H, [O()], TODAY, 'O2')), 'overlapping_outage');
    assert.ok(declareOutage(input, H, [O({ status: 'cancelled' })], TODAY, 'O2').ok);
    assert.ok(declareOutage({ ...input, officeId: 'LON1' }, H, [O()], TODAY, 'O2').ok);
    assert.equal(ok(cancelOutage(O(), H)).status, 'cancelled');
    assert.equal(reason(cancelOutage(O(), M)), 'not_hr');
    assert.equal(reason(cancelOutage(O({ status: 'cancelled' }), H)), 'not_active');
  });

  test('a week with an outage day: available goes down, required follows the holiday rule, the explanation names the outage', () => {
    const outages = outageLookup([O(), O({ outageId: 'O9', status: 'cancelled', startDate: d('2026-11-23'), endDate: d('2026-11-23') })]);
    const scenario = { events: ins(SEA1, '2026-11-24'), holidays: { SEA1: { '2026-11-26': 'Thanksgiving Day' } } };
    const input = buildInput(scenario);
    const run = (rule: string, withOutage: boolean) =>
      evaluateEmployee(input, { ...buildContext({ ...scenario, policies: [buildPolicy({ holidayRule: rule })] }), ...(withOutage ? { outages } : {}) }, [monday('2026-W48')]).weeks[0]!;
    const before = run('proportional', false);
    const after = run('proportional', true);
    assert.deepEqual([before.available, before.required], [4, 2]);
    assert.deepEqual([after.available, after.required, after.present, after.status], [3, 2, 1, 'non_compliant']);
    assert.deepEqual(after.excusedDays, [
      { date: '2026-11-25', reason: 'outage', name: 'reader down', reference: 'O1' },
      { date: '2026-11-26', reason: 'holiday', name: 'Thanksgiving Day' },
    ]);
    assert.equal(after.explanation, '2 of 3 available days required (3 × 3/5 = 1.8, rounded half up); present 1; excused by badge-reader outage O1 at SEA1 (reader down): 2026-11-25');
    assert.equal(run('cap', true).required, 3);
    assert.equal(run('subtract', true).required, 1);
    assert.equal(run('subtract', true).status, 'compliant');
    // An outage at another office excuses nothing for SEA1 staff; a holiday wins over an outage on the same day.
    const lon = outageLookup([O({ officeId: 'LON1' })]);
    assert.equal(evaluateEmployee(input, { ...buildContext(scenario), outages: lon }, [monday('2026-W48')]).weeks[0]!.available, 4);
    const onHoliday = outageLookup([O({ startDate: d('2026-11-26'), endDate: d('2026-11-26') })]);
    const h = evaluateEmployee(input, { ...buildContext(scenario), outages: onHoliday }, [monday('2026-W48')]).weeks[0]!;
    assert.deepEqual([h.available, h.excusedDays.map((x) => x.reason)], [4, ['holiday']]);
  });

  test('an outage day on an anchor day excuses the anchor', () => {
    const scenario = { events: ins(SEA1, '2026-11-16', '2026-11-17', '2026-11-19'), policies: [buildPolicy({ anchorDays: ['Wed'] })] };
    assert.equal(evaluateWeek(scenario, '2026-W47').status, 'non_compliant');
    const w = evaluateEmployee(buildInput(scenario), { ...buildContext(scenario), outages: outageLookup([O({ startDate: d('2026-11-18'), endDate: d('2026-11-18') })]) }, [monday('2026-W47')]).weeks[0]!;
    assert.equal(w.status, 'compliant');
    assert.deepEqual(w.anchors, [{ day: 'Wed', date: '2026-11-18', state: 'excused' }]);
  });

  test('property: an outage only removes available days, never raises the requirement, and never makes a compliant week non-compliant', () => {
    fc.assert(
      fc.property(
        fc.subarray([0, 1, 2, 3, 4, 5, 6]), fc.integer({ min: 0, max: 5 }), fc.constantFrom('proportional', 'cap', 'subtract'),
        fc.subarray(['Mon', 'Tue', 'Wed', 'Thu', 'Fri'], { maxLength: 2 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 }),
        fc.option(fc.integer({ min: 0, max: 6 })), fc.option(fc.integer({ min: 0, max: 6 })),
        (days, daysPerWeek, holidayRule, anchorDays, start, length, leaveDay, attested) => {
          const W = monday('2026-W48');
          const scenario = {
            events: ins(SEA1, ...days.map((n) => addDays(W, n))),
            leave: leaveDay === null ? [] : [buildLeave(addDays(W, leaveDay))],
            attestations: attested === null ? [] : [buildAttestation(addDays(W, attested))],
            policies: [buildPolicy({ daysPerWeek, holidayRule, anchorDays })],
            holidays: { SEA1: { '2026-11-26': 'Thanksgiving Day' } },
          };
          const input = buildInput(scenario);
          const ctx = buildContext(scenario);
          const before = evaluateEmployee(input, ctx, [W]).weeks[0]!;
          const o = O({ startDate: addDays(W, start), endDate: addDays(W, start + length) });
          const after = evaluateEmployee(input, { ...ctx, outages: outageLookup([o]) }, [W]).weeks[0]!;
          const newlyExcused = after.excusedDays.filter((x) => x.reason === 'outage' && !before.excusedDays.some((b) => b.date === x.date)).length;
          assert.equal(after.available, before.available - newlyExcused);
          assert.ok(after.required <= before.required);
          assert.equal(after.present, before.present);
          if (before.status === 'compliant') assert.notEqual(after.status, 'non_compliant');
          if (after.excusedDays.some((x) => x.reason === 'outage') && after.status !== 'exempt') assert.match(after.explanation, /badge-reader outage O1 at SEA1 \(reader down\)/);
          assert.equal(explainWeek(after), after.explanation);
        },
      ),
      { numRuns: 300 },
    );
  });
});

test('reviewRefusal agrees with resolveDispute on who may review', () => {
  const c = ok(openDispute({ ...CLAIM, otherReviewer: true }, E, EV, 'D1'));
  for (const a of [E, M, D, V, H, P, OP]) assert.equal(reviewRefusal(c, a, CHAIN) === null, resolveDispute(c, 'approve', a, CHAIN, null).ok, a.id);
});
