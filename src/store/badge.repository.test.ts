/** Reading events in columns: ids that need quoting in COPY output come back intact. */
import assert from 'node:assert/strict';
import { forEachStore } from '../testing/stores.js';
import { migrate } from './migrate.js';
import { readEventColumns, groupByEmployee, insertBadgeEvents } from './badge.repository.js';

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
    const events = [...order.subarray(start[k]!, start[k + 1]!)].map((i) => [cols.office[i], cols.at[i], cols.dir[i]]);
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
    const got = [...order.subarray(start[k]!, start[k + 1]!)];
    assert.deepEqual(got.map((i) => cols.at[i]), expected.get(k), people[k]);
    assert.deepEqual(got.map((i) => cols.office[i]), [0, 0, 0, 1], people[k]);
  }
});
