import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildHolidayLookup, holidayDates, knownRegion, publicHolidays } from './public-holidays.js';
import { addDays, type LocalDate } from '../engine/dates.js';

const d = (s: string) => s as LocalDate;
const SEA = { officeId: 'SEA1', timezone: 'America/Los_Angeles', country: 'US', subdivision: 'WA' };
const LON = { officeId: 'LON1', timezone: 'Europe/London', country: 'GB', subdivision: 'ENG' };
const TLV = { officeId: 'TLV1', timezone: 'Asia/Jerusalem', country: 'IL', subdivision: null };

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

test('offices of one region get the same holidays, whatever their time zone', () => {
  // date-holidays computes a region's holidays in one zone of its own (Mexico City, Toronto,
  // Jakarta); read in an office's zone east of it, each holiday used to spill into the next day.
  const regions: [string, string | null, string[], string, string][] = [
    ['MX', null, ['America/Cancun', 'America/Mexico_City', 'America/Tijuana'], '2026-09-16', 'Independence Day'],
    ['CA', null, ['America/Halifax', 'America/St_Johns', 'America/Toronto', 'America/Vancouver'], '2026-09-07', 'Labour Day'],
    ['ID', null, ['Asia/Jayapura', 'Asia/Jakarta'], '2026-08-17', 'Independence Day'],
    ['RU', null, ['Asia/Novosibirsk', 'Europe/Moscow', 'Asia/Vladivostok'], '2026-06-12', 'Russia Day'],
  ];
  for (const [country, subdivision, zones, date, name] of regions) {
    const calendars = zones.map((timezone) => publicHolidays({ officeId: timezone, timezone, country, subdivision }, [2025, 2026, 2027]));
    for (let i = 1; i < calendars.length; i++) assert.deepEqual([...calendars[i]!].sort(), [...calendars[0]!].sort(), `${country}: ${zones[i]} against ${zones[0]}`);
    assert.equal(calendars[0]!.get(d(date)), name, `${country} ${date}`);
    assert.equal(calendars[0]!.has(addDays(d(date), 1)), false, `${country}: not the day after ${date}`);
  }
});

test('a holiday of several days covers each of them, and no more', () => {
  const dubai = publicHolidays({ officeId: 'DXB1', timezone: 'Asia/Dubai', country: 'AE', subdivision: null }, [2026]);
  const eid = ['2026-03-19', '2026-03-20', '2026-03-21', '2026-03-22', '2026-03-23'].map((x) => dubai.has(d(x)));
  assert.deepEqual(eid, [false, true, true, true, false]);
  assert.match(dubai.get(d('2026-03-21'))!, /Eid al-Fitr/);
  const yerevan = publicHolidays({ officeId: 'EVN1', timezone: 'Asia/Yerevan', country: 'AM', subdivision: null }, [2026]);
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
