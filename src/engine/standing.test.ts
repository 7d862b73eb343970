/** Rule 7: standing over the rolling window of complete ISO weeks. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { computeStanding, standingWindow, tierFor, type WeekSummary } from './standing.js';
import { DEFAULT_STANDING, DEFAULT_TIERS } from './policy.js';
import { addDays, type LocalDate } from './dates.js';
import { SEA1, buildPolicy, date, evaluateWeeks, ins } from './test-factories.js';
import type { StandingParams, WeekStatus } from './types.js';

/** Weekly summaries for the weeks whose Mondays end at `lastMonday`, oldest first. */
function weeksEnding(lastMonday: string, rows: [WeekStatus, number, number][]): WeekSummary[] {
  return rows.map(([status, required, present], i) => ({
    weekStart: addDays(date(lastMonday), -7 * (rows.length - 1 - i)),
    status,
    required,
    present,
  }));
}
const C = (present = 3): [WeekStatus, number, number] => ['compliant', 3, present];
const N = (present = 1): [WeekStatus, number, number] => ['non_compliant', 3, present];
const params = (p: Partial<StandingParams>): StandingParams => ({ ...DEFAULT_STANDING, ...p });

describe('the window: windowWeeks complete ISO weeks ending on or before asOf', () => {
  test('asOf on a Sunday includes that week', () => {
    const w = standingWindow(date('2026-11-22'), 12);
    assert.equal(w.to, '2026-11-22');
    assert.equal(w.from, '2026-08-31');
    assert.equal(w.mondays.length, 12);
    assert.equal(w.mondays[11], '2026-11-16');
  });
  test('asOf on a Saturday (or any day before Sunday) does not', () => {
    for (const d of ['2026-11-21', '2026-11-16', '2026-11-18']) {
      const w = standingWindow(date(d), 12);
      assert.equal(w.to, '2026-11-15', d);
      assert.equal(w.mondays[11], '2026-11-09', d);
    }
  });
  test('across the year boundary with week 53', () => {
    const w = standingWindow(date('2027-01-03'), 2);
    assert.deepEqual(w.mondays, ['2026-12-21', '2026-12-28']);
  });
  test('a week inside the window but not yet complete is not counted', () => {
    // asOf Saturday 2026-11-21: the week of 2026-11-16 is not complete.
    const s = computeStanding('E100', date('2026-11-21'), weeksEnding('2026-11-16', [N(), N(), C()]), params({ windowWeeks: 2 }));
    assert.deepEqual([s.counted, s.compliant], [2, 0]);
  });
});

