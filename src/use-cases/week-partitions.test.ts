/**
 * Weekly records partitioned by week (migration 9; the table is weekly_record since migration 10):
 * a full evaluation swaps in a fresh table for the partitions its range covers whole, and
 * replaces the records in place otherwise; every path leaves the same records as before
 * partitions, on both stores.
 */
import assert from 'node:assert/strict';
import { forEachStore } from '../testing/stores.js';
import { setUpEvaluatedCompany } from '../testing/workflows.js';
import { migrate } from '../store/migrate.js';
import type { Db } from '../store/db.js';
import type { Deps } from './deps.js';
import { evaluateWeeks } from './evaluate-weeks.js';
import { byPrimaryKey, deleteWeeklyPairs, DELETE_PAIRS_SQL, ensureWeekPartitions, weekPartitions, WEEKLY_COLUMNS, type WeekPartition } from '../store/compliance.repository.js';
import type { LocalDate } from '../engine/dates.js';
import { factsText } from '../store/migrations/v10-weekly-record.js';

const d = (s: string) => s as LocalDate;

async function records(db: Db, from = '2000-01-03', to = '2100-01-04'): Promise<unknown[]> {
  return db.query(`SELECT ${WEEKLY_COLUMNS.join(', ')} FROM weekly_compliance WHERE week_start BETWEEN $1::date AND $2::date ORDER BY employee_id, week_start`, [from, to]);
}

/** weekly_record.facts of a compliant week at NYC1 under no policy (the fields not given are empty). */
const FACTS = factsText({ home_office_id: 'NYC1', reason: 'requirement_met', required: 3, present: 3, available: 5, week_length: 5, policy_days_per_week: 3, days_per_week: 3 });

const ranges = (parts: WeekPartition[]) => parts.map((p) => `${p.from}..${p.to}`);

async function evaluate(deps: Deps, from: string, to: string): Promise<void> {
  await evaluateWeeks(deps, { from: d(from), to: d(to) });
}

