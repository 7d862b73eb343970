/**
 * Properties of the weekly evaluation over random employees, weeks, badge
 * events, leave, holidays, exceptions, relocations and policies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { evaluateEmployee, type Context, type EmployeeInput } from './compliance.js';
import { addDays, dayNumber, type LocalDate, WEEKDAY_NAMES } from './dates.js';
import { instantOfWallTime } from './time-zone.js';
import { badgePresenceDays } from './presence.js';
import { WEEK_STATUSES, type Arrangement, type BadgeEvent, type Direction, type ExceptionGrant, type Office, type Policy, type WeeklyRecord } from './types.js';
import {
  LON1, NYC1, SEA1, TLV1, TYO1, buildEmployee, buildOffice, buildPolicy, date,
} from './test-factories.js';

const RUNS = 200;

/** Mondays of interesting weeks: DST changes in Los Angeles and London, Thanksgiving, week 53, a plain summer week. */
const STARTS = ['2026-03-02', '2026-03-23', '2026-10-19', '2026-10-26', '2026-11-16', '2026-12-21', '2027-06-07'].map(date);
const WEEKS = 3;

const arbOfficeIndex = fc.integer({ min: 0, max: 5 });
function officesFor(start: LocalDate): Office[] {
  // The sixth office opens mid-window.
  return [SEA1, LON1, TLV1, TYO1, NYC1, buildOffice({ officeId: 'NEW', timezone: 'Europe/Berlin', country: 'DE', readyFrom: addDays(start, 10) })];
}

const arbEvent = fc.record({
  office: arbOfficeIndex,
  day: fc.integer({ min: -2, max: 7 * WEEKS + 1 }),
  minutes: fc.integer({ min: 0, max: 1439 }),
  direction: fc.constantFrom<Direction>('in', 'in', 'out', null),
  id: fc.integer({ min: 0, max: 80 }),
});
const arbLeave = fc.record({
  start: fc.integer({ min: -3, max: 7 * WEEKS }),
  length: fc.integer({ min: 0, max: 8 }),
  kind: fc.constantFrom('pto', 'sick', 'business_travel', 'parental'),
  status: fc.constantFrom('approved' as const, 'approved' as const, 'pending' as const, 'cancelled' as const),
});
const arbException = fc.record({
  start: fc.integer({ min: -10, max: 7 * WEEKS }),
  length: fc.integer({ min: 0, max: 20 }),
  effect: fc.constantFrom('exempt' as const, 'reduced' as const),
  daysPerWeek: fc.integer({ min: 0, max: 7 }),
});
const arbPolicy = fc.record({
  id: fc.constantFrom('a', 'b', 'c'),
  version: fc.integer({ min: 1, max: 3 }),
  from: fc.oneof(fc.constant(-400), fc.integer({ min: -30, max: 14 })),
  to: fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 30 }) }),
  daysPerWeek: fc.integer({ min: 0, max: 5 }),
  dayStartsAt: fc.constantFrom('00:00', '04:00', '04:00', '06:00', '23:30'),
  countOffices: fc.constantFrom('any', 'home'),
  minDwellMinutes: fc.constantFrom(0, 0, 60, 240),
  singleSwipe: fc.constantFrom('count', 'ignore'),
  holidayRule: fc.constantFrom('proportional', 'cap', 'subtract'),
  travelCounts: fc.constantFrom('present', 'excused'),
  anchorDays: fc.subarray([...WEEKDAY_NAMES], { maxLength: 2 }),
  graceDays: fc.constantFrom(0, 14, 30),
  orgs: fc.constantFrom<string[][]>([], [], [], ['eng'], ['sales']),
  arrangements: fc.constantFrom<Arrangement[][]>([], [], [], ['office', 'hybrid'], ['remote']),
});