describe('ratios, counting and good standing', () => {
  test('the DESIGN example: 9 of 12 compliant is 0.75, good standing, regular', () => {
    const rows = [C(), C(), N(), C(), C(), C(), N(), C(), C(), N(), C(), C()];
    const s = computeStanding('E100', date('2026-11-22'), weeksEnding('2026-11-16', rows));
    assert.deepEqual(
      { employeeId: s.employeeId, asOf: s.asOf, windowWeeks: s.windowWeeks, counted: s.counted, compliant: s.compliant, ratio: s.ratio, goodStanding: s.goodStanding, tier: s.tier },
      { employeeId: 'E100', asOf: '2026-11-22', windowWeeks: 12, counted: 12, compliant: 9, ratio: 0.75, goodStanding: true, tier: 'regular' },
    );
    assert.deepEqual([s.from, s.to], ['2026-08-31', '2026-11-22']);
  });

  test('only compliant and non_compliant weeks are counted', () => {
    const rows: [WeekStatus, number, number][] = [
      ['exempt', 0, 0], ['grace', 0, 0], ['excused', 0, 2], ['no_policy', 0, 4], ['not_employed', 0, 0], C(), N(0), C(5),
    ];
    const s = computeStanding('E100', date('2026-11-22'), weeksEnding('2026-11-16', rows), params({ windowWeeks: 8 }));
    assert.deepEqual([s.counted, s.compliant, s.ratio, s.presentDays, s.requiredDays], [3, 2, 2 / 3, 8, 9]);
  });

  test('weeks outside the window and repeated weeks are ignored', () => {
    const inside = weeksEnding('2026-11-16', [C(), C()]);
    const outside = weeksEnding('2026-11-02', [N(), N()]); // before the window
    const future = weeksEnding('2026-11-30', [N()]);
    const s = computeStanding('E100', date('2026-11-22'), [...outside, ...inside, ...future, ...inside], params({ windowWeeks: 2 }));
    assert.deepEqual([s.counted, s.compliant, s.ratio], [2, 2, 1]);
  });

  test('nothing counted: good standing, ratio null, tier null', () => {
    const s = computeStanding('E100', date('2026-11-22'), weeksEnding('2026-11-16', [['exempt', 0, 0], ['excused', 0, 0]]));
    assert.deepEqual([s.counted, s.ratio, s.goodStanding, s.tier], [0, null, true, null]);
    const empty = computeStanding('E100', date('2026-11-22'), []);
    assert.deepEqual([empty.counted, empty.ratio, empty.goodStanding, empty.tier], [0, null, true, null]);
  });

  test('measure weeks: minRatio is the boundary', () => {
    const s = (rows: [WeekStatus, number, number][]) => computeStanding('E100', date('2026-11-22'), weeksEnding('2026-11-16', rows), params({ windowWeeks: 4 }));
    assert.equal(s([C(), C(), C(), N()]).goodStanding, true); // 0.75
    assert.equal(s([C(), C(), N(), N()]).goodStanding, false); // 0.5
  });

  test('measure days: Σ present / Σ required, capped at 1', () => {
    const p = params({ windowWeeks: 4, measure: 'days', minRatio: 0.75 });
    const a = computeStanding('E100', date('2026-11-22'), weeksEnding('2026-11-16', [C(3), N(2), N(2), C(3)]), p);
    assert.deepEqual([a.presentDays, a.requiredDays, a.ratio, a.goodStanding], [10, 12, 10 / 12, true]);
    const b = computeStanding('E100', date('2026-11-22'), weeksEnding('2026-11-16', [C(5), C(5), N(0), N(1)]), p);
    assert.deepEqual([b.presentDays, b.requiredDays, b.ratio, b.compliant], [11, 12, 11 / 12, 2]);
    const capped = computeStanding('E100', date('2026-11-22'), weeksEnding('2026-11-16', [C(5), C(5), C(5), C(3)]), p);
    assert.deepEqual([capped.ratio, capped.tier], [1, 'consistent']);
    // The days of excused weeks do not count.
    const excused = computeStanding('E100', date('2026-11-22'), weeksEnding('2026-11-16', [['excused', 0, 5], N(1), N(1), N(1)]), p);
    assert.deepEqual([excused.presentDays, excused.requiredDays], [3, 9]);
  });

  test('a quarterly total: 39 days over 13 weeks of 3', () => {
    const rows = Array.from({ length: 13 }, (_, i) => (i % 2 === 0 ? C(4) : N(2)));
    const s = computeStanding('E100', date('2026-11-22'), weeksEnding('2026-11-16', rows), params({ windowWeeks: 13, measure: 'days', minRatio: 1 }));
    assert.deepEqual([s.requiredDays, s.presentDays, s.ratio, s.goodStanding], [39, 7 * 4 + 6 * 2, 1, true]);
  });

  test("Amazon's 3 days in at least 5 of the last 8 weeks: windowWeeks 8, minRatio 0.625", () => {
    const p = params({ windowWeeks: 8, minRatio: 0.625 });
    const five = computeStanding('E100', date('2026-11-22'), weeksEnding('2026-11-16', [N(), C(), C(), N(), C(), N(), C(), C()]), p);
    assert.deepEqual([five.compliant, five.counted, five.ratio, five.goodStanding], [5, 8, 0.625, true]);
    const four = computeStanding('E100', date('2026-11-22'), weeksEnding('2026-11-16', [N(), C(), C(), N(), C(), N(), N(), C()]), p);
    assert.deepEqual([four.ratio, four.goodStanding], [0.5, false]);
  });
});

describe('tiers', () => {
  test('default tiers at their boundaries', () => {
    const cases: [number, string][] = [[1, 'consistent'], [0.9, 'consistent'], [0.8999, 'regular'], [0.75, 'regular'], [0.7499, 'occasional'], [0.4, 'occasional'], [0.3999, 'limited'], [0, 'limited']];
    for (const [ratio, tier] of cases) assert.equal(tierFor(ratio, DEFAULT_TIERS), tier, String(ratio));
  });
  test('boundaries reached by exact week counts: 9/10, 3/4, 2/5', () => {
    const tierOf = (c: number, n: number) => {
      const rows = Array.from({ length: n }, (_, i) => (i < c ? C() : N()));
      return computeStanding('E100', date('2026-11-22'), weeksEnding('2026-11-16', rows), params({ windowWeeks: n })).tier;
    };
    assert.equal(tierOf(9, 10), 'consistent');
    assert.equal(tierOf(8, 10), 'regular');
    assert.equal(tierOf(3, 4), 'regular');
    assert.equal(tierOf(2, 5), 'occasional');
    assert.equal(tierOf(1, 3), 'limited');
  });
  test('custom tiers from a policy', () => {
    const p = buildPolicy({ standing: { tiers: { gold: 0.8, silver: 0.5, bronze: 0 } } });
    assert.equal(tierFor(0.8, p.standing.tiers), 'gold');
    assert.equal(tierFor(0.79, p.standing.tiers), 'silver');
    assert.equal(tierFor(0.1, p.standing.tiers), 'bronze');
  });
});

test('standing from evaluated weeks', () => {
  // Weeks 2026-W41 … W48: present 3 days in every other week.
  const mondays: LocalDate[] = [];
  for (let i = 0; i < 8; i++) mondays.push(addDays(date('2026-10-05'), 7 * i));
  const events = mondays.filter((_, i) => i % 2 === 0).flatMap((m) => ins(SEA1, m, addDays(m, 1), addDays(m, 2)));
  const weeks = evaluateWeeks({ events }, ...mondays);
  const s = computeStanding('E100', date('2026-11-29'), weeks, params({ windowWeeks: 8, minRatio: 0.5 }));
  assert.deepEqual([s.counted, s.compliant, s.ratio, s.goodStanding, s.tier], [8, 4, 0.5, true, 'occasional']);
});