forEachStore('evaluating weeks again swaps in whole partitions, or replaces part of one in place, with the same records', async (_t, db) => {
  // Evaluated 2026-11-16 .. 2026-11-29: one partition of two weeks.
  const deps = await setUpEvaluatedCompany(db);
  let parts = await weekPartitions(db);
  assert.deepEqual(ranges(parts), ['2026-11-16..2026-11-30']);
  const before = await records(db);
  assert.equal(before.length, 14);

  // The same range again: a new partition in place of the old one, the same records.
  await evaluate(deps, '2026-11-16', '2026-11-29');
  const again = await weekPartitions(db);
  assert.deepEqual(ranges(again), ['2026-11-16..2026-11-30']);
  assert.notEqual(again[0]!.name, parts[0]!.name, 'a fresh table was swapped in');
  assert.deepEqual(await records(db), before);
  parts = again;

  // One week of the two: replaced in place, in the partition that holds both.
  await evaluate(deps, '2026-11-23', '2026-11-29');
  assert.deepEqual(await weekPartitions(db), parts);
  assert.deepEqual(await records(db), before);

  // A wider range covers the partition whole: one partition for it all.
  await evaluate(deps, '2026-11-02', '2026-12-06');
  assert.deepEqual(ranges(await weekPartitions(db)), ['2026-11-02..2026-12-07']);
  assert.deepEqual(await records(db, '2026-11-16', '2026-11-29'), before);
  assert.equal((await records(db)).length, 7 * 5);

  // The weeks after it, then a range across both partitions' edge (in place).
  await evaluate(deps, '2026-12-07', '2026-12-20');
  assert.deepEqual(ranges(await weekPartitions(db)), ['2026-11-02..2026-12-07', '2026-12-07..2026-12-21']);
  const all = await records(db);
  await evaluate(deps, '2026-11-30', '2026-12-13');
  assert.deepEqual(ranges(await weekPartitions(db)), ['2026-11-02..2026-12-07', '2026-12-07..2026-12-21']);
  assert.deepEqual(await records(db), all);

  // Both, and the weeks between them and a later one: one partition again.
  await evaluate(deps, '2026-11-02', '2027-01-03');
  assert.deepEqual(ranges(await weekPartitions(db)), ['2026-11-02..2027-01-04']);
  assert.deepEqual(await records(db, '2026-11-02', '2026-12-20'), all);

  // What readers see through the view of present days is unchanged.
  const days = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM presence_day WHERE day BETWEEN '2026-11-16' AND '2026-11-29'`);
  assert.ok(Number(days[0]!.n) > 0);
});

forEachStore('weeks without a partition get one per run of consecutive weeks, once', async (_t, db) => {
  await migrate(db);
  assert.deepEqual(await weekPartitions(db), []);
  await db.transaction((tx) => ensureWeekPartitions(tx, [d('2026-01-12'), d('2026-01-05'), d('2026-01-26'), d('2026-01-12')]));
  const parts = await weekPartitions(db);
  assert.deepEqual(ranges(parts), ['2026-01-05..2026-01-19', '2026-01-26..2026-02-02']);
  await db.transaction((tx) => ensureWeekPartitions(tx, [d('2026-01-05'), d('2026-01-26')]));
  assert.deepEqual(await weekPartitions(db), parts, 'weeks that have one get no other');
  // A week between them gets its own; the partitions never overlap.
  await db.transaction((tx) => ensureWeekPartitions(tx, [d('2026-01-19'), d('2026-02-02')]));
  assert.deepEqual(ranges(await weekPartitions(db)), ['2026-01-05..2026-01-19', '2026-01-19..2026-01-26', '2026-01-26..2026-02-02', '2026-02-02..2026-02-09']);
  // A record of a week with no partition is refused, not lost somewhere.
  await assert.rejects(db.exec(`INSERT INTO weekly_record (employee_id, week_start, status, facts) VALUES ('E1', '2027-01-04', 'exempt', '${FACTS}')`), /partition/);
});

forEachStore('evaluations at the same time take turns, and readers see whole weeks, old or new, throughout', async (_t, db) => {
  const deps = await setUpEvaluatedCompany(db);
  const before = await records(db);
  // While an evaluation computes, another connection reads (PostgreSQL: at the same time; PGlite: in turn).
  const seen: Promise<unknown[]>[] = [];
  const reading: Deps = {
    ...deps,
    progress: () => ({ update: () => void seen.push(records(db)), done: () => undefined }),
  };
  await Promise.all([evaluate(reading, '2026-11-16', '2026-11-29'), evaluate(deps, '2026-11-16', '2026-11-29'), evaluate(reading, '2026-11-09', '2026-11-29')]);
  assert.ok(seen.length > 0);
  for (const s of await Promise.all(seen)) {
    const rows = s as { week_start: string }[];
    // Either the two weeks as they were, or the three weeks of the last evaluation: never a mix.
    if (rows.length === before.length) assert.deepEqual(rows, before);
    else assert.equal(rows.length, 21);
  }
  assert.deepEqual(ranges(await weekPartitions(db)).length, 1);
  assert.deepEqual(await records(db, '2026-11-16', '2026-11-29'), before);
});

forEachStore('the records of a few (employee, week) pairs are found by the primary key, in a partition never analyzed', async (t, db) => {
  // 50,000 records of one week, written into a fresh partition (as an evaluation swaps one in):
  // no statistics yet, and PGlite never gathers any by itself.
  await migrate(db);
  await ensureWeekPartitions(db, [d('2026-11-16'), d('2026-11-23')]);
  await db.exec(`INSERT INTO weekly_record (employee_id, week_start, status, facts)
    SELECT 'E' || lpad(g::text, 6, '0'), DATE '2026-11-16', 'compliant', '${FACTS}' FROM generate_series(1, 50000) AS g`);
  await db.exec(`INSERT INTO weekly_record (employee_id, week_start, status, facts) VALUES ('E000007', DATE '2026-11-23', 'compliant', '${FACTS}')`);
  const ids = Array.from({ length: 1000 }, (_, i) => `E${String(i * 7 + 7).padStart(6, '0')}`);
  const weeks = ids.map(() => '2026-11-16');
  const plan = async (tx: Db) => (await tx.query<Record<string, string>>(`EXPLAIN ${DELETE_PAIRS_SQL}`, [ids, weeks])).map((r) => Object.values(r)[0]).join('\n');
  await db.transaction(async (tx) => {
    t.diagnostic(`the planner's own choice: ${/Hash Join/.test(await plan(tx)) ? 'a hash join over the whole partition' : 'not a hash join'}`);
    const byKey = await byPrimaryKey(tx, ids.length, () => plan(tx));
    assert.match(byKey, /Index (Only )?Scan/);
    assert.doesNotMatch(byKey, /Hash Join|Merge Join|Seq Scan/);
    // The planner is free again after: these settings end with the statements.
    assert.deepEqual((await tx.query(`SELECT current_setting('enable_hashjoin') AS h, current_setting('enable_mergejoin') AS m`))[0], { h: 'on', m: 'on' });
  });
  // Exactly the pairs go: E000007's other week stays, as do the employees not listed.
  await db.transaction((tx) => deleteWeeklyPairs(tx, ids, weeks));
  const left = await db.query<{ n: number; w48: number }>(`SELECT count(*)::int AS n, count(*) FILTER (WHERE week_start = DATE '2026-11-23')::int AS w48 FROM weekly_compliance`);
  assert.deepEqual(left[0], { n: 50_000 - 1000 + 1, w48: 1 });
});
