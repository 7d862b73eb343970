/** Rules 1 and 2: badge events to local badge days, and which days are present. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { badgePresenceDays, normaliseEvents } from './presence.js';
import { dayNumber } from './dates.js';
import {
  LON1, NYC1, SEA1, TLV1, TYO1, STANDARD_OFFICES, badge, badgeAt, buildAttestation, buildPolicy, date, evaluateWeek, evaluateWeeks,
  ins, officeDay, presentDates,
} from './test-factories.js';
import type { BadgeEvent } from './types.js';

const W48 = '2026-W48'; // Mon 2026-11-23 … Sun 2026-11-29, Thanksgiving on Thursday

describe('rule 1: badge days in the time zone of the office, shifted by dayStartsAt', () => {
  test('02:30 local belongs to the previous day, 04:00 exactly to the same day', () => {
    const r = evaluateWeek({ events: [badge(SEA1, '2026-11-25', '02:30'), badge(SEA1, '2026-11-27', '04:00')] }, W48);
    assert.deepEqual(presentDates(r), ['2026-11-24', '2026-11-27']);
  });

  test('03:59 on a Monday belongs to the Sunday of the previous week', () => {
    const [w47, w48] = evaluateWeeks({ events: [badge(SEA1, '2026-11-23', '03:59')] }, '2026-W47', W48);
    assert.deepEqual(presentDates(w47!), ['2026-11-22']);
    assert.deepEqual(presentDates(w48!), []);
  });

  test('a night shift from 22:00 to 03:30 is one day (its exit is before 04:00)', () => {
    const events = [badge(SEA1, '2026-11-24', '22:00', 'in'), badge(SEA1, '2026-11-25', '03:30', 'out')];
    const r = evaluateWeek({ events, policies: [buildPolicy({ minDwellMinutes: 240 })] }, W48);
    assert.deepEqual(r.presentDays.map((d) => [d.date, d.dwellMinutes]), [['2026-11-24', 330]]);
    // Past 04:00 the exit falls on the next badge day: with singleSwipe count, the entry alone still counts.
    const late = [badge(SEA1, '2026-11-24', '22:00', 'in'), badge(SEA1, '2026-11-25', '06:00', 'out')];
    assert.deepEqual(presentDates(evaluateWeek({ events: late, policies: [buildPolicy({ minDwellMinutes: 240 })] }, W48)), ['2026-11-24']);
  });

  test('custom dayStartsAt "00:00": 02:30 is the same day', () => {
    const r = evaluateWeek({ events: [badge(SEA1, '2026-11-25', '02:30'), badge(SEA1, '2026-11-23', '00:00')], policies: [buildPolicy({ dayStartsAt: '00:00' })] }, W48);
    assert.deepEqual(presentDates(r), ['2026-11-23', '2026-11-25']);
  });

  test('custom dayStartsAt "06:00": 05:59 is the previous day, 06:00 the same day', () => {
    const r = evaluateWeek({ events: [badge(SEA1, '2026-11-25', '05:59'), badge(SEA1, '2026-11-27', '06:00')], policies: [buildPolicy({ dayStartsAt: '06:00' })] }, W48);
    assert.deepEqual(presentDates(r), ['2026-11-24', '2026-11-27']);
  });

  test('an event at an office in another zone uses that office\'s zone', () => {
    // 09:00 in Tokyo on Tuesday 2026-11-24 is 16:00 on Monday in Seattle (the home office).
    const tokyo = badgeAt(TYO1, '2026-11-24T00:00:00Z');
    const r = evaluateWeek({ events: [tokyo] }, W48);
    assert.deepEqual(r.presentDays.map((d) => [d.date, d.officeId]), [['2026-11-24', 'TYO1']]);
    // 23:30 in Seattle on Monday is Tuesday 07:30 in London: counted on Monday for Seattle, Tuesday for London.
    const sea = badgeAt(SEA1, '2026-11-24T07:30:00Z');
    const lon = badgeAt(LON1, '2026-11-24T07:30:00Z');
    assert.deepEqual(presentDates(evaluateWeek({ events: [sea] }, W48)), ['2026-11-23']);
    assert.deepEqual(presentDates(evaluateWeek({ events: [lon] }, W48)), ['2026-11-24']);
    // A London-based employee visiting New York at 21:00 local (02:00 next day in London) is present that New York day.
    const visit = badge(NYC1, '2026-11-24', '21:00');
    assert.deepEqual(presentDates(evaluateWeek({ employee: { homeOfficeId: 'LON1' }, events: [visit] }, W48)), ['2026-11-24']);
  });

  test('DST-change week in America/Los_Angeles (spring forward Sunday 2026-03-08)', () => {
    // Every evening at 21:00 local: in UTC these fall on the next day; the offset changes mid-week.
    const days = ['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06', '2026-03-07', '2026-03-08'];
    const events = days.map((d) => badge(SEA1, d, '21:00'));
    // Night events: 03:30 PDT on the Sunday (after the gap) is still Saturday; 04:00 PDT is Sunday.
    events.push(badge(SEA1, '2026-03-09', '03:59'), badge(SEA1, '2026-03-09', '04:00'));
    const [w10, w11] = evaluateWeeks({ events }, '2026-W10', '2026-W11');
    assert.deepEqual(presentDates(w10!), days);
    assert.deepEqual(presentDates(w11!), ['2026-03-09']);
    // With raw UTC instants around the gap.
    const raw = [badgeAt(SEA1, '2026-03-08T10:59:00Z'), badgeAt(SEA1, '2026-03-08T11:00:00Z')]; // 03:59 PDT, 04:00 PDT
    assert.deepEqual(presentDates(evaluateWeek({ events: raw }, '2026-W10')), ['2026-03-07', '2026-03-08']);
  });

  test('DST-change week in America/Los_Angeles (fall back Sunday 2026-11-01)', () => {
    // 01:30 happens twice, both before 04:00: both belong to Saturday; 04:00 PST belongs to Sunday.
    const events = [badgeAt(SEA1, '2026-11-01T08:30:00Z'), badgeAt(SEA1, '2026-11-01T09:30:00Z'), badgeAt(SEA1, '2026-11-01T11:59:00Z', 'out')];
    const r = evaluateWeek({ events, policies: [buildPolicy({ minDwellMinutes: 60 })] }, '2026-W44');
    assert.deepEqual(r.presentDays.map((d) => [d.date, d.dwellMinutes]), [['2026-10-31', 209]]);
    const sunday = evaluateWeek({ events: [badgeAt(SEA1, '2026-11-01T12:00:00Z')] }, '2026-W44');
    assert.deepEqual(presentDates(sunday), ['2026-11-01']);
    // The week after: 09:00 local every weekday.
    const after = evaluateWeek({ events: ins(SEA1, '2026-11-02', '2026-11-03', '2026-11-04') }, '2026-W45');
    assert.deepEqual(presentDates(after), ['2026-11-02', '2026-11-03', '2026-11-04']);
    assert.equal(after.status, 'compliant');
  });

  test('DST-change weeks in Europe/London (2026-03-29 and 2026-10-25)', () => {
    const lon = { employee: { homeOfficeId: 'LON1' } };
    // 03:00 UTC on 2026-03-29 is 04:00 BST: Sunday. 02:59 UTC is 03:59 BST: Saturday.
    const spring = evaluateWeek({ ...lon, events: [badgeAt(LON1, '2026-03-29T02:59:00Z'), badgeAt(LON1, '2026-03-29T03:00:00Z')] }, '2026-W13');
    assert.deepEqual(presentDates(spring), ['2026-03-28', '2026-03-29']);
    // 03:30 UTC on 2026-10-25 is 03:30 GMT: Saturday; 04:00 UTC is 04:00 GMT: Sunday.
    const autumn = evaluateWeek({ ...lon, events: [badgeAt(LON1, '2026-10-25T03:30:00Z'), badgeAt(LON1, '2026-10-25T04:00:00Z')] }, '2026-W43');
    assert.deepEqual(presentDates(autumn), ['2026-10-24', '2026-10-25']);
    // A working week after the change, 08:00 local = 08:00 UTC.
    const week = evaluateWeek({ ...lon, events: ins(LON1, '2026-10-26', '2026-10-27', '2026-10-28') }, '2026-W44');
    assert.deepEqual(presentDates(week), ['2026-10-26', '2026-10-27', '2026-10-28']);
  });
});

describe('rule 2: present days', () => {
  test('countOffices any counts every company office; home counts only the home office', () => {
    const events = [...ins(LON1, '2026-11-23'), ...ins(SEA1, '2026-11-24')];
    assert.deepEqual(presentDates(evaluateWeek({ events }, W48)), ['2026-11-23', '2026-11-24']);
    assert.deepEqual(presentDates(evaluateWeek({ events, policies: [buildPolicy({ countOffices: 'home' })] }, W48)), ['2026-11-24']);
  });

  test('events at an unknown office are ignored', () => {
    const ghost = { ...badge(SEA1, '2026-11-23', '09:00'), officeId: 'NOPE' };
    assert.deepEqual(presentDates(evaluateWeek({ events: [ghost] }, W48)), []);
  });

  test('minDwellMinutes with in/out pairs: at least the minimum between first and last event', () => {
    const policies = [buildPolicy({ minDwellMinutes: 240 })];
    const events = [
      ...officeDay(SEA1, '2026-11-23', '09:00', '12:59'), // 239 minutes
      ...officeDay(SEA1, '2026-11-24', '09:00', '13:00'), // 240 minutes exactly
      ...officeDay(SEA1, '2026-11-25', '09:00', '17:45'),
    ];
    const r = evaluateWeek({ events, policies }, W48);
    assert.deepEqual(r.presentDays.map((d) => [d.date, d.dwellMinutes]), [['2026-11-24', 240], ['2026-11-25', 525]]);
    // Dwell is from the first to the last event, in and out in several trips.
    const trips = [badge(SEA1, '2026-11-26', '08:00', 'in'), badge(SEA1, '2026-11-26', '09:00', 'out'), badge(SEA1, '2026-11-26', '11:00', 'in'), badge(SEA1, '2026-11-26', '12:30', 'out')];
    assert.deepEqual(evaluateWeek({ events: trips, policies }, W48).presentDays.map((d) => d.dwellMinutes), [270]);
  });

  test('minDwellMinutes counts at one office, not summed across offices', () => {
    // 08:00–10:00 in Seattle, then 14:00–16:00 in New York (11:00–13:00 Seattle time): 2 h at each office,
    // although the first and last event of the day are 5 h apart.
    const events = [...officeDay(SEA1, '2026-11-23', '08:00', '10:00'), ...officeDay(NYC1, '2026-11-23', '14:00', '16:00')];
    assert.deepEqual(presentDates(evaluateWeek({ events, policies: [buildPolicy({ minDwellMinutes: 180 })] }, W48)), []);
  });

  test('singleSwipe with a dwell minimum: a day with no exit counts or is ignored', () => {
    const events = [badge(SEA1, '2026-11-23', '09:00', 'in'), badge(SEA1, '2026-11-24', '09:00', 'in'), badge(SEA1, '2026-11-24', '09:30', 'in')];
    assert.deepEqual(presentDates(evaluateWeek({ events, policies: [buildPolicy({ minDwellMinutes: 240, singleSwipe: 'count' })] }, W48)), ['2026-11-23', '2026-11-24']);
    assert.deepEqual(presentDates(evaluateWeek({ events, policies: [buildPolicy({ minDwellMinutes: 240, singleSwipe: 'ignore' })] }, W48)), []);
    // singleSwipe does not matter without a dwell minimum.
    assert.deepEqual(presentDates(evaluateWeek({ events, policies: [buildPolicy({ singleSwipe: 'ignore' })] }, W48)), ['2026-11-23', '2026-11-24']);
    // An exit with too short a dwell is not rescued by singleSwipe count.
    const short = officeDay(SEA1, '2026-11-25', '09:00', '10:00');
    assert.deepEqual(presentDates(evaluateWeek({ events: short, policies: [buildPolicy({ minDwellMinutes: 240, singleSwipe: 'count' })] }, W48)), []);
  });

  test('a day with only an `out` event is not present', () => {
    const outs = [badge(SEA1, '2026-11-23', '17:00', 'out'), badge(SEA1, '2026-11-24', '12:00', 'out'), badge(SEA1, '2026-11-24', '17:00', 'out')];
    assert.deepEqual(presentDates(evaluateWeek({ events: outs }, W48)), []);
    assert.deepEqual(presentDates(evaluateWeek({ events: outs, policies: [buildPolicy({ minDwellMinutes: 60 })] }, W48)), []);
  });

  test('events without direction: each is a badge-in; with a dwell minimum, a second one is the exit', () => {
    const none = (d: string, t: string) => badge(SEA1, d, t, null);
    const events = [none('2026-11-23', '09:00'), none('2026-11-24', '09:00'), none('2026-11-24', '17:00'), none('2026-11-25', '09:00'), none('2026-11-25', '10:00')];
    assert.deepEqual(presentDates(evaluateWeek({ events }, W48)), ['2026-11-23', '2026-11-24', '2026-11-25']);
    const dwell = (singleSwipe: string) => presentDates(evaluateWeek({ events, policies: [buildPolicy({ minDwellMinutes: 240, singleSwipe })] }, W48));
    assert.deepEqual(dwell('count'), ['2026-11-23', '2026-11-24']); // single event counts; 1 h is too short
    assert.deepEqual(dwell('ignore'), ['2026-11-24']);
  });

  test('several offices on one day are one present day (the longest dwell is reported)', () => {
    const events = [...officeDay(SEA1, '2026-11-23', '08:00', '10:00'), ...officeDay(NYC1, '2026-11-23', '12:00', '18:00'), ...ins(LON1, '2026-11-23')];
    const r = evaluateWeek({ events }, W48);
    assert.equal(r.present, 1);
    assert.deepEqual(r.presentDays.map((d) => [d.date, d.officeId, d.source, d.dwellMinutes]), [['2026-11-23', 'NYC1', 'badge', 360]]);
  });

  test('an approved attestation is a present day; it does not double a badged day', () => {
    const r = evaluateWeek({ events: ins(SEA1, '2026-11-23'), attestations: [buildAttestation('2026-11-23'), buildAttestation('2026-11-24'), buildAttestation('2026-11-30')] }, W48);
    assert.equal(r.present, 2);
    assert.deepEqual(r.presentDays.map((d) => [d.date, d.source]), [['2026-11-23', 'badge'], ['2026-11-24', 'attestation']]);
    // An attestation at another office counts even with countOffices home (rule 2: "or an approved attestation").
    const home = evaluateWeek({ attestations: [buildAttestation('2026-11-24', 'LON1')], policies: [buildPolicy({ countOffices: 'home' })] }, W48);
    assert.deepEqual(presentDates(home), ['2026-11-24']);
  });

  test('the JSON shape of a badge present day: date, office, source, dwell', () => {
    const r = evaluateWeek({ events: officeDay(SEA1, '2026-11-24', '08:45', '16:30') }, W48);
    const [d] = r.presentDays;
    assert.deepEqual({ date: d!.date, officeId: d!.officeId, source: d!.source, dwellMinutes: d!.dwellMinutes }, { date: '2026-11-24', officeId: 'SEA1', source: 'badge', dwellMinutes: 465 });
  });
});

describe('presence helpers', () => {
  test('normaliseEvents: sorted by instant, one event per id', () => {
    const a = badge(SEA1, '2026-11-23', '09:00', 'in', 'a');
    const b = badge(SEA1, '2026-11-23', '17:00', 'out', 'b');
    const out = normaliseEvents([b, a, { ...a }, b]);
    assert.deepEqual(out.map((e) => e.eventId), ['a', 'b']);
  });

  test('badgePresenceDays keeps only the requested day range', () => {
    const offices = new Map(STANDARD_OFFICES.map((o) => [o.officeId, o]));
    const events: BadgeEvent[] = normaliseEvents([...ins(SEA1, '2026-11-22', '2026-11-23', '2026-11-30'), ...ins(TLV1, '2026-11-29')]);
    const p = { dayStartsAtMinutes: 240, countOffices: 'any' as const, minDwellMinutes: 0, singleSwipe: 'count' as const };
    const days = badgePresenceDays(events, offices, 'SEA1', p, dayNumber(date('2026-11-23')), dayNumber(date('2026-11-29')));
    assert.deepEqual(days.map((d) => d.date), ['2026-11-23', '2026-11-29']);
  });
});
