import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  addDays, dayNumber, fromDayNumber, isoWeekOf, isoWeekday, mondayOf, mondaysBetween, parseIsoWeek, parseLocalDate,
  parseWorkWeek, formatWorkWeek, weekdayNumberOf, type LocalDate,
} from './dates.js';
import { date } from './test-factories.js';

test('parseLocalDate accepts real dates only', () => {
  assert.equal(parseLocalDate('2026-11-26'), '2026-11-26');
  assert.equal(parseLocalDate('2024-02-29'), '2024-02-29');
  assert.equal(parseLocalDate('2026-02-29'), null);
  assert.equal(parseLocalDate('2026-13-01'), null);
  assert.equal(parseLocalDate('2026-00-10'), null);
  assert.equal(parseLocalDate('2026-04-31'), null);
  assert.equal(parseLocalDate('2026-4-3'), null);
  assert.equal(parseLocalDate('2026-11-26T00:00:00Z'), null);
  assert.equal(parseLocalDate(''), null);
});

test('day numbers round-trip and 1970-01-01 is day 0, a Thursday', () => {
  assert.equal(dayNumber(date('1970-01-01')), 0);
  assert.equal(isoWeekday(date('1970-01-01')), 4);
  assert.equal(fromDayNumber(-1), '1969-12-31');
  assert.equal(addDays(date('2026-12-31'), 1), '2027-01-01');
  assert.equal(addDays(date('2024-03-01'), -1), '2024-02-29');
});

test('ISO weekdays and Mondays', () => {
  assert.equal(isoWeekday(date('2026-11-23')), 1); // Monday
  assert.equal(isoWeekday(date('2026-11-26')), 4); // Thanksgiving, Thursday
  assert.equal(isoWeekday(date('2026-11-29')), 7); // Sunday
  assert.equal(mondayOf(date('2026-11-29')), '2026-11-23');
  assert.equal(mondayOf(date('2026-11-23')), '2026-11-23');
  assert.equal(mondayOf(date('2027-01-01')), '2026-12-28');
});

test('ISO weeks: 2026 has a week 53 that holds 2027-01-01 (rule 3)', () => {
  assert.equal(isoWeekOf(date('2026-11-24')), '2026-W48');
  assert.equal(isoWeekOf(date('2026-12-28')), '2026-W53');
  assert.equal(isoWeekOf(date('2027-01-01')), '2026-W53');
  assert.equal(isoWeekOf(date('2027-01-03')), '2026-W53');
  assert.equal(isoWeekOf(date('2027-01-04')), '2027-W01');
  assert.equal(isoWeekOf(date('2026-01-01')), '2026-W01'); // a Thursday
  assert.equal(isoWeekOf(date('2025-12-29')), '2026-W01');
  assert.equal(isoWeekOf(date('2021-01-03')), '2020-W53');
  assert.deepEqual(parseIsoWeek('2026-W53'), { week: '2026-W53', monday: '2026-12-28' });
  assert.deepEqual(parseIsoWeek('2026-W01'), { week: '2026-W01', monday: '2025-12-29' });
  assert.equal(parseIsoWeek('2025-W53'), null); // 2025 has 52 weeks
  assert.equal(parseIsoWeek('2027-W53'), null);
  assert.equal(parseIsoWeek('2026-W00'), null);
  assert.equal(parseIsoWeek('2026-W54'), null);
  assert.equal(parseIsoWeek('2026-48'), null);
});

test('mondaysBetween lists every ISO week overlapping the range', () => {
  assert.deepEqual(mondaysBetween(date('2026-11-26'), date('2026-12-01')), ['2026-11-23', '2026-11-30']);
  assert.deepEqual(mondaysBetween(date('2026-11-23'), date('2026-11-23')), ['2026-11-23']);
  assert.deepEqual(mondaysBetween(date('2026-12-31'), date('2027-01-04')), ['2026-12-28', '2027-01-04']);
});

test('work weeks: ranges wrap, lists and names', () => {
  assert.deepEqual(parseWorkWeek('Mon-Fri'), [1, 2, 3, 4, 5]);
  assert.deepEqual(parseWorkWeek('Sun-Thu'), [1, 2, 3, 4, 7]);
  assert.deepEqual(parseWorkWeek('Fri-Mon'), [1, 5, 6, 7]);
  assert.deepEqual(parseWorkWeek('Mon,Tue,Thu'), [1, 2, 4]);
  assert.deepEqual(parseWorkWeek('monday-friday'), [1, 2, 3, 4, 5]);
  assert.equal(parseWorkWeek(''), null);
  assert.equal(parseWorkWeek('Mon-Fri-Sat'), null);
  assert.equal(parseWorkWeek('Xyz'), null);
  assert.equal(weekdayNumberOf('Tue'), 2);
  assert.equal(weekdayNumberOf('Mo'), null);
  // Full names and their abbreviations of three letters or more, in any case; nothing else.
  for (const [name, n] of [['Tues', 2], ['THURS', 4], ['thur', 4], ['Wednesday', 3], [' sat ', 6], ['Sund', 7]] as const) assert.equal(weekdayNumberOf(name), n, name);
  for (const name of ['Monkey', 'Satan', 'wedding', 'Frisbee', 'Thursdays', 'Mondayy']) assert.equal(weekdayNumberOf(name), null, name);
  assert.equal(parseWorkWeek('Mon-Frisbee'), null);
  assert.equal(formatWorkWeek([1, 2, 3, 4, 7]), 'Mon,Tue,Wed,Thu,Sun');
});

const anyDate = fc.integer({ min: dayNumber(date('1990-01-01')), max: dayNumber(date('2100-12-31')) }).map((n) => fromDayNumber(n));

test('property: the seven days of a week share its ISO week, whose Monday parses back', () => {
  fc.assert(
    fc.property(anyDate, (d: LocalDate) => {
      const m = mondayOf(d);
      assert.equal(isoWeekday(m), 1);
      const w = isoWeekOf(d);
      for (let i = 0; i < 7; i++) assert.equal(isoWeekOf(addDays(m, i)), w);
      assert.notEqual(isoWeekOf(addDays(m, 7)), w);
      assert.deepEqual(parseIsoWeek(w), { week: w, monday: m });
      // The ISO year is the year of the week's Thursday.
      assert.equal(w.slice(0, 4), addDays(m, 3).slice(0, 4));
    }),
    { numRuns: 300 },
  );
});

test('property: day numbers agree with the calendar of Date.UTC, years 1000 to 9999', () => {
  fc.assert(
    fc.property(fc.integer({ min: dayNumber(date('1000-01-01')), max: dayNumber(date('9999-12-31')) }), (n: number) => {
      const d = new Date(n * 86_400_000).toISOString().slice(0, 10) as LocalDate;
      assert.equal(fromDayNumber(n), d);
      assert.equal(dayNumber(d), n);
      assert.equal(dayNumber(d), Math.floor(Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10))) / 86_400_000));
    }),
    { numRuns: 2000 },
  );
  assert.equal(dayNumber(date('2000-02-29')) + 1, dayNumber(date('2000-03-01')));
  assert.equal(dayNumber(date('1900-02-28')) + 1, dayNumber(date('1900-03-01')));
});
