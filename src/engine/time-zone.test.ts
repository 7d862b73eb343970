import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { badgeDate, instantOfWallTime, isValidTimeZone, offsetMinutesAt, wallMinutes } from './time-zone.js';
import { dayNumber, fromDayNumber } from './dates.js';
import { date, zone } from './test-factories.js';

const LA = zone('America/Los_Angeles');
const LONDON = zone('Europe/London');
const utc = (iso: string) => Date.parse(iso);

test('isValidTimeZone', () => {
  assert.equal(isValidTimeZone('America/Los_Angeles'), true);
  assert.equal(isValidTimeZone('America/Argentina/Buenos_Aires'), true);
  assert.equal(isValidTimeZone('UTC'), true);
  assert.equal(isValidTimeZone('Etc/GMT+5'), true);
  assert.equal(isValidTimeZone('Mars/Olympus_Mons'), false);
  assert.equal(isValidTimeZone(''), false);
  assert.equal(isValidTimeZone('PST; DROP TABLE'), false);
});

test('offsets across the 2026 DST changes', () => {
  assert.equal(offsetMinutesAt(LA, utc('2026-03-08T09:59:00Z')), -480); // 01:59 PST
  assert.equal(offsetMinutesAt(LA, utc('2026-03-08T10:00:00Z')), -420); // 03:00 PDT
  assert.equal(offsetMinutesAt(LA, utc('2026-11-01T08:59:00Z')), -420); // 01:59 PDT
  assert.equal(offsetMinutesAt(LA, utc('2026-11-01T09:00:00Z')), -480); // 01:00 PST
  assert.equal(offsetMinutesAt(LONDON, utc('2026-03-29T00:59:00Z')), 0);
  assert.equal(offsetMinutesAt(LONDON, utc('2026-03-29T01:00:00Z')), 60);
  assert.equal(offsetMinutesAt(LONDON, utc('2026-10-25T00:59:00Z')), 60);
  assert.equal(offsetMinutesAt(LONDON, utc('2026-10-25T01:00:00Z')), 0);
  assert.equal(offsetMinutesAt(zone('Asia/Kolkata'), utc('2026-06-01T00:00:00Z')), 330);
  assert.equal(offsetMinutesAt(zone('Asia/Kathmandu'), utc('2026-06-01T00:00:00Z')), 345);
  assert.equal(offsetMinutesAt(zone('Pacific/Kiritimati'), utc('2026-06-01T00:00:00Z')), 840);
});

test('instantOfWallTime: ordinary, skipped (spring forward) and repeated (fall back) wall times', () => {
  assert.equal(instantOfWallTime(LA, date('2026-11-24'), 9 * 60), utc('2026-11-24T17:00:00Z'));
  assert.equal(instantOfWallTime(LA, date('2026-07-01'), 9 * 60), utc('2026-07-01T16:00:00Z'));
  // 02:30 does not exist on 2026-03-08 in Los Angeles: resolved to the instant after the gap (03:30 PDT).
  assert.equal(instantOfWallTime(LA, date('2026-03-08'), 150), utc('2026-03-08T10:30:00Z'));
  // 01:30 happens twice on 2026-11-01: the earlier (PDT) instant.
  assert.equal(instantOfWallTime(LA, date('2026-11-01'), 90), utc('2026-11-01T08:30:00Z'));
  assert.equal(instantOfWallTime(LONDON, date('2026-03-29'), 90), utc('2026-03-29T01:30:00Z')); // 01:30 GMT is skipped → 02:30 BST
  assert.equal(instantOfWallTime(LONDON, date('2026-10-25'), 90), utc('2026-10-25T00:30:00Z')); // earlier, BST
  assert.equal(instantOfWallTime(zone('Pacific/Kiritimati'), date('2026-01-01'), 0), utc('2025-12-31T10:00:00Z'));
});

