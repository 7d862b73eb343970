/**
 * Weekly records through their storage (migration 10): what writeWeeklyTuple writes into
 * weekly_record is what readers get back through the weekly_compliance view, field for field,
 * whatever the record and whatever the record written before it (the writer reuses the bytes of
 * the facts a record shares with the one before).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { forEachStore } from '../testing/stores.js';
import { migrate } from './migrate.js';
import type { Db } from './db.js';
import { CsvBytes } from './csv-bytes.js';
import { ensureWeekPartitions, readWeeklyRecords, RECORD_COLUMNS, writeWeeklyTuple } from './compliance.repository.js';
import { isoWeekOf, type LocalDate } from '../engine/dates.js';
import type { WeeklyFacts, WeekReason, WeekStatus } from '../engine/types.js';

const MONDAYS = ['2026-11-02', '2026-11-09', '2026-11-16'] as LocalDate[];
const DATES = ['2026-11-03', '2026-11-04', '2026-11-17'] as LocalDate[];
/** Text a person or HR may write (names), control characters and U+001D included: JSON escapes them. */
const text = fc.string({ maxLength: 12, unit: fc.constantFrom('a', 'é', ' ', '"', '\\', '\u001d', '\u001e', '\n', '名') });
/** Ids hold no control character (the import refuses them). */
const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/);
const small = fc.integer({ min: 0, max: 14 });

const OUTCOMES: ReadonlyArray<[WeekStatus, WeekReason]> = [
  ['compliant', 'requirement_met'], ['non_compliant', 'below_requirement'], ['non_compliant', 'anchor_day_missed'],
  ['exempt', 'remote_arrangement'], ['exempt', 'office_not_ready'], ['exempt', 'exception_exempt'], ['not_employed', 'not_employed'],
  ['grace', 'hire_grace'], ['excused', 'nothing_required'], ['no_policy', 'no_matching_policy'],
];

const factsArb = fc.record({
  week: fc.integer({ min: 0, max: MONDAYS.length - 1 }),
  outcome: fc.constantFrom(...OUTCOMES),
  // Few offices, policies and week lengths, so that records often share some of the facts the
  // writer reuses from the record before, and differ in others.
  policy: fc.option(fc.record({ id: fc.constantFrom('rto', 'sales'), version: fc.constantFrom(1, 12) })),
  numbers: fc.tuple(small, small, small, fc.constantFrom(5, 7), fc.constantFrom(3, 10), small),
  rule: fc.option(fc.constantFrom('proportional' as const, 'cap' as const, 'subtract' as const)),
  homeOfficeId: fc.constantFrom('NYC1', 'SEA1'),
  presentDays: fc.array(fc.record({
    date: fc.constantFrom(...DATES), officeId: id, source: fc.constantFrom('badge' as const, 'attestation' as const, 'travel' as const),
    dwellMinutes: fc.option(small), firstAt: fc.option(fc.integer({ min: 1e12, max: 2e12 })), lastAt: fc.option(fc.integer({ min: 1e12, max: 2e12 })),
    reference: fc.option(id, { nil: undefined }),
  }), { maxLength: 3 }),
  excusedDays: fc.array(fc.record({ date: fc.constantFrom(...DATES), reason: fc.constantFrom('holiday' as const, 'leave' as const), name: text }), { maxLength: 2 }),
  anchors: fc.array(fc.record({ day: fc.constantFrom('Tue' as const, 'Wed' as const), date: fc.constantFrom(...DATES), state: fc.constantFrom('present' as const, 'missed' as const) }), { maxLength: 2 }),
  exception: fc.option(fc.record({ exceptionId: id, kind: text, startDate: fc.constantFrom(...DATES), endDate: fc.constantFrom(...DATES), effect: fc.constantFrom('exempt' as const, 'reduced' as const), daysPerWeek: fc.option(small) })),
  dates: fc.tuple(fc.constantFrom(...DATES), fc.constantFrom(...DATES)),
});

