/** Rules 3–6: ISO weeks, available days, the requirement and the status. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { requiredDays, relocationInForce } from './compliance.js';
import { mondaysBetween } from './dates.js';
import {
  SEA1, TLV1, LON1, NYC1, STANDARD_OFFICES, badge, buildException, buildLeave, buildOffice, buildPolicy, buildRelocation, date,
  evaluateWeek, evaluateWeeks, ins, presentDates, type Scenario,
} from './test-factories.js';
import type { HolidayRule, WeeklyRecord } from './types.js';

const W48 = '2026-W48'; // Mon 2026-11-23 … Sun 2026-11-29
const THANKSGIVING = { SEA1: { '2026-11-26': 'Thanksgiving Day' } };
const THANKSGIVING_AND_FRIDAY = { SEA1: { '2026-11-26': 'Thanksgiving Day', '2026-11-27': 'Day after Thanksgiving' } };

const brief = (r: WeeklyRecord) => ({ status: r.status, reason: r.reason, required: r.required, present: r.present, available: r.available });

describe('rule 3: ISO weeks of local dates', () => {
  test('a present day on a weekend counts', () => {
    const r = evaluateWeek({ events: ins(SEA1, '2026-11-23', '2026-11-28', '2026-11-29') }, W48);
    assert.deepEqual(brief(r), { status: 'compliant', reason: 'requirement_met', required: 3, present: 3, available: 5 });
  });

  test('weeks run Monday to Sunday', () => {
    const [w48, w49] = evaluateWeeks({ events: ins(SEA1, '2026-11-29', '2026-11-30') }, W48, '2026-W49');
    assert.equal(w48!.week, '2026-W48');
    assert.equal(w48!.weekStart, '2026-11-23');
    assert.deepEqual(presentDates(w48!), ['2026-11-29']);
    assert.deepEqual(presentDates(w49!), ['2026-11-30']);
  });

  test('week 53 and the year boundary: 2027-01-01 is in 2026-W53', () => {
    const mondays = mondaysBetween(date('2026-12-20'), date('2027-01-10'));
    const events = ins(SEA1, '2026-12-28', '2026-12-31', '2027-01-01', '2027-01-04');
    const holidays = { SEA1: { '2026-12-25': 'Christmas Day', '2027-01-01': "New Year's Day" } };
    const weeks = evaluateWeeks({ events, holidays }, ...mondays);
    assert.deepEqual(weeks.map((w) => w.week), ['2026-W51', '2026-W52', '2026-W53', '2027-W01']);
    const w53 = weeks[2]!;
    assert.equal(w53.weekStart, '2026-12-28');
    assert.deepEqual(presentDates(w53), ['2026-12-28', '2026-12-31', '2027-01-01']);
    assert.deepEqual(w53.excusedDays, [{ date: '2027-01-01', reason: 'holiday', name: "New Year's Day" }]);
    assert.deepEqual(brief(w53), { status: 'compliant', reason: 'requirement_met', required: 2, present: 3, available: 4 });
    assert.deepEqual(presentDates(weeks[3]!), ['2027-01-04']);
  });
});

describe('rule 4: week length and available days', () => {
  test('week length is the home office work week: Sun–Thu', () => {
    const events = ins(TLV1, '2026-11-23', '2026-11-27', '2026-11-28'); // Mon, and the Israeli weekend Fri and Sat
    const r = evaluateWeek({ employee: { homeOfficeId: 'TLV1' }, events, holidays: { TLV1: { '2026-11-29': 'A holiday' }, ...THANKSGIVING } }, W48);
    assert.equal(r.weekLength, 5);
    assert.equal(r.available, 4); // Mon–Thu; the Sunday is a holiday in Tel Aviv; Thanksgiving in Seattle does not matter
    assert.deepEqual(r.excusedDays, [{ date: '2026-11-29', reason: 'holiday', name: 'A holiday' }]);
    assert.deepEqual(brief(r), { status: 'compliant', reason: 'requirement_met', required: 2, present: 3, available: 4 });
  });

  test('other work weeks: Mon–Sat is 6 days, Mon–Thu 4', () => {
    const six = buildOffice({ officeId: 'SIX', workWeek: 'Mon-Sat' });
    const four = buildOffice({ officeId: 'FOUR', workWeek: 'Mon-Thu' });
    const offices = [...STANDARD_OFFICES, six, four];
    const a = evaluateWeek({ offices, employee: { homeOfficeId: 'SIX' } }, W48);
    assert.deepEqual([a.weekLength, a.available, a.required], [6, 6, 3]);
    const b = evaluateWeek({ offices, employee: { homeOfficeId: 'FOUR' }, leave: [buildLeave('2026-11-23')] }, W48);
    assert.deepEqual([b.weekLength, b.available, b.required], [4, 3, 2]); // 3 × 3/4 = 2.25
  });

  test('only the home office\'s holidays reduce the week', () => {
    const r = evaluateWeek({ holidays: { LON1: { '2026-11-24': 'Not ours' } } }, W48);
    assert.equal(r.available, 5);
    const london = evaluateWeek({ employee: { homeOfficeId: 'LON1' }, holidays: { LON1: { '2026-11-24': 'Ours' } } }, W48);
    assert.equal(london.available, 4);
  });

  test('approved leave is excused; pending, rejected and cancelled leave is not', () => {
    const approved = evaluateWeek({ leave: [buildLeave('2026-11-23', '2026-11-23', 'pto')] }, W48);
    assert.equal(approved.available, 4);
    assert.deepEqual(approved.excusedDays, [{ date: '2026-11-23', reason: 'leave', kind: 'pto' }]);
    for (const status of ['pending', 'rejected', 'cancelled'] as const) {
      const r = evaluateWeek({ leave: [buildLeave('2026-11-23', '2026-11-24', 'sick', status)] }, W48);
      assert.equal(r.available, 5, status);
      assert.deepEqual(r.excusedDays, [], status);
    }
  });

  test('leave on a weekend changes nothing; a holiday during leave is a holiday', () => {
    const r = evaluateWeek({ leave: [buildLeave('2026-11-26', '2026-11-29', 'pto')], holidays: THANKSGIVING }, W48);
    assert.equal(r.available, 3);
    assert.deepEqual(r.excusedDays, [
      { date: '2026-11-26', reason: 'holiday', name: 'Thanksgiving Day' },
      { date: '2026-11-27', reason: 'leave', kind: 'pto' },
    ]);
  });

  test('a full week of leave: nothing available, the week is excused', () => {
    const r = evaluateWeek({ leave: [buildLeave('2026-11-21', '2026-12-02', 'parental')] }, W48);
    assert.deepEqual(brief(r), { status: 'excused', reason: 'nothing_required', required: 0, present: 0, available: 0 });
    assert.equal(r.excusedDays.length, 5);
  });

  test('business travel is excused by default, or present with travelCounts present', () => {
    const travel = [buildLeave('2026-11-24', '2026-11-25', 'business_travel')];
    const events = ins(SEA1, '2026-11-23');
    const excused = evaluateWeek({ leave: travel, events }, W48);
    assert.deepEqual(brief(excused), { status: 'non_compliant', reason: 'below_requirement', required: 2, present: 1, available: 3 });
    assert.deepEqual(excused.excusedDays.map((d) => [d.date, d.reason]), [['2026-11-24', 'travel'], ['2026-11-25', 'travel']]);
    const present = evaluateWeek({ leave: travel, events, policies: [buildPolicy({ travelCounts: 'present' })] }, W48);
    assert.deepEqual(brief(present), { status: 'compliant', reason: 'requirement_met', required: 3, present: 3, available: 5 });
    assert.deepEqual(present.presentDays.map((d) => [d.date, d.source]), [['2026-11-23', 'badge'], ['2026-11-24', 'travel'], ['2026-11-25', 'travel']]);
    // Unapproved travel is nothing.
    const pending = evaluateWeek({ leave: [buildLeave('2026-11-24', '2026-11-25', 'business_travel', 'pending')], events }, W48);
    assert.equal(pending.available, 5);
  });

  test('a mid-week hire reduces available (the week itself is in grace)', () => {
    const r = evaluateWeek({ employee: { hireDate: '2026-11-25' } }, W48);
    assert.equal(r.available, 3);
    assert.deepEqual(r.excusedDays.map((d) => [d.date, d.reason]), [['2026-11-23', 'not_employed'], ['2026-11-24', 'not_employed']]);
    assert.equal(r.status, 'grace');
  });

  test('a mid-week termination reduces available and the requirement', () => {
    const r = evaluateWeek({ employee: { terminationDate: '2026-11-24' }, events: ins(SEA1, '2026-11-23') }, W48);
    assert.deepEqual(brief(r), { status: 'compliant', reason: 'requirement_met', required: 1, present: 1, available: 2 }); // 3 × 2/5 = 1.2
    assert.deepEqual(r.excusedDays.map((d) => d.reason), ['not_employed', 'not_employed', 'not_employed']);
  });
});

describe('rule 5: the requirement', () => {
  const cases: [HolidayRule, number, number, number, number][] = [
    // rule, daysPerWeek, available, weekLength, required
    ['proportional', 3, 5, 5, 3],
    ['proportional', 3, 4, 5, 2], // 2.4
    ['proportional', 3, 3, 5, 2], // 1.8
    ['proportional', 3, 2, 5, 1], // 1.2
    ['proportional', 3, 1, 5, 1], // 0.6
    ['proportional', 3, 0, 5, 0],
    ['proportional', 1, 1, 2, 1], // 0.5 → 1: half rounds up
    ['proportional', 2, 1, 4, 1], // 0.5
    ['proportional', 2, 3, 4, 2], // 1.5
    ['proportional', 3, 5, 6, 3], // 2.5
    ['proportional', 5, 3, 6, 3], // 2.5
    ['proportional', 3, 3, 6, 2], // 1.5
    ['proportional', 1, 2, 5, 0], // 0.4
    ['proportional', 1, 3, 5, 1], // 0.6
    ['proportional', 4, 3, 5, 2], // 2.4
    ['proportional', 3, 1, 2, 1], // 1.5 → 2, at most 1 available
    ['proportional', 7, 5, 5, 5], // never more than available
    ['proportional', 0, 5, 5, 0],
    ['cap', 3, 5, 5, 3],
    ['cap', 3, 4, 5, 3],
    ['cap', 3, 2, 5, 2],
    ['cap', 3, 0, 5, 0],
    ['cap', 7, 5, 5, 5],
    ['subtract', 3, 5, 5, 3],
    ['subtract', 3, 4, 5, 2],
    ['subtract', 3, 3, 5, 1],
    ['subtract', 3, 2, 5, 0],
    ['subtract', 3, 0, 5, 0],
    ['subtract', 7, 4, 5, 4], // 7 − 1 = 6, at most 4 available
    ['subtract', 5, 4, 5, 4],
  ];
  for (const [rule, d, a, w, want] of cases) {
    test(`${rule}: daysPerWeek ${d}, available ${a} of ${w} → ${want}`, () => {
      assert.equal(requiredDays(rule, d, a, w), want);
    });
  }

  test('Thanksgiving week in the US, 3 days a week: proportional 2, cap 3, subtract 2 (DESIGN)', () => {
    const got = (['proportional', 'cap', 'subtract'] as const).map((holidayRule) => {
      const r = evaluateWeek({ holidays: THANKSGIVING, policies: [buildPolicy({ holidayRule })] }, W48);
      assert.equal(r.available, 4);
      assert.equal(r.rule, holidayRule);
      return r.required;
    });
    assert.deepEqual(got, [2, 3, 2]);
  });

  test('Thanksgiving and a company day off on the Friday: proportional 2, cap 3, subtract 1', () => {
    const got = (['proportional', 'cap', 'subtract'] as const).map((holidayRule) => {
      const r = evaluateWeek({ holidays: THANKSGIVING_AND_FRIDAY, policies: [buildPolicy({ holidayRule })] }, W48);
      assert.equal(r.available, 3);
      return r.required;
    });
    assert.deepEqual(got, [2, 3, 1]); // round(1.8) = 2; min(3, 3) = 3; 3 − 2 = 1
  });

  test('never more than available', () => {
    const leave = [buildLeave('2026-11-23', '2026-11-25')];
    for (const holidayRule of ['proportional', 'cap', 'subtract'] as const) {
      const r = evaluateWeek({ leave, holidays: THANKSGIVING_AND_FRIDAY, policies: [buildPolicy({ holidayRule, daysPerWeek: 5 })] }, W48);
      assert.equal(r.available, 0);
      assert.equal(r.required, 0);
      assert.equal(r.status, 'excused');
    }
    const seven = evaluateWeek({ policies: [buildPolicy({ daysPerWeek: 7 })], leave: [buildLeave('2026-11-23')] }, W48);
    assert.deepEqual([seven.available, seven.required], [4, 4]);
  });
});

describe('rule 6: status, first match wins', () => {
  test('not_employed: employed on no day of the week, before anything else', () => {
    const s: Scenario = { employee: { hireDate: '2026-11-30', terminationDate: null }, policies: [], exceptions: [buildException({ startDate: '2026-01-01', endDate: '2026-12-31' })] };
    assert.deepEqual(brief(evaluateWeek(s, W48)), { status: 'not_employed', reason: 'not_employed', required: 0, present: 0, available: 0 });
    const after = evaluateWeek({ employee: { terminationDate: '2026-11-22' }, events: ins(SEA1, '2026-11-23') }, W48);
    assert.equal(after.status, 'not_employed');
    assert.equal(after.available, 0);
    // Employed on the Sunday only (hired on a Sunday, graceDays 0): employed this week.
    const sunday = evaluateWeek({ employee: { hireDate: '2026-11-29' }, policies: [buildPolicy({ graceDays: 0 })] }, W48);
    assert.equal(sunday.status, 'grace');
    const lastDay = evaluateWeek({ employee: { terminationDate: '2026-11-23' } }, W48);
    assert.notEqual(lastDay.status, 'not_employed');
  });

  test('no_policy: comes before exempt', () => {
    const r = evaluateWeek({ policies: [], exceptions: [buildException({ startDate: '2026-11-23', endDate: '2026-11-29' })], events: ins(SEA1, '2026-11-23') }, W48);
    assert.deepEqual(brief(r), { status: 'no_policy', reason: 'no_matching_policy', required: 0, present: 1, available: 5 });
    assert.equal(r.policy, null);
    const scoped = evaluateWeek({ policies: [buildPolicy({ scope: { orgs: ['sales'] } })] }, W48);
    assert.equal(scoped.status, 'no_policy');
    const remote = evaluateWeek({ employee: { arrangement: 'remote' }, policies: [buildPolicy({ scope: { arrangements: ['office', 'hybrid'] } })] }, W48);
    assert.equal(remote.status, 'no_policy');
  });

  test('exempt: an exempt exception active on any day of the week', () => {
    const onSunday = evaluateWeek({ exceptions: [buildException({ startDate: '2026-11-29', endDate: '2027-02-01', kind: 'caregiving' })] }, W48);
    assert.deepEqual(brief(onSunday), { status: 'exempt', reason: 'exception_exempt', required: 0, present: 0, available: 5 });
    assert.equal(onSunday.exception?.kind, 'caregiving');
    const onMonday = evaluateWeek({ exceptions: [buildException({ startDate: '2026-10-01', endDate: '2026-11-23' })] }, W48);
    assert.equal(onMonday.status, 'exempt');
    const before = evaluateWeek({ exceptions: [buildException({ startDate: '2026-10-01', endDate: '2026-11-22' })] }, W48);
    assert.equal(before.status, 'non_compliant');
    const after = evaluateWeek({ exceptions: [buildException({ startDate: '2026-11-30', endDate: '2026-12-31' })] }, W48);
    assert.equal(after.status, 'non_compliant');
  });

  test('exempt comes before grace', () => {
    const r = evaluateWeek({ employee: { hireDate: '2026-11-23' }, exceptions: [buildException({ startDate: '2026-11-23', endDate: '2026-12-31' })] }, W48);
    assert.equal(r.status, 'exempt');
  });

  test('exempt: a remote arrangement with no relocation deadline passed', () => {
    const r = evaluateWeek({ employee: { arrangement: 'remote' }, events: ins(SEA1, '2026-11-23') }, W48);
    assert.deepEqual(brief(r), { status: 'exempt', reason: 'remote_arrangement', required: 0, present: 1, available: 5 });
    const cancelled = evaluateWeek({ employee: { arrangement: 'remote' }, relocation: buildRelocation({ deadline: '2026-11-01', status: 'cancelled' }) }, W48);
    assert.equal(cancelled.status, 'exempt');
  });

  test('relocation deadline passed: a remote employee is judged at the hub', () => {
    const s: Scenario = {
      employee: { arrangement: 'remote', homeOfficeId: 'NYC1' },
      relocation: buildRelocation({ targetOfficeId: 'SEA1', deadline: '2026-11-18' }),
      // A policy for office and hybrid staff only still covers the relocated employee (judged as hybrid at the hub).
      policies: [buildPolicy({ scope: { arrangements: ['office', 'hybrid'] } })],
      holidays: { ...THANKSGIVING, NYC1: { '2026-11-17': 'New York only' } },
      events: ins(SEA1, '2026-11-24', '2026-11-25'),
    };
    assert.equal(relocationInForce(buildRelocation({ deadline: '2026-11-18' }), date('2026-11-16')), false);
    assert.equal(relocationInForce(buildRelocation({ deadline: '2026-11-18' }), date('2026-11-23')), true);
    assert.equal(relocationInForce(buildRelocation({ deadline: '2026-11-23' }), date('2026-11-23')), true);
    const [w47, w48] = evaluateWeeks({ ...s, policies: [buildPolicy()] }, '2026-W47', W48);
    assert.deepEqual([w47!.status, w47!.reason, w47!.homeOfficeId], ['exempt', 'remote_arrangement', 'NYC1']);
    assert.deepEqual([w48!.status, w48!.homeOfficeId], ['compliant', 'SEA1']);
    // At the hub, the hub's holidays apply: Thanksgiving.
    assert.deepEqual(brief(w48!), { status: 'compliant', reason: 'requirement_met', required: 2, present: 2, available: 4 });
    const scoped = evaluateWeek(s, W48);
    assert.equal(scoped.status, 'compliant');
    assert.equal(evaluateWeek(s, '2026-W47').status, 'no_policy'); // before the deadline: remote, outside that scope
  });

  test('exempt: weeks before the home office is ready', () => {
    const sea2 = buildOffice({ officeId: 'SEA2', readyFrom: '2026-11-25' });
    const s: Scenario = { offices: [...STANDARD_OFFICES, sea2], employee: { homeOfficeId: 'SEA2' } };
    const [w47, w48, w49] = evaluateWeeks(s, '2026-W47', W48, '2026-W49');
    assert.deepEqual([w47!.status, w47!.reason], ['exempt', 'office_not_ready']);
    // The week in which it opens (on a Wednesday) begins before it: exempt too.
    assert.deepEqual([w48!.status, w48!.reason], ['exempt', 'office_not_ready']);
    assert.equal(w49!.status, 'non_compliant');
    const onMonday = buildOffice({ officeId: 'SEA2', readyFrom: '2026-11-23' });
    assert.equal(evaluateWeek({ ...s, offices: [...STANDARD_OFFICES, onMonday] }, W48).status, 'non_compliant');
  });

  test('grace: weeks that begin before hire date + graceDays', () => {
    const monHire = evaluateWeeks({ employee: { hireDate: '2026-11-02' } }, '2026-W45', '2026-W46', '2026-W47');
    assert.deepEqual(monHire.map((w) => w.status), ['grace', 'grace', 'non_compliant']);
    assert.equal(monHire[0]!.graceUntil, '2026-11-16');
    assert.equal(monHire[0]!.reason, 'hire_grace');
    const wedHire = evaluateWeeks({ employee: { hireDate: '2026-11-04' } }, '2026-W47', W48);
    assert.deepEqual(wedHire.map((w) => w.status), ['grace', 'non_compliant']); // grace until 2026-11-18
    const noGrace = evaluateWeeks({ employee: { hireDate: '2026-11-23' }, policies: [buildPolicy({ graceDays: 0 })] }, W48);
    assert.equal(noGrace[0]!.status, 'non_compliant');
    const longGrace = evaluateWeek({ employee: { hireDate: '2026-11-02' }, policies: [buildPolicy({ graceDays: 30 })] }, W48);
    assert.equal(longGrace.status, 'grace'); // grace until 2026-12-02
    // Grace comes before excused.
    const onLeave = evaluateWeek({ employee: { hireDate: '2026-11-16' }, leave: [buildLeave('2026-11-23', '2026-11-27')] }, W48);
    assert.equal(onLeave.status, 'grace');
  });

  test('excused: required is 0', () => {
    const zero = evaluateWeek({ policies: [buildPolicy({ daysPerWeek: 0 })] }, W48);
    assert.deepEqual(brief(zero), { status: 'excused', reason: 'nothing_required', required: 0, present: 0, available: 5 });
    const oneDay = evaluateWeek({ policies: [buildPolicy({ daysPerWeek: 1 })], leave: [buildLeave('2026-11-23', '2026-11-25')] }, W48);
    assert.deepEqual(brief(oneDay), { status: 'excused', reason: 'nothing_required', required: 0, present: 0, available: 2 }); // 1 × 2/5 = 0.4
    const subtract = evaluateWeek({ policies: [buildPolicy({ holidayRule: 'subtract' })], leave: [buildLeave('2026-11-23', '2026-11-25')] }, W48);
    assert.equal(subtract.status, 'excused'); // 3 − 3
  });

  test('a reduced exception lowers daysPerWeek before the holiday rule', () => {
    const reduced = (daysPerWeek: number, startDate = '2026-11-01', endDate = '2026-12-31', exceptionId = 'X1') =>
      buildException({ exceptionId, effect: 'reduced', daysPerWeek, startDate, endDate, kind: 'temporary' });
    const events = ins(SEA1, '2026-11-24');
    const r = evaluateWeek({ events, exceptions: [reduced(1)] }, W48);
    assert.deepEqual(brief(r), { status: 'compliant', reason: 'requirement_met', required: 1, present: 1, available: 5 });
    assert.deepEqual([r.policyDaysPerWeek, r.daysPerWeek, r.exception?.exceptionId], [3, 1, 'X1']);
    assert.equal(evaluateWeek({ events }, W48).status, 'non_compliant');
    // Active on any day of the week: from the Friday.
    assert.equal(evaluateWeek({ events, exceptions: [reduced(1, '2026-11-27')] }, W48).required, 1);
    // With Thanksgiving: 2 × 4/5 = 1.6 → 2; 1 × 4/5 = 0.8 → 1.
    assert.equal(evaluateWeek({ holidays: THANKSGIVING, exceptions: [reduced(2)] }, W48).required, 2);
    assert.equal(evaluateWeek({ holidays: THANKSGIVING, exceptions: [reduced(1)] }, W48).required, 1);
    // Down to 0: excused.
    const none = evaluateWeek({ exceptions: [reduced(0)] }, W48);
    assert.deepEqual([none.status, none.required], ['excused', 0]);
    // A "reduction" above the policy does not raise it; of two, the lower wins.
    assert.equal(evaluateWeek({ exceptions: [reduced(5)] }, W48).required, 3);
    const two = evaluateWeek({ exceptions: [reduced(2, '2026-11-01', '2026-12-31', 'A'), reduced(1, '2026-11-29', '2026-12-31', 'B'), reduced(2, '2026-11-01', '2026-12-31', 'C')] }, W48);
    assert.deepEqual([two.required, two.exception?.exceptionId], [1, 'B']);
  });

  describe('anchor days', () => {
    const policies = [buildPolicy({ anchorDays: ['Tue', 'Wed'] })];
    test('a missed anchor day is non_compliant whatever the count', () => {
      const r = evaluateWeek({ policies, events: ins(SEA1, '2026-11-23', '2026-11-24', '2026-11-26', '2026-11-27') }, W48);
      assert.deepEqual(brief(r), { status: 'non_compliant', reason: 'anchor_day_missed', required: 3, present: 4, available: 5 });
      assert.deepEqual(r.anchors, [
        { day: 'Tue', date: '2026-11-24', state: 'present' },
        { day: 'Wed', date: '2026-11-25', state: 'missed' },
      ]);
    });
    test('too few days with anchors met is below_requirement; both met is compliant', () => {
      assert.equal(evaluateWeek({ policies, events: ins(SEA1, '2026-11-24', '2026-11-25') }, W48).reason, 'below_requirement');
      assert.equal(evaluateWeek({ policies, events: ins(SEA1, '2026-11-24', '2026-11-25', '2026-11-28') }, W48).status, 'compliant');
    });
    test('an excused anchor day (leave, holiday, travel) does not fail the week', () => {
      const leave = evaluateWeek({ policies, leave: [buildLeave('2026-11-25')], events: ins(SEA1, '2026-11-24', '2026-11-26') }, W48);
      assert.deepEqual(brief(leave), { status: 'compliant', reason: 'requirement_met', required: 2, present: 2, available: 4 });
      assert.deepEqual(leave.anchors.map((a) => a.state), ['present', 'excused']);
      const holiday = evaluateWeek({ policies, holidays: { SEA1: { '2026-11-24': 'x' } }, events: ins(SEA1, '2026-11-25', '2026-11-26') }, W48);
      assert.equal(holiday.status, 'compliant');
      const travel = evaluateWeek({ policies, leave: [buildLeave('2026-11-24', '2026-11-24', 'business_travel')], events: ins(SEA1, '2026-11-25', '2026-11-26') }, W48);
      assert.equal(travel.status, 'compliant');
      // Pending leave does not excuse.
      const pending = evaluateWeek({ policies, leave: [buildLeave('2026-11-25', '2026-11-25', 'pto', 'pending')], events: ins(SEA1, '2026-11-24', '2026-11-26', '2026-11-27') }, W48);
      assert.equal(pending.reason, 'anchor_day_missed');
    });
    test('an anchor day outside the home office work week is not required', () => {
      const sunday = [buildPolicy({ anchorDays: ['Sun'] })];
      const r = evaluateWeek({ policies: sunday, events: ins(SEA1, '2026-11-23', '2026-11-24', '2026-11-25') }, W48);
      assert.equal(r.status, 'compliant');
      assert.deepEqual(r.anchors, []);
      const tlv = evaluateWeek({ policies: sunday, employee: { homeOfficeId: 'TLV1' }, events: ins(TLV1, '2026-11-23', '2026-11-24', '2026-11-25') }, W48);
      assert.deepEqual([tlv.status, tlv.reason], ['non_compliant', 'anchor_day_missed']);
    });
    test('a week with nothing required is excused, anchors or not', () => {
      const r = evaluateWeek({ policies, leave: [buildLeave('2026-11-23', '2026-11-27')] }, W48);
      assert.equal(r.status, 'excused');
    });
  });

  test('present ≥ required is compliant, else non_compliant', () => {
    assert.equal(evaluateWeek({ events: ins(SEA1, '2026-11-23', '2026-11-24') }, W48).status, 'non_compliant');
    assert.equal(evaluateWeek({ events: ins(SEA1, '2026-11-23', '2026-11-24', '2026-11-25') }, W48).status, 'compliant');
    assert.equal(evaluateWeek({ events: ins(SEA1, '2026-11-23', '2026-11-24'), holidays: THANKSGIVING }, W48).status, 'compliant');
  });

  test('events at the edges of the evaluated window are attributed to the right week', () => {
    // 01:00 local on Monday 2026-11-30 in Tokyo is the Sunday badge day of W48.
    const events = [badge(buildOffice({ officeId: 'TYO1', timezone: 'Asia/Tokyo' }), '2026-11-30', '01:00'), badge(LON1, '2026-11-23', '03:00'), badge(NYC1, '2026-11-23', '04:00')];
    const [w47, w48, w49] = evaluateWeeks({ events }, '2026-W47', W48, '2026-W49');
    assert.deepEqual(presentDates(w47!), ['2026-11-22']);
    assert.deepEqual(presentDates(w48!), ['2026-11-23', '2026-11-29']);
    assert.deepEqual(presentDates(w49!), []);
  });
});
