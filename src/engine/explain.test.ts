/** Rule 8: every weekly record explains itself. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { explainWeek, formatQuotient } from './explain.js';
import { WEEK_STATUSES, type WeekStatus, type WeeklyRecord } from './types.js';
import {
  SEA1, buildException, buildLeave, buildOffice, buildPolicy, buildRelocation, evaluateWeek, ins, officeDay, STANDARD_OFFICES,
  type Scenario,
} from './test-factories.js';

const W48 = '2026-W48';
const THANKSGIVING = { SEA1: { '2026-11-26': 'Thanksgiving Day' } };

/** The weekly record in the JSON shape of DESIGN. */
function asJson(r: WeeklyRecord) {
  return {
    employeeId: r.employeeId,
    week: r.week,
    policy: r.policy,
    status: r.status,
    required: r.required,
    present: r.present,
    available: r.available,
    presentDays: r.presentDays.map((d) => ({ date: d.date, officeId: d.officeId, source: d.source, dwellMinutes: d.dwellMinutes })),
    excusedDays: r.excusedDays,
    explanation: r.explanation,
  };
}

test('the DESIGN weekly record, exactly', () => {
  const r = evaluateWeek({ events: officeDay(SEA1, '2026-11-24', '08:45', '16:30'), holidays: THANKSGIVING }, W48);
  assert.deepEqual(asJson(r), {
    employeeId: 'E100', week: '2026-W48',
    policy: { id: 'rto-3', version: 1 },
    status: 'non_compliant', required: 2, present: 1, available: 4,
    presentDays: [{ date: '2026-11-24', officeId: 'SEA1', source: 'badge', dwellMinutes: 465 }],
    excusedDays: [{ date: '2026-11-26', reason: 'holiday', name: 'Thanksgiving Day' }],
    explanation: '2 of 4 available days required (3 × 4/5 = 2.4, rounded half up); present 1',
  });
  assert.equal(r.explanation, explainWeek(r)); // a pure function of the facts
});

describe('the arithmetic of each rule', () => {
  const explain = (s: Scenario) => evaluateWeek({ holidays: THANKSGIVING, ...s }, W48).explanation;
  test('proportional, exact and inexact quotients', () => {
    assert.equal(explain({ holidays: {} }), '3 of 5 available days required (3 × 5/5 = 3, rounded half up); present 0');
    assert.equal(explain({ policies: [buildPolicy({ daysPerWeek: 2 })], events: ins(SEA1, '2026-11-23', '2026-11-24') }), '2 of 4 available days required (2 × 4/5 = 1.6, rounded half up); present 2');
    const six = buildOffice({ officeId: 'SIX', workWeek: 'Mon-Sat' });
    assert.equal(
      explain({ offices: [...STANDARD_OFFICES, six], employee: { homeOfficeId: 'SIX' }, leave: [buildLeave('2026-11-23', '2026-11-24')] }),
      '2 of 4 available days required (3 × 4/6 = 2, rounded half up); present 0',
    );
    const four = buildOffice({ officeId: 'FOUR', workWeek: 'Mon,Tue,Wed' });
    assert.equal(
      explain({ offices: [...STANDARD_OFFICES, four], employee: { homeOfficeId: 'FOUR' }, policies: [buildPolicy({ daysPerWeek: 2 })], leave: [buildLeave('2026-11-23')] }),
      '1 of 2 available days required (2 × 2/3 ≈ 1.33, rounded half up); present 0',
    );
  });
  test('cap and subtract', () => {
    assert.equal(explain({ policies: [buildPolicy({ holidayRule: 'cap' })] }), '3 of 4 available days required (min(3, 4)); present 0');
    assert.equal(explain({ policies: [buildPolicy({ holidayRule: 'subtract' })] }), '2 of 4 available days required (3 − 1 unavailable); present 0');
    assert.equal(
      explain({ policies: [buildPolicy({ holidayRule: 'subtract' })], leave: [buildLeave('2026-11-23', '2026-11-25')] }),
      '0 of 1 available day required (max(0, 3 − 4 unavailable)); present 0',
    );
  });
  test('never more than available is said', () => {
    assert.equal(
      explain({ policies: [buildPolicy({ daysPerWeek: 7, holidayRule: 'subtract' })] }),
      '4 of 4 available days required (7 − 1 unavailable, at most the 4 available); present 0',
    );
  });
  test('a reducing exception and anchor days', () => {
    const x = buildException({ effect: 'reduced', daysPerWeek: 1, kind: 'caregiving', startDate: '2026-11-01', endDate: '2026-12-31' });
    assert.equal(
      explain({ exceptions: [x], events: ins(SEA1, '2026-11-24') }),
      'exception caregiving (2026-11-01 to 2026-12-31) lowers daysPerWeek from 3 to 1; 1 of 4 available days required (1 × 4/5 = 0.8, rounded half up); present 1',
    );
    const anchors = [buildPolicy({ anchorDays: ['Tue', 'Wed'] })];
    assert.equal(
      explain({ policies: anchors, events: ins(SEA1, '2026-11-23', '2026-11-24', '2026-11-27') }),
      '2 of 4 available days required (3 × 4/5 = 2.4, rounded half up); present 3; anchor day missed: Wed 2026-11-25',
    );
    assert.equal(
      explain({ policies: anchors, leave: [buildLeave('2026-11-25')], events: ins(SEA1, '2026-11-24', '2026-11-27') }),
      '2 of 3 available days required (3 × 3/5 = 1.8, rounded half up); present 2; anchor days met: Tue, Wed (excused)',
    );
  });
});

