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
  assert.deepEqual(await migrate(db), [8]);
  const { findOutbox } = await import('./outbox.repository.js');
  const [m] = await findOutbox(db, {});
  assert.deepEqual(m!.payload, { a: [1, 'é'], b: null });
  assert.equal(await migrateDown(db), 8);
  const back = await db.query<{ p: unknown }>(`SELECT payload AS p FROM outbox WHERE dedupe_key = 'k1'`);
  assert.deepEqual(back[0]!.p, { a: [1, 'é'], b: null });
});