const arbScenario = fc.record({
  start: fc.constantFrom(...STARTS),
  home: arbOfficeIndex,
  arrangement: fc.constantFrom<Arrangement>('office', 'hybrid', 'hybrid', 'remote'),
  org: fc.constantFrom('eng', 'eng', 'sales', null),
  hire: fc.oneof({ weight: 3, arbitrary: fc.constant(-400) }, { weight: 2, arbitrary: fc.integer({ min: -30, max: 7 * WEEKS + 2 }) }),
  termination: fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.integer({ min: -10, max: 7 * WEEKS + 10 }) }),
  events: fc.array(arbEvent, { maxLength: 30 }),
  // Ordinary office days at the home office: an entry and (usually) an exit.
  homeDays: fc.array(
    fc.record({ day: fc.integer({ min: 0, max: 7 * WEEKS - 1 }), start: fc.integer({ min: 7 * 60, max: 10 * 60 }), stay: fc.integer({ min: 0, max: 10 * 60 }), exit: fc.boolean() }),
    { maxLength: 15 },
  ),
  leave: fc.array(arbLeave, { maxLength: 3 }),
  holidays: fc.array(fc.record({ office: arbOfficeIndex, day: fc.integer({ min: 0, max: 7 * WEEKS }) }), { maxLength: 4 }),
  attestations: fc.array(fc.record({ office: arbOfficeIndex, day: fc.integer({ min: -1, max: 7 * WEEKS }) }), { maxLength: 2 }),
  exceptions: fc.array(arbException, { maxLength: 2 }),
  relocation: fc.oneof(
    { weight: 3, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.record({ target: arbOfficeIndex, deadline: fc.integer({ min: -7, max: 7 * WEEKS }), status: fc.constantFrom('assigned' as const, 'declined' as const, 'cancelled' as const) }) },
  ),
  policies: fc.array(arbPolicy, { minLength: 1, maxLength: 3 }),
});
type Generated = typeof arbScenario extends fc.Arbitrary<infer T> ? T : never;

interface Case {
  input: EmployeeInput;
  ctx: Context;
  mondays: LocalDate[];
  offices: Office[];
  start: LocalDate;
}