test('rule 1: the 04:00 boundary on ordinary days and on DST-change days', () => {
  const at = (tz: typeof LA, iso: string, start = 240) => badgeDate(tz, utc(iso), start);
  // Ordinary day, Los Angeles (PST, UTC−8).
  assert.equal(at(LA, '2026-11-24T10:30:00Z'), '2026-11-23'); // 02:30 local → previous day
  assert.equal(at(LA, '2026-11-24T11:59:00Z'), '2026-11-23'); // 03:59
  assert.equal(at(LA, '2026-11-24T12:00:00Z'), '2026-11-24'); // 04:00 exactly → same day
  assert.equal(at(LA, '2026-11-25T07:30:00Z'), '2026-11-24'); // 23:30 local, already the next day in UTC
  // Spring forward 2026-03-08: 02:00 PST → 03:00 PDT.
  assert.equal(at(LA, '2026-03-08T09:30:00Z'), '2026-03-07'); // 01:30 PST
  assert.equal(at(LA, '2026-03-08T10:59:00Z'), '2026-03-07'); // 03:59 PDT
  assert.equal(at(LA, '2026-03-08T11:00:00Z'), '2026-03-08'); // 04:00 PDT
  // Fall back 2026-11-01: 02:00 PDT → 01:00 PST.
  assert.equal(at(LA, '2026-11-01T08:30:00Z'), '2026-10-31'); // 01:30 PDT
  assert.equal(at(LA, '2026-11-01T09:30:00Z'), '2026-10-31'); // 01:30 PST
  assert.equal(at(LA, '2026-11-01T11:59:00Z'), '2026-10-31'); // 03:59 PST
  assert.equal(at(LA, '2026-11-01T12:00:00Z'), '2026-11-01'); // 04:00 PST
  // London, 2026-03-29: 01:00 GMT → 02:00 BST.
  assert.equal(at(LONDON, '2026-03-29T02:59:00Z'), '2026-03-28'); // 03:59 BST
  assert.equal(at(LONDON, '2026-03-29T03:00:00Z'), '2026-03-29'); // 04:00 BST (03:00 GMT would be the previous day)
  // London, 2026-10-25: 02:00 BST → 01:00 GMT.
  assert.equal(at(LONDON, '2026-10-25T02:59:00Z'), '2026-10-24'); // 02:59 GMT
  assert.equal(at(LONDON, '2026-10-25T03:59:00Z'), '2026-10-24'); // 03:59 GMT
  assert.equal(at(LONDON, '2026-10-25T04:00:00Z'), '2026-10-25'); // 04:00 GMT
  assert.equal(at(LONDON, '2026-10-24T03:30:00Z'), '2026-10-24'); // 04:30 BST, a day earlier
});

test('rule 1: custom dayStartsAt 00:00 and 06:00', () => {
  const t = (h: number, m: number) => instantOfWallTime(LA, date('2026-11-24'), h * 60 + m);
  assert.equal(badgeDate(LA, t(0, 0), 0), '2026-11-24');
  assert.equal(badgeDate(LA, t(2, 30), 0), '2026-11-24');
  assert.equal(badgeDate(LA, t(23, 59), 0), '2026-11-24');
  assert.equal(badgeDate(LA, t(5, 59), 360), '2026-11-23');
  assert.equal(badgeDate(LA, t(6, 0), 360), '2026-11-24');
  assert.equal(badgeDate(LA, t(23, 59), 360), '2026-11-24');
});

const zones = ['America/Los_Angeles', 'Europe/London', 'Asia/Tokyo', 'Asia/Jerusalem', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Kiritimati', 'America/St_Johns', 'UTC'].map(zone);

test('property: a wall time that exists maps to an instant showing that wall time', () => {
  const first = dayNumber(date('2025-01-01'));
  fc.assert(
    fc.property(fc.constantFrom(...zones), fc.integer({ min: first, max: first + 3 * 365 }), fc.integer({ min: 0, max: 1439 }), (tz, day, minutes) => {
      const at = instantOfWallTime(tz, fromDayNumber(day), minutes);
      const wall = wallMinutes(tz, at);
      const want = day * 1440 + minutes;
      // Either the exact wall time, or (in a spring-forward gap) a little later on the same clock.
      assert.ok(wall === want || (wall > want && wall - want <= 60), `${tz} ${fromDayNumber(day)} ${minutes}: got ${wall - want}`);
      // The badge day with days starting at midnight is that day.
      assert.equal(badgeDate(tz, at, 0), fromDayNumber(day));
    }),
    { numRuns: 300 },
  );
});

test('offsetMinutesAt agrees with Intl at random instants, odd zones included', () => {
  const zones = ['America/Los_Angeles', 'Europe/London', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Asia/Kathmandu', 'America/St_Johns', 'Asia/Jerusalem', 'UTC'];
  const intlOffset = (tz: string, at: number) => {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(new Date(at));
    const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
    return Math.round((Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - Math.floor(at / 1000) * 1000) / 60_000);
  };
  fc.assert(
    fc.property(fc.constantFrom(...zones), fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2031, 0, 1) }), (tz, at) => {
      assert.equal(offsetMinutesAt(tz as never, at), intlOffset(tz, at));
    }),
    { numRuns: 3000 },
  );
  // Around every change of 2026 in Lord Howe (30-minute DST) and Los Angeles, minute by minute.
  for (const tz of ['Australia/Lord_Howe', 'America/Los_Angeles']) {
    for (let at = Date.UTC(2026, 0, 1); at < Date.UTC(2027, 0, 1); at += 6 * 3_600_000) {
      if (offsetMinutesAt(tz as never, at) !== offsetMinutesAt(tz as never, at + 6 * 3_600_000)) {
        for (let m = at; m <= at + 6 * 3_600_000; m += 60_000) assert.equal(offsetMinutesAt(tz as never, m), intlOffset(tz, m), `${tz} ${new Date(m).toISOString()}`);
      }
    }
  }
});
