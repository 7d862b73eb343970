/** The one migration set: up, down and up again, on both stores. */
import assert from 'node:assert/strict';
import { forEachStore } from '../testing/stores.js';
import { migrate, migrateDown } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';
import { factsText } from './migrations/v10-weekly-record.js';

async function tables(db: Parameters<typeof migrate>[0]): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

forEachStore('migrations apply once, roll back cleanly and apply again', async (_t, db) => {
  assert.deepEqual(await migrate(db), MIGRATIONS.map((m) => m.version));
  assert.deepEqual(await migrate(db), [], 'a second run applies nothing');
  const up = await tables(db);
  for (const t of ['badge_event', 'employee', 'weekly_compliance', 'presence_day', 'dirty_week']) assert.ok(up.includes(t), t);
  for (let v = MIGRATIONS.length; v > 0; v--) assert.equal(await migrateDown(db), MIGRATIONS[v - 1]!.version);
  assert.equal(await migrateDown(db), null, 'nothing left to roll back');
  assert.deepEqual(await tables(db), ['schema_migration']);
  assert.deepEqual(await migrate(db), MIGRATIONS.map((m) => m.version));
  assert.deepEqual(await tables(db), up);
});

forEachStore('migration 8 keeps outbox payloads (jsonb to JSON text) and the repository reads both', async (_t, db) => {
  await migrate(db, MIGRATIONS.filter((m) => m.version < 8));
  await db.exec(`INSERT INTO outbox (kind, dedupe_key, channel, recipient_id, recipient, subject, body, payload, status, attempts, next_attempt_at, created_at, updated_at)
    VALUES ('test', 'k1', 'mail', 'E1', 'e1@example.com', 's', 'b', '{"a": [1, "é"], "b": null}'::jsonb, 'pending', 0, now(), now(), now())`);
  assert.deepEqual(await migrate(db, MIGRATIONS.filter((m) => m.version <= 8)), [8]);
  const { findOutbox } = await import('./outbox.repository.js');
  const [m] = await findOutbox(db, {});
  assert.deepEqual(m!.payload, { a: [1, 'é'], b: null });
  assert.equal(await migrateDown(db), 8);
  const back = await db.query<{ p: unknown }>(`SELECT payload AS p FROM outbox WHERE dedupe_key = 'k1'`);
  assert.deepEqual(back[0]!.p, { a: [1, 'é'], b: null });
});

forEachStore('migration 9 moves stored weekly records into a partition per week, and back', async (_t, db) => {
  await migrate(db, MIGRATIONS.filter((m) => m.version < 9));
  await db.exec(`INSERT INTO office (office_id, name, timezone, country) VALUES ('SEA1', 'Seattle', 'America/Los_Angeles', 'US')`);
  const row = (id: string, monday: string, status: string, days: string | null) => `('${id}', '${monday}', 'W', 'p', 1, '${status}', 'r', 3, 1, 5, 5, 3, 3, 'proportional', 'SEA1', ${days === null ? 'NULL' : `'${days}'`}, NULL, '{"anchors":[]}')`;
  await db.exec(`INSERT INTO weekly_compliance (employee_id, week_start, week, policy_id, policy_version, status, reason, required, present, available,
    week_length, policy_days_per_week, days_per_week, rule, home_office_id, present_days, excused, extra) VALUES
    ${row('E1', '2026-11-16', 'compliant', '2026-11-17\u001fSEA1\u001fbadge\u001f60\u001f1\u001f2')}, ${row('E2', '2026-11-16', 'non_compliant', null)},
    ${row('E1', '2026-11-30', 'non_compliant', '2026-12-01\u001fSEA1\u001fbadge\u001f\u001f\u001f')}`);
  const all = `SELECT * FROM weekly_compliance ORDER BY employee_id, week_start`;
  const days = `SELECT * FROM presence_day ORDER BY employee_id, day`;
  const [records, presence] = [await db.query(all), await db.query(days)];
  assert.equal(presence.length, 2);

  assert.deepEqual(await migrate(db, MIGRATIONS.filter((m) => m.version <= 9)), [9]);
  assert.deepEqual(await db.query(all), records);
  assert.deepEqual(await db.query(days), presence);
  const bounds = await db.query<{ b: string }>(
    `SELECT pg_get_expr(c.relpartbound, c.oid) AS b FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'weekly_compliance'::regclass ORDER BY 1`);
  assert.deepEqual(bounds.map((r) => r.b), [`FOR VALUES FROM ('2026-11-16') TO ('2026-11-23')`, `FOR VALUES FROM ('2026-11-30') TO ('2026-12-07')`]);
  const out = await db.query(`SELECT employee_id FROM weekly_compliance WHERE status = 'non_compliant' AND week_start = '2026-11-30'`);
  assert.deepEqual(out, [{ employee_id: 'E1' }]);

  assert.equal(await migrateDown(db), 9);
  assert.deepEqual(await db.query(all), records);
  assert.deepEqual(await db.query(days), presence);
  const kind = await db.query<{ relkind: string }>(`SELECT relkind FROM pg_class WHERE relname = 'weekly_compliance'`);
  assert.deepEqual(kind, [{ relkind: 'r' }], 'a plain table again');
  assert.deepEqual(await db.query(`SELECT relname FROM pg_class WHERE relname LIKE 'weekly_compliance_2%'`), []);
});