test('formatQuotient', () => {
  assert.equal(formatQuotient(12, 5), '= 2.4');
  assert.equal(formatQuotient(15, 5), '= 3');
  assert.equal(formatQuotient(10, 3), '≈ 3.33');
  assert.equal(formatQuotient(2, 3), '≈ 0.67');
  assert.equal(formatQuotient(0, 5), '= 0');
});

test('every status has a non-empty explanation that says why', () => {
  const scenarios: Record<WeekStatus, [Scenario, RegExp][]> = {
    not_employed: [
      [{ employee: { hireDate: '2026-12-01' } }, /not employed this week \(hired 2026-12-01\)/],
      [{ employee: { terminationDate: '2026-11-20' } }, /employment ended 2026-11-20/],
    ],
    no_policy: [[{ policies: [] }, /no policy covers/]],
    exempt: [
      [{ exceptions: [buildException({ kind: 'accommodation', startDate: '2026-11-01', endDate: '2027-01-31' })] }, /^exempt: exception accommodation \(2026-11-01 to 2027-01-31\)/],
      [{ employee: { arrangement: 'remote' } }, /^exempt: remote arrangement/],
      [{ offices: [...STANDARD_OFFICES, buildOffice({ officeId: 'NEW', readyFrom: '2027-01-04' })], employee: { homeOfficeId: 'NEW' } }, /ready for staff from 2027-01-04/],
    ],
    grace: [[{ employee: { hireDate: '2026-11-18' } }, /^grace: hired 2026-11-18, weeks beginning before 2026-12-02 are not judged/]],
    excused: [[{ leave: [buildLeave('2026-11-23', '2026-11-27')] }, /^0 of 0 available days required/]],
    compliant: [[{ events: ins(SEA1, '2026-11-23', '2026-11-24', '2026-11-25') }, /^3 of 5 .*; present 3$/]],
    non_compliant: [
      [{ events: ins(SEA1, '2026-11-23') }, /; present 1$/],
      [{ relocation: buildRelocation({ deadline: '2026-11-01', targetOfficeId: 'SEA1' }), employee: { arrangement: 'remote', homeOfficeId: 'LON1' } }, /^3 of 5/],
    ],
  };
  for (const status of WEEK_STATUSES) {
    for (const [s, pattern] of scenarios[status]) {
      const r = evaluateWeek(s, W48);
      assert.equal(r.status, status, JSON.stringify(s));
      assert.ok(r.explanation.trim().length > 0);
      assert.match(r.explanation, pattern);
    }
  }
});
