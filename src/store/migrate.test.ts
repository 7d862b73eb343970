/** The one migration set: up, down and up again, on both stores. */
import assert from 'node:assert/strict';
import { forEachStore } from '../testing/stores.js';
import { migrate, migrateDown } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';

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

  assert.deepEqual(await migrate(db), [9]);
  assert.deepEqual(await db.query(all), records);
  assert.deepEqual(await db.query(days), presence);
  const { weekPartitions } = await import('./compliance.repository.js');
  assert.deepEqual((await weekPartitions(db)).map((p) => [p.from, p.to]), [['2026-11-16', '2026-11-23'], ['2026-11-30', '2026-12-07']]);
  const out = await db.query(`SELECT employee_id FROM weekly_compliance WHERE status = 'non_compliant' AND week_start = '2026-11-30'`);
  assert.deepEqual(out, [{ employee_id: 'E1' }]);

  assert.equal(await migrateDown(db), 9);
  assert.deepEqual(await db.query(all), records);
  assert.deepEqual(await db.query(days), presence);
  const kind = await db.query<{ relkind: string }>(`SELECT relkind FROM pg_class WHERE relname = 'weekly_compliance'`);
  assert.deepEqual(kind, [{ relkind: 'r' }], 'a plain table again');
  assert.deepEqual(await db.query(`SELECT relname FROM pg_class WHERE relname LIKE 'weekly_compliance_2%'`), []);
});
