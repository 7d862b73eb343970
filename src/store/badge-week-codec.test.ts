/** The compact badge-week text: round trips, the stored order, and the duplicate rule. */
import assert from 'node:assert/strict';
import test from 'node:test';
import fc from 'fast-check';
import { compareEvents, decodeWeek, encodeWeek, mergeWeek, utcWeekOf, DAY_MS, type StoredEvent } from './badge-week-codec.js';
import { BadgeWeekBuffer } from '../import/badge-buffer.js';
import type { BadgeBatch } from '../import/badge-batches.js';
import { eventIdOf, keptEvents, writeFreshWeekRow } from './badge-week-groups.js';
import { writeWeekRow } from './badge.repository.js';
import { CsvBytes } from './csv-bytes.js';
import { csvField } from './csv-text.js';
import { fromDayNumber } from '../engine/dates.js';

const WEEK = utcWeekOf(Date.UTC(2026, 10, 24)); // 2026-11-23, a Monday
// Ids: any text without control characters (the import refuses those), commas and quotes included.
const idArb = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !/[\u0000-\u001f\u007f-\u009f]/.test(s));
const eventArb = fc.record({
  eventId: idArb,
  officeId: idArb,
  at: fc.integer({ min: 0, max: 7 * DAY_MS - 1 }).map((o) => WEEK * DAY_MS + o),
  direction: fc.constantFrom('in' as const, 'out' as const, null),
}).map((e): StoredEvent => ({ eventId: e.eventId, officeId: e.officeId, at: e.at, direction: e.direction }));

test('utcWeekOf: the Monday of the UTC ISO week, for instants before and after 1970', () => {
  assert.equal(utcWeekOf(Date.UTC(2026, 10, 23)), Date.UTC(2026, 10, 23) / DAY_MS);
  assert.equal(utcWeekOf(Date.UTC(2026, 10, 29, 23, 59, 59, 999)), Date.UTC(2026, 10, 23) / DAY_MS);
  assert.equal(utcWeekOf(Date.UTC(2026, 10, 30)), Date.UTC(2026, 10, 30) / DAY_MS);
  assert.equal(utcWeekOf(0), Date.UTC(1969, 11, 29) / DAY_MS);
  assert.equal(utcWeekOf(-1), Date.UTC(1969, 11, 29) / DAY_MS);
  fc.assert(fc.property(fc.integer({ min: -1e12, max: 4e12 }), (ms) => {
    const monday = utcWeekOf(ms);
    assert.equal(new Date(monday * DAY_MS).getUTCDay(), 1);
    assert.ok(monday * DAY_MS <= ms && ms < (monday + 7) * DAY_MS);
  }));
});

test('a week decodes to exactly what was encoded, awkward ids included', () => {
  fc.assert(fc.property(fc.array(eventArb, { maxLength: 30 }), (raw) => {
    const { events } = mergeWeek([], raw);
    const text = encodeWeek(WEEK, events);
    assert.deepEqual(decodeWeek(WEEK, text), events);
  }));
});

test('mergeWeek: one event per id, the first (stored, then in file order) wins; the result is sorted', () => {
  fc.assert(fc.property(fc.array(eventArb, { maxLength: 20 }), fc.array(eventArb, { maxLength: 20 }), (a, b) => {
    const stored = mergeWeek([], a).events;
    const { events, fresh } = mergeWeek(stored, b);
    const ids = events.map((e) => e.eventId);
    assert.equal(new Set(ids).size, ids.length);
    for (const s of stored) assert.ok(events.includes(s), 'stored events are kept as they are');
    const firstOf = new Map<string, StoredEvent>();
    for (const e of [...stored, ...b]) if (!firstOf.has(e.eventId)) firstOf.set(e.eventId, e);
    assert.deepEqual(new Set(events), new Set(firstOf.values()));
    assert.deepEqual(new Set(fresh), new Set(b.filter((e) => firstOf.get(e.eventId) === e)));
    for (let i = 1; i < events.length; i++) assert.ok(compareEvents(events[i - 1]!, events[i]!) <= 0);
  }));
});

/** A parser batch (columns) of events of employees E1..E4 at office SEA1 or NYC1. */
function batchOf(rows: ReadonlyArray<{ emp: number; at: number; id: string; office?: number; dir?: number }>): BadgeBatch {
  return {
    rows: rows.length, count: rows.length,
    employee: Int32Array.from(rows.map((r) => r.emp)), office: Int32Array.from(rows.map((r) => r.office ?? 0)),
    at: Float64Array.from(rows.map((r) => r.at)), dir: Uint8Array.from(rows.map((r) => r.dir ?? 0)),
    eventIds: rows.map((r) => r.id).join('\n'), problems: [],
  };
}
const EMPLOYEES = ['E1', 'E2', 'E3', 'E4'];
const OFFICES = ['SEA1', 'NYC1'];

