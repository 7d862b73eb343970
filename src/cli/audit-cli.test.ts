/** `hubday audit verify` as a user runs it: passes on an untouched log, names the entry on a tampered one (both stores). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, tempDir } from '../testing/stores.js';
import { writeFixtures } from '../testing/fixtures.js';
import { openPgliteDb } from '../store/pglite-db.js';

const BIN = fileURLToPath(new URL('../../bin/hubday', import.meta.url));

function runner(prefix: string[], extraEnv: Record<string, string>) {
  return (args: string[]) => {
    const env: Record<string, string | undefined> = { ...process.env, ...extraEnv };
    if (!extraEnv.DATABASE_URL) delete env.DATABASE_URL;
    delete env.HUBDAY_ACTOR;
    const r = spawnSync(process.execPath, [BIN, ...prefix, ...args], { env, encoding: 'utf8', timeout: 120_000 });
    return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
  };
}

async function walk(run: ReturnType<typeof runner>, tamper: (sql: string) => Promise<void>): Promise<void> {
  const fx = writeFixtures();
  for (const [kind, file] of [['offices', fx.offices], ['holidays', fx.holidays], ['employees', fx.employees], ['leave', fx.leave], ['badges', fx.badges]] as const) {
    assert.equal(run(['import', kind, file]).code, 0);
  }
  assert.equal(run(['policy', 'apply', fx.policy]).code, 0);
  assert.equal(run(['compliance', 'E100', '--from', '2026-11-16', '--to', '2026-11-22', '--as', 'M1']).code, 0);

  const ok = run(['audit', 'verify']);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /audit log intact: 7 entries verified/);
  const head = /head (\d+:[0-9a-f]{64})/.exec(ok.out)![1]!;
  const json = JSON.parse(run(['audit', 'verify', '--json']).out);
  assert.equal(json.ok, true);

  const shown = run(['audit', 'show', '--subject', 'E100', '--json']);
  assert.equal(shown.code, 0, shown.err);
  assert.deepEqual(JSON.parse(shown.out).map((e: { action: string; actor: string }) => [e.action, e.actor]), [['attendance.viewed', 'M1']]);

  await tamper(`UPDATE audit_entry SET actor = 'E100' WHERE seq = 7`);
  const bad = run(['audit', 'verify']);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /audit log BROKEN at entry 7: entry 7 was altered/);
  const badJson = run(['audit', 'verify', '--json']);
  assert.equal(JSON.parse(badJson.out).firstBroken.seq, 7);

  await tamper(`UPDATE audit_entry SET actor = 'M1' WHERE seq = 7`);
  assert.equal(run(['audit', 'verify', '--expect-head', head]).code, 0);
  await tamper('DELETE FROM audit_entry WHERE seq = 7');
  const truncated = run(['audit', 'verify', '--expect-head', head]);
  assert.equal(truncated.code, 1);
  assert.match(truncated.err, /BROKEN at entry 7: the log ends at entry 6/);
  assert.equal(run(['audit', 'verify', '--expect-head', 'nonsense']).code, 2);
}

test('audit verify on the embedded store', async () => {
  const dir = tempDir('hubday-audit-cli-');
  await walk(runner(['--data', dir], {}), async (sql) => {
    const db = await openPgliteDb(dir);
    try {
      await db.exec(sql);
    } finally {
      await db.close();
    }
  });
});

test('audit verify on PostgreSQL', async () => {
  const database = await createTestDatabase('hubday_audit');
  try {
    await walk(runner([], { DATABASE_URL: database.url }), database.sql);
  } finally {
    await database.drop();
  }
});
