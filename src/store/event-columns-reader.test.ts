/**
 * EventColumnsReader, fed COPY output cut anywhere: what it calls complete (`ready`) never
 * changes afterwards, and once finished each employee's events are exactly that employee's events
 * of the window, in time order. Pure: the bytes are made here with the stored weeks' codec.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EventColumnsReader } from './badge.repository.js';
import { BINARY_COPY_HEADER, BINARY_COPY_TRAILER } from './db.js';
import { DAY_MS, compareEvents, encodeWeek, utcWeekOf, type StoredEvent } from './badge-week-codec.js';

const OFFICES = ['SEA1', 'NYC1', 'L,ON'];
const officeIndex = new Map(OFFICES.map((o, i) => [o, i]));
const MONDAY = 20_454; // 2026-01-05, a Monday (day number)
const DIRS = [null, 'in', 'out'] as const;

/** One binary COPY tuple per stored week: employee_id text, weekDayNumber int4, data text. */
function copyLine(id: string, weekDay: number, events: StoredEvent[]): Buffer {
  const idBytes = Buffer.from(id, 'utf8');
  const data = Buffer.from(encodeWeek(weekDay, [...events].sort(compareEvents)), 'utf8');
  const b = Buffer.alloc(2 + 4 + idBytes.length + 8 + 4 + data.length);
  let p = b.writeInt16BE(3, 0);
  p = b.writeInt32BE(idBytes.length, p);
  p += idBytes.copy(b, p);
  p = b.writeInt32BE(4, p);
  p = b.writeInt32BE(weekDay, p);
  p = b.writeInt32BE(data.length, p);
  data.copy(b, p);
  return b;
}

/** Feeds the tuples, as a whole binary COPY output, to a new reader in pieces of the given sizes; calls `check` after each piece. */
function feed(tuples: Buffer[], cuts: number[], employees: string[], fromMs: number, toMs: number, check: (r: EventColumnsReader) => void = () => undefined): EventColumnsReader {
  const bytes = Buffer.concat([BINARY_COPY_HEADER, ...tuples, BINARY_COPY_TRAILER]);
  const r = new EventColumnsReader(16, employees.length, fromMs, toMs, new Map(employees.map((id, i) => [id, i])), officeIndex);
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const n = Math.max(1, cuts[i % cuts.length]!);
    r.take(bytes.subarray(at, at + n));
    at += n;
    check(r);
  }
  r.finish();
  check(r);
  return r;
}

/** Employee k's events as read: [office, at, dir] in the reader's order. */
function groupOf(r: EventColumnsReader, k: number): number[][] {
  const out: number[][] = [];
  for (let j = r.start[k]!; j < r.start[k + 1]!; j++) out.push([r.office[j]!, r.at[j]!, r.dir[j]!]);
  return out;
}

const arbCompany = fc.array(
  fc.array(fc.record({ week: fc.integer({ min: 0, max: 4 }), minute: fc.integer({ min: 0, max: 7 * 1440 - 1 }), office: fc.integer({ min: 0, max: 2 }), dir: fc.integer({ min: 0, max: 2 }) }), { maxLength: 12 }),
  { minLength: 1, maxLength: 25 },
);
type Company = Array<Array<{ week: number; minute: number; office: number; dir: number }>>;

/** The company's stored weeks as COPY tuples, and each employee's events of [fromMs, toMs) as the reader should end with them. */
function storedCompany(company: Company, employees: string[], fromMs: number, toMs: number): { text: Buffer[]; expected: number[][][] } {
  const text: Buffer[] = [];
  const expected: number[][][] = [];
  company.forEach((raw, k) => {
    const events: StoredEvent[] = raw.map((e, n) => ({
      eventId: `e${n}`, officeId: OFFICES[e.office]!, at: (MONDAY + 7 * e.week) * DAY_MS + e.minute * 60_000, direction: DIRS[e.dir]!,
    }));
    const weeks = [...new Set(events.map((e) => utcWeekOf(e.at)))].sort((a, b) => a - b);
    for (const w of weeks) text.push(copyLine(employees[k]!, w, events.filter((e) => utcWeekOf(e.at) === w)));
    expected.push(events.filter((e) => e.at >= fromMs && e.at < toMs).sort(compareEvents).map((e) => [officeIndex.get(e.officeId)!, e.at, DIRS.indexOf(e.direction)]));
  });
  return { text, expected };
}

test('EventColumnsReader: complete employees stay complete, and end with exactly their events of the window, in time order', () => {
  fc.assert(fc.property(arbCompany, fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 8 }), (company, cuts) => {
    // Ids in byte order, as the read's ORDER BY employee_id (C collation) gives them; one needs quoting.
    const employees = company.map((_, i) => (i === 3 ? `E${String(i).padStart(3, '0')},q` : `E${String(i).padStart(3, '0')}`));
    const fromMs = (MONDAY + 1) * DAY_MS; // leaves out the first Monday
    const toMs = (MONDAY + 30) * DAY_MS;
    const { text, expected } = storedCompany(company, employees, fromMs, toMs);
    const seen = new Map<number, number[][]>();
    const r = feed(text, cuts, employees, fromMs, toMs, (rd) => {
      assert.equal(rd.unordered, false);
      for (let k = 0; k < rd.ready; k++) {
        const g = groupOf(rd, k);
        const before = seen.get(k);
        if (before) assert.deepEqual(g, before, `employee ${k} changed after it was complete`);
        else seen.set(k, g);
      }
    });
    assert.equal(r.ready, employees.length);
    assert.equal(r.finished, true);
    assert.deepEqual(r.unsorted, []);
    for (let k = 0; k < employees.length; k++) assert.deepEqual(groupOf(r, k), expected[k], employees[k]);
    assert.equal(r.count, expected.reduce((n, g) => n + g.length, 0));
  }), { numRuns: 200 });
});

