/** Reading events in columns: ids that need quoting in COPY output come back intact. */
import assert from 'node:assert/strict';
import { forEachStore } from '../testing/stores.js';
import { migrate } from './migrate.js';
import { readEventColumns, groupByEmployee, insertBadgeEvents } from './badge.repository.js';
import type { Db } from './db.js';

/** The event indexes of employee k, in time order (`order` null: the read came grouped). */
function indexesOf(order: Int32Array | null, start: Int32Array, k: number): number[] {
  const out: number[] = [];
  for (let j = start[k]!; j < start[k + 1]!; j++) out.push(order === null ? j : order[j]!);
  return out;
}

forEachStore('readEventColumns reads every event of the window, awkward ids included, grouped in time order', async (_t, db) => {
  await migrate(db);
  const ids = ['plain', 'with,comma', 'with "quote"', ' padded ', 'Zoë-ñ'];
  const offices = ['SEA1', 'L,ON', 'MÜN1'];
  const base = 1795478400_000;
  await insertBadgeEvents(db, ids.flatMap((e) => [1, 2, 3].map((n) => ({
    employeeId: e, eventId: `ev${n}`, officeId: n === 2 ? offices[1]! : e === 'plain' ? offices[0]! : offices[2]!, at: base + n * 3_600_000,
    direction: n === 1 ? 'in' as const : n === 2 ? null : 'out' as const,
  }))));
  const employeeIndex = new Map(ids.map((id, i) => [id, i]));
  const officeIndex = new Map(offices.map((id, i) => [id, i]));
  // The window leaves out each employee's third event (4 h after the first).
  const cols = await readEventColumns(db, 1795478400_000, 1795478400_000 + 3 * 3_600_000, employeeIndex, officeIndex);
  assert.equal(cols.count, 10);
  const { order, start } = groupByEmployee(cols, ids.length);
  for (let k = 0; k < ids.length; k++) {
    const events = indexesOf(order, start, k).map((i) => [cols.office[i], cols.at[i], cols.dir[i]]);
    assert.deepEqual(events, [
      [ids[k] === 'plain' ? 0 : 2, 1795478400_000 + 3_600_000, 1],
      [1, 1795478400_000 + 7_200_000, 0],
    ], ids[k]);
  }
});

forEachStore('readEventColumns reads a result of several megabytes whole, lines cut across chunks included', async (_t, db) => {
  await migrate(db);
  // 20,000 people with 4 events each: several MB of COPY output, so lines straddle the chunks.
  const people = Array.from({ length: 20_000 }, (_, i) => (i % 97 === 0 ? `P${i},x` : i % 89 === 0 ? `Pé${i}` : `P${i}`));
  const base = 1795478400_000;
  const expected = new Map<number, number[]>();
  await insertBadgeEvents(db, people.flatMap((p, i) => [0, 1, 2, 3].map((n) => {
    const at = base + (i % 5000) * 60_000 + n * 3_600_000 * 24;
    if (!expected.has(i)) expected.set(i, []);
    expected.get(i)!.push(at);
    return { employeeId: p, eventId: `e${n}-${'x'.repeat(i % 40)}`, officeId: n === 3 ? 'NYC1' : 'SEA1', at, direction: null };
  })));
  const employeeIndex = new Map(people.map((id, i) => [id, i]));
  const cols = await readEventColumns(db, base - 86_400_000, base + 10 * 86_400_000, employeeIndex, new Map([['SEA1', 0], ['NYC1', 1]]));
  assert.equal(cols.count, people.length * 4);
  const { order, start } = groupByEmployee(cols, people.length);
  for (let k = 0; k < people.length; k++) {
    const got = indexesOf(order, start, k);
    assert.deepEqual(got.map((i) => cols.at[i]), expected.get(k), people[k]);
    assert.deepEqual(got.map((i) => cols.office[i]), [0, 0, 0, 1], people[k]);
  }
});

