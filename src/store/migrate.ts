/** Applies pending migrations, each in its own transaction, recording them in schema_migration. */
import type { Db } from './db.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

export async function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migration (
    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const rows = await db.query<{ version: number }>('SELECT version FROM schema_migration');
  const done = new Set(rows.map((r) => Number(r.version)));
  const applied: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(m.version)) continue;
    await db.transaction(async (tx) => {
      await tx.exec(m.up);
      await tx.query('INSERT INTO schema_migration (version, name) VALUES ($1, $2)', [m.version, m.name]);
    });
    applied.push(m.version);
  }
  return applied;
}

/** Rolls back the latest applied migration (for development). */
export async function migrateDown(db: Db, migrations: readonly Migration[] = MIGRATIONS): Promise<number | null> {
  const rows = await db.query<{ version: number }>('SELECT max(version) AS version FROM schema_migration');
  const v = rows[0]?.version;
  if (v === null || v === undefined) return null;
  const m = migrations.find((x) => x.version === Number(v));
  if (!m) throw new Error(`migration ${v} is not known to this version of hubday`);
  await db.transaction(async (tx) => {
    await tx.exec(m.down);
    await tx.query('DELETE FROM schema_migration WHERE version = $1', [m.version]);
  });
  return m.version;
}
