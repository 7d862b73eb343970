/** Reading events in columns: ids that need quoting in COPY output come back intact. */
import assert from 'node:assert/strict';
import { forEachStore } from '../testing/stores.js';
import { migrate } from './migrate.js';
import { readEventColumns, groupByEmployee, insertBadgeEvents } from './badge.repository.js';

forEachStore('readEventColumns reads every event of the window, awkward ids included, grouped in time order', async (_t, db) => {
  await migrate(db);
  const ids = ['plain', 'with,comma', 'with "quote"', ' padded '];
  const offices = ['SEA1', 'L,ON'];
  const base = 1795478400_000;
  await insertBadgeEvents(db, ids.flatMap((e) => [1, 2, 3].map((n) => ({
    employeeId: e, eventId: `ev${n}`, officeId: n === 2 ? offices[1]! : offices[0]!, at: base + n * 3_600_000,
    direction: n === 1 ? 'in' as const : n === 2 ? null : 'out' as const,
  }))));
  const employeeIndex = new Map(ids.map((id, i) => [id, i]));
  const officeIndex = new Map(offices.map((id, i) => [id, i]));
  // The window leaves out each employee's third event (4 h after the first).
  const cols = await readEventColumns(db, 1795478400_000, 1795478400_000 + 3 * 3_600_000, employeeIndex, officeIndex);
  assert.equal(cols.count, 8);
  const { order, start } = groupByEmployee(cols, ids.length);
  for (let k = 0; k < ids.length; k++) {
    const events = [...order.subarray(start[k]!, start[k + 1]!)].map((i) => [cols.office[i], cols.at[i], cols.dir[i]]);
    assert.deepEqual(events, [
      [0, 1795478400_000 + 3_600_000, 1],
      [1, 1795478400_000 + 7_200_000, 0],
    ], ids[k]);
  }
});
