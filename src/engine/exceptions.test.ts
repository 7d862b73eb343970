/** Exceptions: examples of each rule, and properties of the transitions and of their effect on weeks. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { OPERATOR, type Actor, type Chain } from './org.js';
import { addDays } from './dates.js';
import {
  type ExceptionCase, type ExceptionRequest, EXCEPTION_STATUSES, KNOWN_EXCEPTION_KINDS, approverRuleOf, decideException, dueForExpiryNotice,
  effectiveRange, exceptionVisibility, grantOf, isValidKind, mayDecide, requestException, revokeException, withdrawException,
} from './exceptions.js';
import { SEA1, buildLeave, buildPolicy, date, evaluateWeek, ins, buildChain, person, allowedState, refusalReason } from './test-factories.js';

// E (5) → M (7) → D (9) → V (10, the VP) → C (11); H and H2 are HR; P is a peer elsewhere.
const CHAIN: Chain = buildChain(['E', 5], ['M', 7], ['D', 9], ['V', 10], ['C', 11]);
const E = person('E');
const M = person('M');
const D = person('D');
const V = person('V');
const C = person('C');
const H = person('H', 'hr');
const H2 = person('H2', 'hr');
const P = person('P');
const OP = OPERATOR;
const VP_LEVEL = 10;

const d = (s: string) => date(s);

function req(over: Partial<ExceptionRequest> = {}): ExceptionRequest {
  return { employeeId: 'E', kind: 'accommodation', startDate: d('2026-11-23'), endDate: d('2026-12-20'), effect: 'exempt', daysPerWeek: null, reason: 'private', ...over };
}

const ok = allowedState;
const reason = refusalReason;

function pending(over: Partial<ExceptionRequest> = {}, by: Actor = E): ExceptionCase {
  return ok(requestException(req(over), by, CHAIN, [], 'X1'));
}

describe('requesting', () => {
  test('the employee, anyone above them, or HR; nobody else, and never the operator', () => {
    for (const a of [E, M, D, V, C, H]) assert.equal(ok(requestException(req(), a, CHAIN, [], 'X1')).requestedBy, a.id);
    assert.equal(reason(requestException(req(), P, CHAIN, [], 'X1')), 'not_in_reporting_line');
    assert.equal(reason(requestException(req(), OP, CHAIN, [], 'X1')), 'actor_required');
  });
  test('the shape of a request', () => {
    assert.equal(reason(requestException(req({ kind: 'Remote Role' }), E, CHAIN, [], 'X1')), 'invalid_kind');
    assert.equal(reason(requestException(req({ endDate: d('2026-11-01') }), E, CHAIN, [], 'X1')), 'invalid_dates');
    assert.equal(reason(requestException(req({ endDate: d('2029-01-01') }), E, CHAIN, [], 'X1')), 'invalid_dates');
    assert.equal(reason(requestException(req({ effect: 'reduced', daysPerWeek: 7 }), E, CHAIN, [], 'X1')), 'invalid_days_per_week');
    assert.equal(reason(requestException(req({ effect: 'exempt', daysPerWeek: 2 }), E, CHAIN, [], 'X1')), 'invalid_effect');
    assert.equal(reason(requestException(req({ reason: '  ' }), E, CHAIN, [], 'X1')), 'reason_required');
    assert.equal(ok(requestException(req({ effect: 'reduced', daysPerWeek: 1 }), E, CHAIN, [], 'X1')).daysPerWeek, 1);
  });
  test('kinds: the known ones and any snake_case word', () => {
    for (const k of KNOWN_EXCEPTION_KINDS) assert.ok(isValidKind(k));
    assert.ok(isValidKind('jury_service'));
    for (const k of ['', 'Jury', 'jury-service', '_x', 'x_', '1st']) assert.ok(!isValidKind(k), k);
  });
  test('one pending or in-force exception of a kind per date; other kinds and ended ones do not clash', () => {
    const existing = [pending()];
    assert.equal(reason(requestException(req({ startDate: d('2026-12-20'), endDate: d('2027-01-10') }), E, CHAIN, existing, 'X2')), 'overlapping_exception');
    assert.ok(requestException(req({ kind: 'caregiving' }), E, CHAIN, existing, 'X2').ok);
    assert.ok(requestException(req({ startDate: d('2026-12-21'), endDate: d('2027-01-10') }), E, CHAIN, existing, 'X2').ok);
    const denied = ok(decideException(existing[0]!, 'deny', H, CHAIN, VP_LEVEL));
    assert.ok(requestException(req(), E, CHAIN, [denied], 'X2').ok);
    const revoked = ok(revokeException(ok(decideException(existing[0]!, 'approve', H, CHAIN, VP_LEVEL)), H, CHAIN, VP_LEVEL, d('2026-12-01')));
    assert.equal(reason(requestException(req({ endDate: d('2026-11-24') }), E, CHAIN, [revoked], 'X2')), 'overlapping_exception', 'still in force before the revocation');
    assert.ok(requestException(req({ startDate: d('2026-12-01') }), E, CHAIN, [revoked], 'X2').ok, 'free again from the revocation');
  });
});

describe('deciding', () => {
  test('approver rules by kind', () => {
    assert.equal(approverRuleOf('accommodation'), 'hr');
    assert.equal(approverRuleOf('caregiving'), 'hr');
    assert.equal(approverRuleOf('remote_role'), 'vp');
    assert.equal(approverRuleOf('temporary'), 'hr_or_vp');
    assert.equal(approverRuleOf('relocation_pending'), 'hr_or_vp');
    assert.equal(approverRuleOf('jury_service'), 'hr_or_vp');
  });
  test('an accommodation: HR only', () => {
    const x = pending();
    for (const a of [M, D, V, C]) assert.equal(reason(decideException(x, 'approve', a, CHAIN, VP_LEVEL)), 'approver_not_hr', a.id);
    assert.equal(ok(decideException(x, 'approve', H, CHAIN, VP_LEVEL)).decidedBy, 'H');
  });
  test('a remote role: the VP or above; HR only when the employee has no VP', () => {
    const x = pending({ kind: 'remote_role' }, M);
    for (const a of [D, H, P]) assert.equal(reason(decideException(x, 'approve', a, CHAIN, VP_LEVEL)), 'approver_not_vp', a.id);
    assert.ok(decideException(x, 'approve', V, CHAIN, VP_LEVEL).ok);
    assert.ok(decideException(x, 'deny', C, CHAIN, VP_LEVEL).ok);
    const top: Chain = [{ employeeId: 'E', level: 9, managerId: null }];
    assert.ok(decideException({ ...x, employeeId: 'E' }, 'approve', H, top, VP_LEVEL).ok);
  });
  test('temporary and other kinds: HR or the VP', () => {
    const x = pending({ kind: 'temporary' });
    assert.ok(decideException(x, 'approve', H, CHAIN, VP_LEVEL).ok);
    assert.ok(decideException(x, 'approve', V, CHAIN, VP_LEVEL).ok);
    assert.equal(reason(decideException(x, 'approve', D, CHAIN, VP_LEVEL)), 'approver_not_hr_or_vp');
  });
  test('never the employee, never the requester; only pending requests; never the operator', () => {
    assert.equal(reason(decideException(pending({}, H), 'approve', H, CHAIN, VP_LEVEL)), 'self_approval');
    assert.ok(decideException(pending({}, H), 'approve', H2, CHAIN, VP_LEVEL).ok);
    const hrEmployee: Chain = [{ employeeId: 'H', level: 6, managerId: 'C' }, { employeeId: 'C', level: 11, managerId: null }];
    const own = ok(requestException(req({ employeeId: 'H' }), H, hrEmployee, [], 'X1'));
    assert.equal(reason(decideException(own, 'approve', H, hrEmployee, VP_LEVEL)), 'own_exception');
    const decided = ok(decideException(pending(), 'deny', H, CHAIN, VP_LEVEL));
    assert.equal(reason(decideException(decided, 'approve', H2, CHAIN, VP_LEVEL)), 'not_pending');
    assert.equal(reason(decideException(pending(), 'approve', OP, CHAIN, VP_LEVEL)), 'actor_required');
  });
});

describe('withdrawing and revoking', () => {
  test('withdraw: the employee or the requester, while pending', () => {
    const x = pending({}, M);
    assert.equal(ok(withdrawException(x, E)).status, 'withdrawn');
    assert.equal(ok(withdrawException(x, M)).status, 'withdrawn');
    assert.equal(reason(withdrawException(x, H)), 'not_requester');
    const approved = ok(decideException(x, 'approve', H, CHAIN, VP_LEVEL));
    assert.equal(reason(withdrawException(approved, E)), 'not_pending');
  });
  test('revoke: from today on, by an approver, never retroactive; not after the end', () => {
    const x = ok(decideException(pending(), 'approve', H, CHAIN, VP_LEVEL));
    assert.equal(reason(revokeException(x, M, CHAIN, VP_LEVEL, d('2026-12-01'))), 'approver_not_hr');
    assert.equal(reason(revokeException(x, E, CHAIN, VP_LEVEL, d('2026-12-01'))), 'own_exception');
    const r = ok(revokeException(x, H2, CHAIN, VP_LEVEL, d('2026-12-01')));
    assert.deepEqual([r.status, r.revokedFrom, r.revokedBy], ['revoked', '2026-12-01', 'H2']);
    assert.deepEqual(effectiveRange(r), { startDate: '2026-11-23', endDate: '2026-11-30' });
    assert.equal(grantOf(r)!.endDate, '2026-11-30');
    const early = ok(revokeException(x, H, CHAIN, VP_LEVEL, d('2026-11-01')));
    assert.equal(effectiveRange(early), null, 'revoked before it began: it never applies');
    assert.equal(reason(revokeException(x, H, CHAIN, VP_LEVEL, d('2026-12-21'))), 'exception_ended');
    assert.equal(reason(revokeException(r, H, CHAIN, VP_LEVEL, d('2026-12-02'))), 'not_approved');
  });
  test('expiry notice: approved, last day within the notice window, once', () => {
    const x = ok(decideException(pending(), 'approve', H, CHAIN, VP_LEVEL)); // ends 2026-12-20
    assert.equal(dueForExpiryNotice(x, d('2026-12-05'), 14, false), false);
    assert.equal(dueForExpiryNotice(x, d('2026-12-06'), 14, false), true);
    assert.equal(dueForExpiryNotice(x, d('2026-12-20'), 14, false), true);
    assert.equal(dueForExpiryNotice(x, d('2026-12-21'), 14, false), false);
    assert.equal(dueForExpiryNotice(x, d('2026-12-10'), 14, true), false);
    assert.equal(dueForExpiryNotice(pending(), d('2026-12-10'), 14, false), false);
  });
});

test('who reads what: the employee and HR everything; the chain and the operator a summary; anyone else nothing', () => {
  assert.equal(exceptionVisibility(E, CHAIN), 'full');
  assert.equal(exceptionVisibility(H, CHAIN), 'full');
  for (const a of [M, D, V, C, OP]) assert.equal(exceptionVisibility(a, CHAIN), 'summary', a.id);
  assert.equal(exceptionVisibility(P, CHAIN), 'none');
});

// ---------------------------------------------------------------------------------------------
// Properties

const ACTORS: readonly Actor[] = [E, M, D, V, C, H, H2, P, OP];
const arbKind = fc.constantFrom(...KNOWN_EXCEPTION_KINDS, 'jury_service');
const arbStep = fc.record({
  action: fc.constantFrom('request', 'request', 'request', 'approve', 'approve', 'approve', 'deny', 'withdraw', 'revoke', 'revoke'),
  // Biased towards the people who may decide, so that sequences go somewhere.
  actor: fc.constantFrom(0, 1, 2, 3, 3, 4, 5, 5, 5, 6, 6, 7, 8),
  target: fc.nat(),
  kind: arbKind,
  start: fc.integer({ min: 0, max: 60 }),
  length: fc.integer({ min: 0, max: 40 }),
  advance: fc.integer({ min: 0, max: 3 }),
});

test('property: whatever the sequence of actions, an exception is approved only by a lawful approver, never by the requester or the employee, and ended states never change', () => {
  const seen = { approved: 0, revoked: 0 };
  fc.assert(
    fc.property(fc.array(arbStep, { minLength: 8, maxLength: 30 }), (steps) => {
      const base = d('2026-11-02');
      let today = base;
      const all: ExceptionCase[] = [];
      const approvedBy = new Map<string, string>();
      for (const s of steps) {
        today = addDays(today, s.advance);
        const actor = ACTORS[s.actor]!;
        if (s.action === 'request') {
          const t = requestException(req({ kind: s.kind, startDate: addDays(base, s.start), endDate: addDays(base, s.start + s.length) }), actor, CHAIN, all, `X${all.length + 1}`);
          if (t.ok) all.push(t.state);
          continue;
        }
        if (all.length === 0) continue;
        const i = s.target % all.length;
        const x = all[i]!;
        const t = s.action === 'approve' || s.action === 'deny' ? decideException(x, s.action, actor, CHAIN, VP_LEVEL)
          : s.action === 'withdraw' ? withdrawException(x, actor) : revokeException(x, actor, CHAIN, VP_LEVEL, today);
        if (!t.ok) {
          assert.ok(t.code === 'forbidden' || t.code === 'conflict');
          continue;
        }
        const next = t.state;
        assert.ok(EXCEPTION_STATUSES.includes(next.status));
        assert.ok(!['denied', 'withdrawn', 'revoked'].includes(x.status), `${x.status} is final`);
        if (next.status === 'approved') {
          assert.notEqual(actor.id, x.requestedBy);
          assert.notEqual(actor.id, x.employeeId);
          assert.ok(mayDecide(approverRuleOf(x.kind), actor, CHAIN, VP_LEVEL));
          if (x.kind === 'accommodation' || x.kind === 'caregiving') assert.ok(actor.roles.includes('hr'));
          if (x.kind === 'remote_role') assert.ok(['V', 'C'].includes(actor.id));
          approvedBy.set(x.exceptionId, actor.id);
          seen.approved++;
        }
        if (next.status === 'revoked') {
          seen.revoked++;
          assert.ok(approvedBy.has(x.exceptionId));
          const r = effectiveRange(next);
          if (r) assert.ok(r.startDate >= x.startDate && r.endDate <= x.endDate && r.endDate < today, 'revocation only shortens, never retroactively');
        }
        all[i] = next;
      }
      // At most one pending-or-in-force exception of a kind covers any date.
      for (const a of all) for (const b of all) {
        if (a === b || a.kind !== b.kind) continue;
        const ra = a.status === 'pending' ? a : effectiveRange(a);
        const rb = b.status === 'pending' ? b : effectiveRange(b);
        if (ra && rb && a.status !== 'revoked' && b.status !== 'revoked') assert.ok(ra.endDate < rb.startDate || rb.endDate < ra.startDate, `${a.exceptionId} and ${b.exceptionId} overlap`);
      }
    }),
    { numRuns: 300 },
  );
  assert.ok(seen.approved > 50 && seen.revoked > 10, `the sequences reach approvals and revocations: ${JSON.stringify(seen)}`);
});

test('property: an exception approved (and perhaps revoked) through the transitions never makes a compliant week non-compliant', () => {
  const W48 = d('2026-11-23');
  fc.assert(
    fc.property(
      fc.subarray([0, 1, 2, 3, 4, 5, 6]),
      fc.integer({ min: 0, max: 5 }),
      fc.constantFrom('proportional', 'cap', 'subtract'),
      fc.subarray(['Mon', 'Tue', 'Wed', 'Thu', 'Fri'], { maxLength: 2 }),
      fc.option(fc.integer({ min: 0, max: 4 })),
      fc.record({ start: fc.integer({ min: -10, max: 10 }), length: fc.integer({ min: 0, max: 20 }), reduced: fc.option(fc.integer({ min: 0, max: 6 })) }),
      fc.option(fc.integer({ min: -5, max: 15 })),
      (days, daysPerWeek, holidayRule, anchorDays, leaveDay, ex, revokeAt) => {
        const scenario = {
          events: ins(SEA1, ...days.map((n) => addDays(W48, n))),
          leave: leaveDay === null ? [] : [buildLeave(addDays(W48, leaveDay))],
          policies: [buildPolicy({ daysPerWeek, holidayRule, anchorDays })],
          holidays: { SEA1: { '2026-11-26': 'Thanksgiving Day' } },
        };
        const before = evaluateWeek(scenario, '2026-W48');
        let x = pending({
          kind: ex.reduced === null ? 'accommodation' : 'temporary',
          startDate: addDays(W48, ex.start), endDate: addDays(W48, ex.start + ex.length),
          effect: ex.reduced === null ? 'exempt' : 'reduced', daysPerWeek: ex.reduced,
        });
        x = ok(decideException(x, 'approve', H, CHAIN, VP_LEVEL));
        if (revokeAt !== null && x.endDate >= addDays(W48, revokeAt)) x = ok(revokeException(x, H2, CHAIN, VP_LEVEL, addDays(W48, revokeAt)));
        const grant = grantOf(x);
        const after = evaluateWeek({ ...scenario, exceptions: grant ? [grant] : [] }, '2026-W48');
        if (before.status === 'compliant') assert.notEqual(after.status, 'non_compliant', `${before.explanation} → ${after.explanation}`);
        assert.ok(after.required <= before.required || after.status === 'exempt');
        assert.equal(after.present, before.present);
      },
    ),
    { numRuns: 300 },
  );
});

test('the grant evaluation reads is the exception over its effective range', () => {
  const x = ok(decideException(pending({ effect: 'reduced', daysPerWeek: 1, kind: 'temporary' }), 'approve', V, CHAIN, VP_LEVEL));
  assert.deepEqual(grantOf(x), { exceptionId: 'X1', kind: 'temporary', startDate: '2026-11-23', endDate: '2026-12-20', effect: 'reduced', daysPerWeek: 1 });
  assert.equal(grantOf(pending()), null);
  const w = evaluateWeek({ events: ins(SEA1, '2026-11-24'), exceptions: [grantOf(x)!] }, '2026-W48');
  assert.deepEqual([w.status, w.required, w.daysPerWeek], ['compliant', 1, 1]);
});