/** A record as the engine makes it: the facts extraOf keeps for its status, and no others. */
function factsOf(employeeId: string, g: typeof factsArb extends fc.Arbitrary<infer T> ? T : never): WeeklyFacts {
  const [status, reason] = g.outcome;
  const [required, present, available, weekLength, policyDaysPerWeek, daysPerWeek] = g.numbers;
  const weekStart = MONDAYS[g.week]!;
  return {
    employeeId, week: isoWeekOf(weekStart), weekStart, policy: g.policy && { ...g.policy }, status, reason, required, present, available, weekLength, policyDaysPerWeek, daysPerWeek,
    rule: g.rule, homeOfficeId: g.homeOfficeId,
    presentDays: g.presentDays.map(({ reference, ...d }) => (reference === undefined ? d : { ...d, reference })),
    // Plain objects (fast-check's records have no prototype), as the engine's are.
    excusedDays: g.excusedDays.map((d) => ({ ...d })), anchors: g.anchors.map((a) => ({ ...a })), exception: g.exception && { ...g.exception },
    hireDate: status === 'grace' || status === 'not_employed' ? g.dates[0] : null,
    terminationDate: status === 'not_employed' ? g.dates[1] : null,
    graceUntil: status === 'grace' ? g.dates[1] : null,
    readyFrom: reason === 'office_not_ready' ? g.dates[0] : null,
  };
}

/** Writes the records into weekly_record (emptied first) and reads them back through the view, without their explanations. */
async function roundTrip(db: Db, records: readonly WeeklyFacts[]): Promise<WeeklyFacts[]> {
  const w = new CsvBytes();
  for (const f of records) writeWeeklyTuple(w, f);
  await db.exec('DELETE FROM weekly_record');
  assert.equal(await db.copyFrom('weekly_record', RECORD_COLUMNS, [w.take()], 'binary'), records.length);
  const read = await readWeeklyRecords(db, [...new Set(records.map((f) => f.employeeId))], MONDAYS[0]!, MONDAYS[MONDAYS.length - 1]!);
  return records.map((f) => {
    const { explanation: _explanation, ...back } = read.get(f.employeeId)!.get(f.weekStart)!;
    return back;
  });
}

forEachStore('property: a weekly record reads back through weekly_compliance as written, whatever the record before it', async (_t, db) => {
  await migrate(db);
  await ensureWeekPartitions(db, MONDAYS);
  await fc.assert(fc.asyncProperty(fc.array(factsArb, { minLength: 1, maxLength: 8 }), async (gs) => {
    // Several records of one employee (consecutive weeks share their facts), and of others.
    const records = gs.map((g, i) => factsOf(`E${Math.floor(i / MONDAYS.length)}`, { ...g, week: i % MONDAYS.length }));
    assert.deepEqual(await roundTrip(db, records), records);
  }), { numRuns: 60 });
});

forEachStore('a record that differs from the one before in one fact of its office or policy is written with its own', async (_t, db) => {
  await migrate(db);
  await ensureWeekPartitions(db, MONDAYS);
  const base: WeeklyFacts = {
    employeeId: 'E1', week: isoWeekOf(MONDAYS[0]!), weekStart: MONDAYS[0]!, policy: { id: 'rto', version: 1 }, status: 'compliant', reason: 'requirement_met',
    required: 3, present: 3, available: 5, weekLength: 5, policyDaysPerWeek: 3, daysPerWeek: 3, rule: 'proportional', homeOfficeId: 'NYC1',
    presentDays: [], excusedDays: [], anchors: [], exception: null, hireDate: null, terminationDate: null, graceUntil: null, readyFrom: null,
  };
  const variants: Partial<WeeklyFacts>[] = [
    { homeOfficeId: 'SEA1' }, { policy: { id: 'sales', version: 1 } }, { policy: { id: 'rto', version: 12 } }, { policy: null, status: 'no_policy', reason: 'no_matching_policy' },
    { weekLength: 7 }, { policyDaysPerWeek: 10 }, { rule: 'cap' }, { rule: null },
  ];
  // Each variant right after the base record (the employee's week before).
  const records = variants.flatMap((v, i) => [
    { ...base, employeeId: `E${i}` },
    { ...base, ...v, employeeId: `E${i}`, weekStart: MONDAYS[1]!, week: isoWeekOf(MONDAYS[1]!) },
  ]);
  assert.deepEqual(await roundTrip(db, records), records);
});