test('EventColumnsReader: an employee whose weeks come out of time order is flagged, and sortGroup puts it in order', () => {
  const ev = (day: number, n: number): StoredEvent => ({ eventId: `e${n}`, officeId: 'SEA1', at: (MONDAY + day) * DAY_MS + n * 60_000, direction: 'in' });
  const text = [copyLine('A', MONDAY, [ev(0, 1)]), copyLine('B', MONDAY + 7, [ev(8, 2)]), copyLine('B', MONDAY, [ev(1, 3), ev(1, 4)]), copyLine('C', MONDAY, [ev(2, 5)])];
  const r = feed(text, [7], ['A', 'B', 'C'], 0, 1e15);
  assert.deepEqual(r.unsorted, [1]);
  r.sortGroup(1);
  assert.deepEqual(groupOf(r, 1).map((e) => e[1]), [ev(1, 3).at, ev(1, 4).at, ev(8, 2).at]);
  assert.deepEqual(groupOf(r, 2).map((e) => e[1]), [ev(2, 5).at]);
});

test('EventColumnsReader: employees out of order stop `ready` (the caller falls back to grouping it all)', () => {
  const ev: StoredEvent = { eventId: 'e', officeId: 'SEA1', at: MONDAY * DAY_MS, direction: 'in' };
  const text = [copyLine('A', MONDAY, [ev]), copyLine('C', MONDAY, [ev]), copyLine('B', MONDAY, [ev]), copyLine('D', MONDAY, [ev])];
  const r = feed(text, [1000], ['A', 'B', 'C', 'D'], 0, 1e15);
  assert.equal(r.unordered, true);
  assert.ok(r.ready <= 2, `ready ${r.ready}`);
  assert.equal(r.count, 4);
});

test('EventColumnsReader: employees with no events in the window are complete, with no events', () => {
  const ev: StoredEvent = { eventId: 'e', officeId: 'SEA1', at: (MONDAY + 2) * DAY_MS, direction: 'out' };
  const text = [copyLine('B', MONDAY, [ev]), copyLine('Z', MONDAY, [ev])];
  const r = feed(text, [3], ['A', 'B', 'C', 'D'], 0, 1e15);
  assert.equal(r.ready, 4);
  assert.deepEqual([...r.start], [0, 0, 1, 1, 1]);
});

test('EventColumnsReader: compacting the employees computed keeps every later employee\'s events, in small columns', () => {
  fc.assert(fc.property(arbCompany, fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 8 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 9 }), (company, cuts, compactions) => {
    const employees = company.map((_, i) => `E${String(i).padStart(3, '0')}`);
    const { text, expected } = storedCompany(company, employees, 0, 1e15);
    // As evaluate does: after each piece, maybe take the complete employees (their groups, read at
    // their positions) and compact them away.
    const taken: number[][][] = [];
    let i = 0;
    const r = feed(text, cuts, employees, 0, 1e15, (rd) => {
      if (!compactions[i++ % compactions.length]) return;
      const upTo = rd.finished ? employees.length : rd.ready;
      for (let k = taken.length; k < upTo; k++) {
        if (rd.unsorted.includes(k)) rd.sortGroup(k);
        const g: number[][] = [];
        for (let j = rd.start[k]! - rd.offset; j < rd.start[k + 1]! - rd.offset; j++) g.push([rd.office[j]!, rd.at[j]!, rd.dir[j]!]);
        taken.push(g);
      }
      rd.compact(taken.length);
      assert.ok(rd.offset <= rd.start[taken.length]!);
      assert.equal(rd.columns().count, rd.count - rd.offset);
    });
    for (let k = taken.length; k < employees.length; k++) {
      if (r.unsorted.includes(k)) r.sortGroup(k);
      const g: number[][] = [];
      for (let j = r.start[k]! - r.offset; j < r.start[k + 1]! - r.offset; j++) g.push([r.office[j]!, r.at[j]!, r.dir[j]!]);
      taken.push(g);
    }
    assert.deepEqual(taken, expected);
    assert.equal(r.count, expected.reduce((n, g) => n + g.length, 0));
  }), { numRuns: 300 });
});

test('EventColumnsReader: output that is not binary COPY (a read asked for in CSV) is refused at its first bytes', () => {
  const r = new EventColumnsReader(16, 1, 0, 1e15, new Map([['A', 0]]), officeIndex);
  assert.throws(() => r.take(Buffer.from('A,20454,0\x1fi\x1fSEA1\x1fe1\n')), /no PGCOPY signature/);
  const cut = new EventColumnsReader(16, 1, 0, 1e15, new Map([['A', 0]]), officeIndex);
  cut.take(BINARY_COPY_HEADER.subarray(0, 4));
  assert.throws(() => cut.take(Buffer.from('XY')), /no PGCOPY signature/);
});