forEachStore('migration 10 packs the weekly records in four columns: readers see the same columns and rows, and back', async (_t, db) => {
  await migrate(db, MIGRATIONS.filter((m) => m.version < 10));
  const { weekPartitions } = await import('./compliance.repository.js');
  for (const [from, to] of [['2026-11-16', '2026-11-23'], ['2026-11-30', '2026-12-07']]) {
    await db.exec(`CREATE TABLE weekly_compliance_${from!.replaceAll('-', '')}_${to!.replaceAll('-', '')}_1 PARTITION OF weekly_compliance FOR VALUES FROM ('${from}') TO ('${to}')`);
  }
  const row = (id: string, monday: string, week: string, status: string, policy: string | null, days: string | null, excused: string | null, extra: string | null) =>
    `('${id}', '${monday}', '${week}', ${policy === null ? 'NULL, NULL' : `'${policy}', 2`}, '${status}', 'r', 3, 1, 4, 5, 3, 2, ${policy === null ? 'NULL' : "'proportional'"}, 'SEA1', `
    + `${days === null ? 'NULL' : `'${days}'`}, ${excused === null ? 'NULL' : `'${excused}'`}, ${extra === null ? 'NULL' : `'${extra}'`})`;
  await db.exec(`INSERT INTO weekly_compliance (employee_id, week_start, week, policy_id, policy_version, status, reason, required, present, available,
    week_length, policy_days_per_week, days_per_week, rule, home_office_id, present_days, excused, extra) VALUES
    ${row('E1', '2026-11-16', '2026-W47', 'compliant', 'rto-3', '2026-11-17\u001fSEA1\u001fbadge\u001f60\u001f1\u001f2\u001e2026-11-18\u001fSEA1\u001fattestation\u001f\u001f\u001f\u001fD1', '[{"date":"2026-11-19","reason":"holiday","name":"Thanksgiving"}]', '{"anchors":[]}')},
    ${row('E2', '2026-11-16', '2026-W47', 'no_policy', null, null, null, null)},
    ${row('E1', '2026-11-30', '2026-W49', 'non_compliant', 'rto-3', '2026-12-01\u001fSEA1\u001fbadge\u001f\u001f\u001f', null, '{"graceUntil":"2026-12-07"}')}`);
  const all = `SELECT * FROM weekly_compliance ORDER BY employee_id, week_start`;
  const days = `SELECT * FROM presence_day ORDER BY employee_id, day`;
  const [records, presence] = [await db.query(all), await db.query(days)];
  assert.equal(records.length, 3);
  assert.equal(presence.length, 3);

  assert.deepEqual(await migrate(db), [10]);
  assert.deepEqual(await db.query(all), records, 'the view shows the columns and rows of the table it replaces');
  assert.deepEqual(await db.query(days), presence);
  assert.deepEqual((await weekPartitions(db)).map((p) => [p.from, p.to]), [['2026-11-16', '2026-11-23'], ['2026-11-30', '2026-12-07']]);
  const packed = await db.query<{ facts: string }>(`SELECT facts FROM weekly_record WHERE employee_id = 'E2'`);
  const e2 = { home_office_id: 'SEA1', reason: 'r', required: 3, present: 1, available: 4, week_length: 5, policy_days_per_week: 3, days_per_week: 2 };
  assert.deepEqual(packed, [{ facts: factsText(e2) }]);
  const out = await db.query(`SELECT employee_id FROM weekly_compliance WHERE status = 'non_compliant' AND week_start = '2026-11-30'`);
  assert.deepEqual(out, [{ employee_id: 'E1' }]);

  assert.equal(await migrateDown(db), 10);
  assert.deepEqual(await db.query(all), records);
  assert.deepEqual(await db.query(days), presence);
  assert.deepEqual(await db.query(`SELECT to_regclass('weekly_record') AS r`), [{ r: null }], 'weekly_record is gone');
  const kind = await db.query<{ relkind: string }>(`SELECT relkind FROM pg_class WHERE relname = 'weekly_compliance'`);
  assert.deepEqual(kind, [{ relkind: 'p' }], 'a partitioned table again');
  const parts = await db.query<{ relname: string }>(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'weekly_compliance'::regclass ORDER BY 1`);
  assert.deepEqual(parts.map((p) => p.relname), ['weekly_compliance_20261116_20261123_1', 'weekly_compliance_20261130_20261207_1']);
});