function materialise(g: Generated, patchPolicy: (p: Record<string, unknown>) => Record<string, unknown> = (p) => p): Case {
  const offices = officesFor(g.start);
  const at = (n: number) => addDays(g.start, n);
  const hireDate = at(g.hire);
  const termination = g.termination === null || at(g.termination) < hireDate ? null : at(g.termination);
  const employee = buildEmployee({ homeOfficeId: offices[g.home]!.officeId, arrangement: g.arrangement, org: g.org, hireDate, terminationDate: termination });
  const events: BadgeEvent[] = g.events.map((e) => {
    const office = offices[e.office]!;
    return { eventId: `e${e.id}`, officeId: office.officeId, at: instantOfWallTime(office.timezone, at(e.day), e.minutes), direction: e.direction };
  });
  const home = offices[g.home]!;
  g.homeDays.forEach((h, i) => {
    events.push({ eventId: `h${i}-in`, officeId: home.officeId, at: instantOfWallTime(home.timezone, at(h.day), h.start), direction: 'in' });
    if (h.exit) events.push({ eventId: `h${i}-out`, officeId: home.officeId, at: instantOfWallTime(home.timezone, at(h.day), h.start + h.stay), direction: 'out' });
  });
  const holidaySet = new Set(g.holidays.map((h) => `${offices[h.office]!.officeId} ${at(h.day)}`));
  // Keep one version per id and version number, as a store does.
  const seen = new Set<string>();
  const policies: Policy[] = [];
  for (const p of g.policies) {
    const key = `${p.id}@${p.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const doc: Record<string, unknown> = {
      id: p.id, effectiveFrom: at(p.from), daysPerWeek: p.daysPerWeek, dayStartsAt: p.dayStartsAt, countOffices: p.countOffices,
      minDwellMinutes: p.minDwellMinutes, singleSwipe: p.singleSwipe, holidayRule: p.holidayRule, travelCounts: p.travelCounts,
      anchorDays: p.anchorDays, graceDays: p.graceDays, scope: { orgs: p.orgs, arrangements: p.arrangements },
    };
    if (p.to !== null && p.to >= p.from) doc.effectiveTo = at(p.to);
    policies.push(buildPolicy(patchPolicy(doc), p.version));
  }
  const input: EmployeeInput = {
    employee,
    events,
    leave: g.leave.map((l) => ({ startDate: at(l.start), endDate: at(l.start + l.length), kind: l.kind, status: l.status })),
    attestations: g.attestations.map((a, i) => ({ date: at(a.day), officeId: offices[a.office]!.officeId, reference: `D${i}` })),
    exceptions: g.exceptions.map((x, i) => toException(x, g.start, `X${i}`)),
    relocation: g.relocation && { targetOfficeId: offices[g.relocation.target]!.officeId, deadline: at(g.relocation.deadline), status: g.relocation.status },
  };
  const ctx: Context = {
    offices: new Map(offices.map((o) => [o.officeId, o])),
    policies,
    holidays: (officeId, d) => (holidaySet.has(`${officeId} ${d}`) ? `Holiday ${d}` : null),
  };
  const mondays = Array.from({ length: WEEKS }, (_, i) => addDays(g.start, 7 * i));
  return { input, ctx, mondays, offices, start: g.start };
}

function toException(x: { start: number; length: number; effect: 'exempt' | 'reduced'; daysPerWeek: number }, start: LocalDate, id: string): ExceptionGrant {
  return {
    exceptionId: id, kind: x.effect === 'exempt' ? 'accommodation' : 'temporary', startDate: addDays(start, x.start), endDate: addDays(start, x.start + x.length),
    effect: x.effect, daysPerWeek: x.effect === 'reduced' ? x.daysPerWeek : null,
  };
}

const run = (c: Case) => evaluateEmployee(c.input, c.ctx, c.mondays);

test('(a) shuffling the events does not change the result', () => {
  fc.assert(
    fc.property(arbScenario, fc.array(fc.integer(), { minLength: 64, maxLength: 64 }), fc.boolean(), (g, keys, reverse) => {
      const c = materialise(g);
      const ev = c.input.events;
      const order = ev.map((_, i) => i).sort((x, y) => keys[x % 64]! - keys[y % 64]! || (reverse ? y - x : x - y));
      const shuffled: Case = { ...c, input: { ...c.input, events: order.map((i) => ev[i]!) } };
      assert.deepEqual(run(shuffled), run(c));
    }),
    { numRuns: RUNS },
  );
});

test('(b) repeating events (the same eventId) does not change the result', () => {
  fc.assert(
    fc.property(arbScenario, fc.array(fc.nat(), { minLength: 1, maxLength: 20 }), (g, picks) => {
      const c = materialise(g);
      const ev = c.input.events;
      const repeats = ev.length === 0 ? [] : picks.map((p) => ({ ...ev[p % ev.length]! }));
      const doubled: Case = { ...c, input: { ...c.input, events: [...repeats, ...ev, ...repeats] } };
      assert.deepEqual(run(doubled), run(c));
    }),
    { numRuns: RUNS },
  );
});

test('(c) one more qualifying office day never lowers present nor turns a compliant week non_compliant', () => {
  fc.assert(
    fc.property(arbScenario, fc.integer({ min: 0, max: WEEKS - 1 }), fc.nat(), fc.integer({ min: 0, max: 3 * 60 }), (g, week, dayPick, late) => {
      const c = materialise(g, (p) => ({ ...p, minDwellMinutes: 0 }));
      const before = run(c).weeks;
      const rec = before[week]!;
      const home = c.offices.find((o) => o.officeId === rec.homeOfficeId)!;
      const wd = home.workWeek[dayPick % home.workWeek.length]!;
      const day = addDays(rec.weekStart, wd - 1);
      const added: BadgeEvent = { eventId: 'added', officeId: home.officeId, at: instantOfWallTime(home.timezone, day, 9 * 60 + late), direction: 'in' };
      const after = run({ ...c, input: { ...c.input, events: [...c.input.events, added] } }).weeks;
      for (let i = 0; i < WEEKS; i++) {
        const b = before[i]!;
        const a = after[i]!;
        assert.ok(a.present >= b.present, `${b.week}: present ${b.present} → ${a.present}`);
        assert.equal(a.required, b.required);
        if (b.status === 'compliant') assert.equal(a.status, 'compliant', `${b.week}: ${b.explanation} → ${a.explanation}`);
        if (b.status !== 'compliant' && b.status !== 'non_compliant') assert.equal(a.status, b.status);
      }
      // With days starting at or before 09:00 the added day is present in its week.
      const p = c.ctx.policies.length === 0 ? null : rec.policy;
      if (p !== null && rec.status !== 'not_employed') {
        const policy = c.ctx.policies.find((x) => x.id === p.id && x.version === p.version)!;
        if (policy.dayStartsAtMinutes <= 9 * 60) assert.ok(after[week]!.presentDays.some((d) => d.date === day), `${day} present`);
      }
    }),
    { numRuns: RUNS },
  );
});

function checkRecord(r: WeeklyRecord, monday: LocalDate) {
  assert.ok(WEEK_STATUSES.includes(r.status), r.status);
  assert.equal(typeof r.explanation, 'string');
  assert.ok(r.explanation.trim().length > 0, `${r.week} ${r.status}: empty explanation`);
  assert.equal(r.weekStart, monday);
  // (d) the requirement
  assert.ok(Number.isInteger(r.required) && r.required >= 0, `required ${r.required}`);
  assert.ok(r.required <= r.available, `required ${r.required} > available ${r.available}`);
  assert.ok(r.available >= 0 && r.available <= r.weekLength, `available ${r.available} of ${r.weekLength}`);
  assert.ok(r.required <= r.daysPerWeek && r.daysPerWeek <= r.policyDaysPerWeek, `required ${r.required}, daysPerWeek ${r.daysPerWeek} of ${r.policyDaysPerWeek}`);
  if (r.policy === null) assert.equal(r.required, 0);
  // Present days: distinct dates inside the week, counted once.
  const dates = r.presentDays.map((d) => d.date);
  assert.equal(new Set(dates).size, dates.length);
  assert.equal(r.present, dates.length);
  for (const d of dates) assert.ok(dayNumber(d) >= dayNumber(monday) && dayNumber(d) <= dayNumber(monday) + 6, d);
  assert.equal(r.excusedDays.length + r.available, r.status === 'not_employed' ? r.excusedDays.length : r.weekLength);
  // Status and reason agree with the counts.
  if (r.status === 'compliant') assert.ok(r.present >= r.required && r.required > 0);
  if (r.status === 'non_compliant') assert.ok(r.required > 0 && (r.present < r.required || r.anchors.some((a) => a.state === 'missed')));
  if (r.status === 'excused') assert.equal(r.required, 0);
}

test('(d) required is between 0 and available, and at most daysPerWeek; (f) every status is one of the seven, with an explanation', () => {
  fc.assert(
    fc.property(arbScenario, (g) => {
      const c = materialise(g);
      const { weeks } = run(c);
      assert.equal(weeks.length, WEEKS);
      weeks.forEach((r, i) => checkRecord(r, c.mondays[i]!));
    }),
    { numRuns: RUNS },
  );
});

test('(e) adding an exempt or reduced exception never turns a compliant week non_compliant', () => {
  fc.assert(
    fc.property(arbScenario, arbException, (g, x) => {
      const c = materialise(g);
      const before = run(c).weeks;
      const extra = toException(x, c.start, 'extra');
      const after = run({ ...c, input: { ...c.input, exceptions: [...c.input.exceptions, extra] } }).weeks;
      for (let i = 0; i < WEEKS; i++) {
        const b = before[i]!;
        const a = after[i]!;
        if (b.status === 'compliant') assert.notEqual(a.status, 'non_compliant', `${b.week}: ${b.explanation} → ${a.explanation}`);
        assert.ok(a.required <= b.required || b.required === 0, `${b.week}: required ${b.required} → ${a.required}`);
        if (b.status === 'not_employed' || b.status === 'no_policy') assert.equal(a.status, b.status);
      }
    }),
    { numRuns: RUNS },
  );
});

test('each week is evaluated on its own: together or one by one, the same records', () => {
  fc.assert(
    fc.property(arbScenario, (g) => {
      const c = materialise(g);
      const together = run(c).weeks;
      const alone = c.mondays.map((m) => evaluateEmployee(c.input, c.ctx, [m]).weeks[0]!);
      assert.deepEqual(alone, together);
    }),
    { numRuns: RUNS },
  );
});

test('the generators reach every status and reason (the properties are not vacuous)', () => {
  const statuses = new Map<string, number>();
  const reasons = new Map<string, number>();
  let presentWeeks = 0;
  for (const g of fc.sample(arbScenario, { numRuns: 1500, seed: 42 })) {
    for (const r of run(materialise(g)).weeks) {
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
      if (r.present > 0) presentWeeks++;
    }
  }
  for (const s of WEEK_STATUSES) assert.ok((statuses.get(s) ?? 0) >= 10, `status ${s}: ${statuses.get(s) ?? 0} (${JSON.stringify([...statuses])})`);
  for (const reason of ['exception_exempt', 'remote_arrangement', 'office_not_ready', 'hire_grace', 'anchor_day_missed', 'below_requirement', 'requirement_met']) {
    assert.ok((reasons.get(reason) ?? 0) >= 5, `reason ${reason}: ${JSON.stringify([...reasons])}`);
  }
  assert.ok(presentWeeks > 300, `weeks with presence: ${presentWeeks}`);
});

/** Offices in the zones furthest from UTC (+14, −12, −11), at a quarter-hour offset, and with a DST change. */
const EDGE_OFFICES: readonly Office[] = [
  buildOffice({ officeId: 'KIR', timezone: 'Pacific/Kiritimati', country: 'KI', subdivision: null }),
  buildOffice({ officeId: 'G12', timezone: 'Etc/GMT+12', country: 'US', subdivision: null }),
  buildOffice({ officeId: 'PPG', timezone: 'Pacific/Pago_Pago', country: 'AS', subdivision: null }),
  buildOffice({ officeId: 'KTM', timezone: 'Asia/Kathmandu', country: 'NP', subdivision: null }),
  buildOffice({ officeId: 'SJS', timezone: 'America/St_Johns', country: 'CA', subdivision: 'NL' }),
];

test('a week reads every event of its badge days, whatever the zone and dayStartsAt (the week\'s event window is wide enough)', () => {
  const start = date('2026-10-26'); // the week after Europe's DST change, the week of North America's
  fc.assert(
    fc.property(
      // Instants within two days of a week boundary (the Mondays at 00:00 UTC of the three weeks around), where a window could fall short.
      fc.array(fc.record({
        office: fc.integer({ min: 0, max: EDGE_OFFICES.length - 1 }),
        minute: fc.tuple(fc.constantFrom(0, 7, 14), fc.integer({ min: -2 * 1440, max: 2 * 1440 })).map(([week, m]) => week * 1440 + m),
      }), { maxLength: 40 }),
      fc.integer({ min: 0, max: 1439 }),
      fc.integer({ min: 0, max: EDGE_OFFICES.length - 1 }),
      (raw, dayStartsAtMinutes, homeIndex) => {
        const events: BadgeEvent[] = raw.map((r, i) => ({ eventId: `e${i}`, officeId: EDGE_OFFICES[r.office]!.officeId, at: (dayNumber(start) * 1440 + r.minute) * 60_000, direction: 'in' }));
        const clock = `${String(Math.floor(dayStartsAtMinutes / 60)).padStart(2, '0')}:${String(dayStartsAtMinutes % 60).padStart(2, '0')}`;
        const policy = buildPolicy({ id: 'p', effectiveFrom: '2020-01-06', dayStartsAt: clock, scope: {} });
        const offices = new Map(EDGE_OFFICES.map((o) => [o.officeId, o]));
        const ctx: Context = { offices, policies: [policy], holidays: () => null };
        const home = EDGE_OFFICES[homeIndex]!;
        const input: EmployeeInput = {
          employee: buildEmployee({ homeOfficeId: home.officeId, hireDate: '2020-01-01' }), events, leave: [], attestations: [], exceptions: [], relocation: null,
        };
        const mondays = [start, addDays(start, 7)];
        const sorted = [...events].sort((a, b) => a.at - b.at || (a.eventId < b.eventId ? -1 : 1));
        for (const w of evaluateEmployee(input, ctx, mondays).weeks) {
          // Every event of the list, not only those of the week's window.
          const all = badgePresenceDays(sorted, offices, home.officeId, policy, dayNumber(w.weekStart), dayNumber(w.weekStart) + 6);
          assert.deepEqual(w.presentDays.map((d) => [d.date, d.officeId, d.firstAt, d.lastAt]), all.map((d) => [d.date, d.officeId, d.firstAt, d.lastAt]));
        }
      },
    ),
    { numRuns: RUNS },
  );
});