test('BadgeWeekBuffer hands out every event once, grouped by employee and UTC week in file order, whatever the order', () => {
  fc.assert(fc.property(
    fc.array(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 40 * DAY_MS })), { maxLength: 30 }), { maxLength: 8 }),
    fc.integer({ min: 1, max: 30 }),
    (batches, limit) => {
      const buffer = new BadgeWeekBuffer(limit, EMPLOYEES, OFFICES);
      const out: string[] = [];
      const take = (all: boolean) => {
        const g = buffer.take(all);
        const pairs = new Set<string>();
        for (let k = 0; k < g.count; k++) {
          const pair = `${g.employee[k]}:${g.week[k]}`;
          assert.ok(!pairs.has(pair), 'one group per employee and week');
          pairs.add(pair);
          let last = -1;
          for (let i = g.start[k]!; i < g.start[k + 1]!; i++) {
            assert.equal(utcWeekOf(g.at[i]!), g.week[k]);
            const seq = Number(eventIdOf(g, i).slice(1));
            assert.ok(seq > last, 'file order within a week');
            last = seq;
            out.push(`${EMPLOYEES[g.employee[k]!]}:${eventIdOf(g, i)}`);
          }
        }
      };
      let seq = 0;
      const expected: string[] = [];
      for (const rows of batches) {
        buffer.addBatch(batchOf(rows.map(([emp, at]) => {
          const id = `b${seq++}`;
          expected.push(`${EMPLOYEES[emp]}:${id}`);
          return { emp, at, id };
        })));
        if (buffer.full) take(false);
      }
      take(true);
      assert.equal(buffer.size, 0);
      assert.deepEqual(out.sort(), expected.sort());
    },
  ));
});

test('property: a fresh week written from the columns is writeWeekRow of mergeWeek of its events', () => {
  const idWithEdges = fc.oneof(idArb, idArb.map((s) => `${s} `), idArb.map((s) => `${s},x`), idArb.map((s) => `"${s}`), fc.constantFrom('a', 'b', 'a ', 'é', '"'));
  const rowArb = fc.record({
    at: fc.integer({ min: 0, max: 7 * DAY_MS - 1 }).map((o) => WEEK * DAY_MS + (o % 5 === 0 ? 0 : o)),
    id: idWithEdges, office: fc.integer({ min: 0, max: 1 }), dir: fc.integer({ min: 0, max: 2 }),
  });
  fc.assert(fc.property(fc.array(rowArb, { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 3 }), (rows, emp) => {
    const buffer = new BadgeWeekBuffer(1_000, EMPLOYEES, OFFICES);
    buffer.addBatch(batchOf(rows.map((r) => ({ ...r, emp }))));
    const g = buffer.take(true);
    assert.equal(g.count, 1);
    const kept: number[] = [];
    keptEvents(g, 0, kept);
    const out = new CsvBytes(8);
    writeFreshWeekRow(out, g, 0, kept);
    const events = rows.map((r): StoredEvent => ({ eventId: r.id, officeId: OFFICES[r.office]!, at: r.at, direction: ([null, 'in', 'out'] as const)[r.dir]! }));
    const expected = new CsvBytes(8);
    writeWeekRow(expected, { employeeId: EMPLOYEES[emp]!, week: WEEK, events: mergeWeek([], events).events });
    assert.equal(out.takeText(), expected.takeText());
  }), { numRuns: 2000 });
});

test('property: a badge_week row written as bytes is the csvField text of encodeWeek', async () => {
  const { writeWeekRow } = await import('./badge.repository.js');
  const { CsvBytes } = await import('./csv-bytes.js');
  const { csvField } = await import('./csv-text.js');
  const { fromDayNumber } = await import('../engine/dates.js');
  fc.assert(fc.property(idArb, fc.array(eventArb, { maxLength: 8 }), (employeeId: string, events: StoredEvent[]) => {
    const out = new CsvBytes(8);
    writeWeekRow(out, { employeeId, week: WEEK, events });
    const expected = `${csvField(employeeId)},${fromDayNumber(WEEK)},${events.length},${csvField(encodeWeek(WEEK, events))}\n`;
    assert.equal(out.takeText(), expected);
  }), { numRuns: 1000 });
});

test('mergeWeek of a fresh week, small or large, keeps the first of each id in file order, sorted', () => {
  const repeatedArb = fc.record({ e: eventArb, id: fc.constantFrom('a', 'b', 'c', 'a ', 'b,c', '"d"') }).map(({ e, id }): StoredEvent => ({ ...e, eventId: id }));
  fc.assert(fc.property(fc.array(fc.oneof(eventArb, repeatedArb), { maxLength: 60 }), fc.boolean(), (raw, inOrder) => {
    const incoming = inOrder ? [...raw].sort((x, y) => x.at - y.at) : raw;
    const first = new Map<string, StoredEvent>();
    for (const e of incoming) if (!first.has(e.eventId)) first.set(e.eventId, e);
    const expected = [...first.values()];
    const { events, fresh } = mergeWeek([], incoming);
    assert.deepEqual(fresh, expected);
    assert.deepEqual(events, [...expected].sort(compareEvents));
  }));
});

test('writeWeekRow writes the CSV line of (employee, week, count, encodeWeek), quoting the text only when an id needs it', () => {
  const idWithEdges = fc.oneof(idArb, idArb.map((s) => `${s} `), idArb.map((s) => `${s},x`), idArb.map((s) => `"${s}`));
  const awkwardArb = fc.record({ e: eventArb, id: idWithEdges, office: fc.oneof(idArb, idWithEdges) })
    .map(({ e, id, office }): StoredEvent => ({ ...e, eventId: id, officeId: office }));
  fc.assert(fc.property(fc.array(fc.oneof(eventArb, awkwardArb), { maxLength: 12 }), fc.oneof(idArb, idWithEdges), (raw, employeeId) => {
    const events = mergeWeek([], raw).events;
    const out = new CsvBytes(16);
    out.raw('x,');
    writeWeekRow(out, { employeeId, week: WEEK, events });
    const expected = `x,${[csvField(employeeId), fromDayNumber(WEEK), String(events.length), csvField(encodeWeek(WEEK, events))].join(',')}\n`;
    assert.equal(out.takeText(), expected);
  }));
});
