/** Relocation: examples of each rule and properties of the transitions. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OPERATOR, type Actor, type Chain } from './org.js';
import { addDays } from './dates.js';
import type { Transition } from './refusal.js';
import {
  type RelocationCase, RELOCATION_STATUSES, assignRelocation, cancelRelocation, completeRelocation, displayedStatus, isOverdue, markOverdue,
  respondRelocation,
} from './relocation.js';
import { relocationInForce } from './compliance.js';
import { LON1, SEA1, buildRelocation, date, evaluateWeek, buildChain, person, allowedState, refusalReason } from './test-factories.js';

const CHAIN: Chain = buildChain(['E', 5], ['M', 7], ['V', 10], ['C', 11]);
const E = person('E');
const M = person('M');
const V = person('V');
const C = person('C');
const H = person('H', 'hr');
const P = person('P');
const OP = OPERATOR;
const d = date;
const TODAY = d('2026-11-30');
const INPUT = { employeeId: 'E', arrangement: 'remote' as const, targetOfficeId: 'SEA1', deadline: d('2027-01-04') };

const ok = allowedState;
const reason = refusalReason;

test('assign: HR or the VP and above, only remote staff, a future deadline, not over an open one', () => {
  assert.equal(ok(assignRelocation(null, INPUT, H, CHAIN, 10, TODAY)).status, 'assigned');
  assert.equal(ok(assignRelocation(null, INPUT, V, CHAIN, 10, TODAY)).assignedBy, 'V');
  assert.ok(assignRelocation(null, INPUT, C, CHAIN, 10, TODAY).ok);
  for (const a of [M, P]) assert.equal(reason(assignRelocation(null, INPUT, a, CHAIN, 10, TODAY)), 'not_hr_or_vp', a.id);
  assert.equal(reason(assignRelocation(null, INPUT, OP, CHAIN, 10, TODAY)), 'actor_required');
  assert.equal(reason(assignRelocation(null, INPUT, { ...E, roles: ['hr'] }, CHAIN, 10, TODAY)), 'own_relocation');
  assert.equal(reason(assignRelocation(null, { ...INPUT, arrangement: 'hybrid' }, H, CHAIN, 10, TODAY)), 'not_remote');
  assert.equal(reason(assignRelocation(null, { ...INPUT, deadline: TODAY }, H, CHAIN, 10, TODAY)), 'deadline_not_future');
  const open = ok(assignRelocation(null, INPUT, H, CHAIN, 10, TODAY));
  assert.equal(reason(assignRelocation(open, INPUT, H, CHAIN, 10, TODAY)), 'relocation_exists');
  assert.ok(assignRelocation({ ...open, status: 'declined' }, INPUT, H, CHAIN, 10, TODAY).ok);
  assert.ok(assignRelocation({ ...open, status: 'cancelled' }, INPUT, H, CHAIN, 10, TODAY).ok);
  assert.equal(reason(assignRelocation({ ...open, status: 'relocated' }, INPUT, H, CHAIN, 10, TODAY)), 'relocation_exists');
});

test('the employee answers; HR completes; HR or the VP cancels', () => {
  const r = ok(assignRelocation(null, INPUT, H, CHAIN, 10, TODAY));
  assert.equal(reason(respondRelocation(r, 'accept', M)), 'not_the_employee');
  assert.equal(reason(respondRelocation(r, 'accept', H)), 'not_the_employee');
  const accepted = ok(respondRelocation(r, 'accept', E));
  const declined = ok(respondRelocation(accepted, 'decline', E));
  assert.equal(declined.status, 'declined');
  assert.equal(ok(respondRelocation(declined, 'accept', E)).status, 'accepted', 'a change of mind before HR acts');
  assert.equal(reason(respondRelocation(declined, 'decline', E)), 'relocation_closed');
  assert.equal(reason(completeRelocation(accepted, V)), 'not_hr');
  assert.equal(reason(completeRelocation(declined, H)), 'relocation_closed');
  const done = ok(completeRelocation(accepted, H));
  assert.equal(done.status, 'relocated');
  assert.equal(reason(respondRelocation(done, 'decline', E)), 'relocation_closed');
  assert.equal(reason(cancelRelocation(done, H, CHAIN, 10)), 'relocation_closed');
  assert.equal(reason(cancelRelocation(accepted, M, CHAIN, 10)), 'not_hr_or_vp');
  assert.equal(ok(cancelRelocation(declined, V, CHAIN, 10)).status, 'cancelled');
});

test('overdue: from the day after the deadline, while not relocated; shown derived before it is written', () => {
  const r = ok(assignRelocation(null, INPUT, H, CHAIN, 10, TODAY));
  assert.equal(isOverdue(r, d('2027-01-04')), false, 'the deadline day itself is not overdue');
  assert.equal(isOverdue(r, d('2027-01-05')), true);
  assert.equal(displayedStatus(r, d('2027-01-05')), 'overdue');
  assert.equal(markOverdue(r, d('2027-01-05'))!.status, 'overdue');
  assert.equal(markOverdue(r, d('2027-01-04')), null);
  const overdue = markOverdue(r, d('2027-01-05'))!;
  assert.equal(ok(respondRelocation(overdue, 'accept', E)).status, 'accepted', 'a late acceptance is recorded (and is overdue again until done)');
  assert.equal(ok(completeRelocation(overdue, H)).status, 'relocated');
  assert.equal(isOverdue({ ...r, status: 'declined' }, d('2027-02-01')), false, 'a declined relocation is listed as declined, not overdue');
  assert.equal(isOverdue({ ...r, status: 'relocated' }, d('2027-02-01')), false);
});

test('the hub is the home office from the deadline week on, for every status but cancelled (evaluation)', () => {
  const remote = { employee: { arrangement: 'remote' as const, homeOfficeId: 'LON1' }, offices: [SEA1, LON1] };
  for (const status of ['assigned', 'accepted', 'declined', 'overdue', 'relocated'] as const) {
    const relocation = buildRelocation({ targetOfficeId: 'SEA1', deadline: '2026-11-23', status });
    assert.equal(relocationInForce(relocation, d('2026-11-23')), true, status);
    assert.equal(evaluateWeek({ ...remote, relocation }, '2026-W47').status, 'exempt', `${status}: remote before the deadline`);
    const w48 = evaluateWeek({ ...remote, relocation }, '2026-W48');
    assert.deepEqual([w48.homeOfficeId, w48.status], ['SEA1', 'non_compliant'], status);
  }
  const cancelled = buildRelocation({ targetOfficeId: 'SEA1', deadline: '2026-11-23', status: 'cancelled' });
  assert.equal(evaluateWeek({ ...remote, relocation: cancelled }, '2026-W48').status, 'exempt');
});

const ACTORS: readonly Actor[] = [E, M, V, C, H, P, OP];

test('property: only HR records a relocation, only the employee answers, relocated and cancelled never move except by a new assignment', () => {
  const seen = { relocated: 0, overdue: 0 };
  fc.assert(
    fc.property(
      fc.array(fc.record({
        action: fc.constantFrom('assign', 'accept', 'decline', 'complete', 'cancel', 'overdue', 'accept', 'complete'),
        actor: fc.constantFrom(0, 0, 1, 2, 3, 4, 4, 5, 6),
        deadline: fc.integer({ min: -3, max: 30 }),
        advance: fc.integer({ min: 0, max: 6 }),
      }), { minLength: 8, maxLength: 25 }),
      (steps) => {
        let today = TODAY;
        let r: RelocationCase | null = null;
        for (const s of steps) {
          today = addDays(today, s.advance);
          const actor = ACTORS[s.actor]!;
          let t: Transition<RelocationCase> | null;
          if (s.action === 'assign') t = assignRelocation(r, { ...INPUT, deadline: addDays(today, s.deadline) }, actor, CHAIN, 10, today);
          else if (r === null) continue;
          else if (s.action === 'overdue') {
            const m = markOverdue(r, today);
            t = m ? { ok: true, state: m } : null;
            if (m) seen.overdue++;
          } else if (s.action === 'accept' || s.action === 'decline') t = respondRelocation(r, s.action, actor);
          else if (s.action === 'complete') t = completeRelocation(r, actor);
          else t = cancelRelocation(r, actor, CHAIN, 10);
          if (!t || !t.ok) continue;
          const next = t.state;
          assert.ok(RELOCATION_STATUSES.includes(next.status));
          if (s.action === 'assign') {
            assert.ok(next.deadline > today);
            assert.ok(r === null || r.status === 'declined' || r.status === 'cancelled', `assigned over ${r?.status}`);
            assert.ok(actor.roles.includes('hr') || ['V', 'C'].includes(actor.id));
          } else {
            assert.ok(r!.status !== 'relocated' && r!.status !== 'cancelled', `${r!.status} moved to ${next.status}`);
            assert.equal(next.deadline, r!.deadline);
            assert.equal(next.targetOfficeId, r!.targetOfficeId);
          }
          if (s.action === 'accept' || s.action === 'decline') assert.equal(actor.id, 'E');
          if (next.status === 'relocated') {
            assert.ok(actor.roles.includes('hr') && actor.id !== 'E');
            seen.relocated++;
          }
          if (next.status === 'overdue') assert.ok(next.deadline < today);
          r = next;
        }
      },
    ),
    { numRuns: 300 },
  );
  assert.ok(seen.relocated > 20 && seen.overdue > 5, JSON.stringify(seen));
});