forEachStore('readEventColumns reads in key order: with the employees in that order the events come grouped, and group as the general path does', async (_t, db) => {
  await migrate(db);
  // Ids in the store's order (C collation: by bytes), events over three weeks, written out of order.
  const people = Array.from({ length: 300 }, (_, i) => `E${String(i).padStart(4, '0')}`);
  const base = 1795478400_000;
  const events = people.flatMap((p, i) => Array.from({ length: i % 7 }, (_, n) => ({
    employeeId: p, eventId: `e${n}`, officeId: n % 3 === 0 ? 'NYC1' : 'SEA1', at: base + ((n * 5 + i) % 19) * 86_400_000 + n * 60_000,
    direction: n % 2 === 0 ? 'in' as const : null,
  }))).reverse();
  await insertBadgeEvents(db, events);
  const offices = new Map([['SEA1', 0], ['NYC1', 1]]);
  const cols = await readEventColumns(db, base - 86_400_000, base + 30 * 86_400_000, new Map(people.map((id, i) => [id, i])), offices);
  assert.equal(cols.count, events.length);
  const grouped = groupByEmployee(cols, people.length);
  assert.equal(grouped.order, null, 'the read in key order comes grouped');
  // The same columns shuffled take the general path (counting sort, then time order): same groups.
  const perm = Array.from({ length: cols.count }, (_, i) => i).sort((a, b) => ((a * 7919) % 1009) - ((b * 7919) % 1009) || a - b);
  const shuffled = {
    count: cols.count, emp: Int32Array.from(perm, (i) => cols.emp[i]!), office: Int16Array.from(perm, (i) => cols.office[i]!),
    at: Float64Array.from(perm, (i) => cols.at[i]!), dir: Int8Array.from(perm, (i) => cols.dir[i]!),
  };
  const general = groupByEmployee(shuffled, people.length);
  assert.notEqual(general.order, null);
  assert.deepEqual([...general.start], [...grouped.start]);
  for (let k = 0; k < people.length; k++) {
    const fromRead: number[][] = indexesOf(grouped.order, grouped.start, k).map((i) => [cols.office[i]!, cols.at[i]!, cols.dir[i]!]);
    const fromShuffled: number[][] = indexesOf(general.order, general.start, k).map((i) => [shuffled.office[i]!, shuffled.at[i]!, shuffled.dir[i]!]);
    assert.deepEqual(fromRead, fromShuffled, people[k]);
    const times = fromRead.map((e) => e[1]!);
    assert.deepEqual(times, [...times].sort((x, y) => x - y), `${people[k]} in time order`);
  }
});

forEachStore('two badge imports at once: the second waits for the first to commit, then merges into its weeks (no duplicate key)', async (_t, db) => {
  await migrate(db);
  const base = 1795478400_000;
  const ev = (employeeId: string, eventId: string, minutes: number) => ({ employeeId, eventId, officeId: 'SEA1', at: base + minutes * 60_000, direction: 'in' as const });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  // The first keeps its transaction open a while after writing; the second starts meanwhile (on
  // PostgreSQL another connection; PGlite runs the transactions one after the other). Without the
  // lock the second saw no stored week, COPied its own straight in and failed on the key.
  const slowCommit = { transaction: <T>(fn: (tx: Db) => Promise<T>) => db.transaction(async (tx) => {
    const r = await fn(tx);
    await sleep(400);
    return r;
  }) } as Db;
  const first = insertBadgeEvents(slowCommit, [ev('A', 'a1', 0), ev('B', 'b1', 5)]);
  await sleep(100);
  const second = insertBadgeEvents(db, [ev('A', 'a1', 0), ev('A', 'a2', 60)]);
  assert.deepEqual(await Promise.all([first, second]), [2, 1]);
  const cols = await readEventColumns(db, base - 86_400_000, base + 86_400_000, new Map([['A', 0], ['B', 1]]), new Map([['SEA1', 0]]));
  assert.equal(cols.count, 3);
});
