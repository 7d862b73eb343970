import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildHolidayLookup, knownRegion, publicHolidays } from './public-holidays.js';
import type { LocalDate } from '../engine/dates.js';

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
