import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildHolidayLookup, holidayDates, knownRegion, publicHolidays } from './public-holidays.js';
import { addDays, type LocalDate } from '../engine/dates.js';

const d = (s: string) => s as LocalDate;
const SEA = { officeId: 'SEA1', country: 'US', subdivision: 'WA' };
const LON = { officeId: 'LON1', country: 'GB', subdivision: 'ENG' };
const TLV = { officeId: 'TLV1', country: 'IL', subdivision: null };

test('public holidays come from date-holidays, type public only, in English', () => {
  const us = publicHolidays(SEA, [2026]);
  assert.equal(us.get(d('2026-11-26')), 'Thanksgiving Day');
  assert.equal(us.get(d('2026-12-25')), 'Christmas Day');
  assert.equal(us.has(d('2026-11-27')), false, 'the day after Thanksgiving is not a public holiday in WA');
  const gb = publicHolidays(LON, [2026]);
  assert.ok(gb.has(d('2026-04-03')), 'Good Friday');
  assert.equal(gb.has(d('2026-03-15')), false, "Mother's Day is an observance, not a public holiday");
});

test('a holiday that begins the evening before covers only its own local day', () => {
  const il = publicHolidays(TLV, [2026]);
  assert.ok(il.has(d('2026-04-02')));
  assert.equal(il.has(d('2026-04-01')), false);
});

test('a holiday is its named date, not the day after, west or east of UTC', () => {
  // A region's holidays are calendar dates, whatever the zone of the office or of the process
  // (the tests run in Los Angeles). Asked in the region's own zone (Mexico City, Toronto,
  // Jakarta, Moscow), date-holidays' end instants had offices east of it excuse the day after too.
  const cases: [string, string, string][] = [
    ['MX', '2026-09-16', 'Independence Day'],
    ['CA', '2026-09-07', 'Labour Day'],
    ['ID', '2026-08-17', 'Independence Day'],
    ['RU', '2026-06-12', 'Russia Day'],
  ];
  for (const [country, date, name] of cases) {
    const calendar = publicHolidays({ country, subdivision: null }, [2026]);
    assert.equal(calendar.get(d(date)), name, `${country} ${date}`);
    assert.equal(calendar.has(addDays(d(date), 1)), false, `${country}: not the day after ${date}`);
    assert.equal(calendar.has(addDays(d(date), -1)), false, `${country}: not the day before ${date}`);
  }
});

test('a holiday of several days covers each of them, and no more', () => {
  const dubai = publicHolidays({ country: 'AE', subdivision: null }, [2026]);
  const eid = ['2026-03-19', '2026-03-20', '2026-03-21', '2026-03-22', '2026-03-23'].map((x) => dubai.has(d(x)));
  assert.deepEqual(eid, [false, true, true, true, false]);
  assert.match(dubai.get(d('2026-03-21'))!, /Eid al-Fitr/);
  const yerevan = publicHolidays({ country: 'AM', subdivision: null }, [2026]);
  assert.deepEqual(['2026-01-02', '2026-01-03', '2026-01-05', '2026-01-06', '2026-01-07'].map((x) => yerevan.has(d(x))), [true, true, true, true, false]);
});

test('holidayDates: from the named date to the day before the end, in the UTC frame', () => {
  const at = (iso: string) => new Date(iso);
  assert.deepEqual(holidayDates({ date: '2026-05-01 00:00:00', end: at('2026-05-02T00:00:00Z'), name: 'x', type: 'public' }), ['2026-05-01']);
  // Begins the evening before (18:00): the named date alone.
  assert.deepEqual(holidayDates({ date: '2026-04-02 00:00:00 -0600', end: at('2026-04-02T18:00:00Z'), name: 'x', type: 'public' }), ['2026-04-02']);
  assert.deepEqual(holidayDates({ date: '2026-03-20 00:00:00 -0600', end: at('2026-03-22T18:00:00Z'), name: 'x', type: 'public' }), ['2026-03-20', '2026-03-21', '2026-03-22']);
  // A holiday ending before its named date still names it; one of months is cut at 14 days.
  assert.deepEqual(holidayDates({ date: '2026-05-01 00:00:00', end: at('2026-05-01T00:00:00Z'), name: 'x', type: 'public' }), ['2026-05-01']);
  assert.equal(holidayDates({ date: '2026-05-01 00:00:00', end: at('2026-07-01T00:00:00Z'), name: 'x', type: 'public' }).length, 14);
});

test('company overrides add and remove days per office', () => {
  const lookup = buildHolidayLookup([SEA, LON], [
    { officeId: 'SEA1', date: d('2026-11-27'), name: 'Day after Thanksgiving', action: 'add' },
    { officeId: 'SEA1', date: d('2026-11-11'), name: 'Veterans Day', action: 'remove' },
  ], d('2026-11-01'), d('2026-12-31'));
  assert.equal(lookup('SEA1', d('2026-11-27')), 'Day after Thanksgiving');
  assert.equal(lookup('SEA1', d('2026-11-11')), null);
  assert.equal(lookup('SEA1', d('2026-11-26')), 'Thanksgiving Day');
  assert.equal(lookup('LON1', d('2026-11-27')), null, 'overrides are per office');
  assert.equal(lookup('LON1', d('2026-12-25')), 'Christmas Day');
  assert.equal(lookup('NOPE', d('2026-12-25')), null);
});

test('known regions', () => {
  assert.deepEqual(knownRegion('US', 'WA'), { ok: true });
  assert.deepEqual(knownRegion('SG', null), { ok: true });
  assert.equal(knownRegion('QQ', null).ok, false);
  assert.equal(knownRegion('US', 'ZZ').ok, false);
});
