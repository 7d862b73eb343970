/** The command line end to end, as a user runs it: a real process on each store. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, tempDir } from '../testing/stores.js';
import { writeFixtures } from '../testing/fixtures.js';

const BIN = fileURLToPath(new URL('../../bin/hubday', import.meta.url));

interface Target {
  name: string;
  env: Record<string, string>;
  args: string[];
  drop(): Promise<void>;
}

async function targets(): Promise<Target[]> {
  const database = await createTestDatabase('hubday_cli');
  return [
    { name: 'pglite', env: {}, args: ['--data', tempDir('hubday-cli-')], drop: async () => undefined },
    { name: 'postgres', env: { DATABASE_URL: database.url }, args: [], drop: database.drop },
  ];
}

function run(t: Target, args: string[], input?: string): { code: number; out: string; err: string } {
  const env = { ...process.env, ...t.env };
  if (!t.env.DATABASE_URL) delete env.DATABASE_URL;
  const r = spawnSync(process.execPath, [BIN, ...t.args, ...args], { env, input, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

test('every command of the DESIGN table, on both stores', async (t) => {
  for (const target of await targets()) {
    await t.test(target.name, async () => {
      try {
        const fx = writeFixtures();
        const ok = (args: string[], input?: string) => {
          const r = run(target, args, input);
          assert.equal(r.code, 0, `hubday ${args.join(' ')} failed (${r.code}): ${r.err}`);
          return r.out;
        };
        assert.match(ok(['import', 'offices', fx.offices]), /imported offices from .*: 4 new, 0 updated, 0 rejected \(4 rows\)/);
        ok(['import', 'holidays', fx.holidays]);
        assert.deepEqual(JSON.parse(ok(['import', 'employees', fx.employees, '--json'])), {
          kind: 'employees', file: fx.employees, rows: 7, new: 7, updated: 0, duplicate: 0, rejected: 0, rejectsFile: null,
        });
        ok(['import', 'leave', fx.leave]);
        // Badges from standard input.
        const b = JSON.parse(ok(['import', 'badges', '-', '--json'], (await import('node:fs')).readFileSync(fx.badges, 'utf8')));
        assert.deepEqual([b.file, b.new, b.duplicate, b.rejected], ['<stdin>', 10, 0, 0]);
        assert.match(ok(['import', 'badges', fx.badges]), /0 new, 10 duplicate, 0 rejected \(10 rows\)/);
        assert.match(ok(['policy', 'apply', fx.policy]), /applied policy rto-3 version 1/);
        assert.match(ok(['policy', 'apply', fx.policy]), /version 2 .*supersedes version 1 from that date$/m);
        const ev = JSON.parse(ok(['evaluate', '--from', '2026-11-16', '--to', '2026-11-29', '--json']));
        assert.equal(ev.records, 14);

        const c = JSON.parse(ok(['compliance', 'E100', '--from', '2026-11-23', '--to', '2026-11-29', '--json']));
        assert.deepEqual(Object.keys(c), ['employeeId', 'from', 'to', 'weeks']);
        assert.equal(c.weeks.length, 1);
        const w = c.weeks[0];
        for (const key of ['employeeId', 'week', 'policy', 'status', 'required', 'present', 'available', 'presentDays', 'excusedDays', 'explanation']) assert.ok(key in w, key);
        assert.equal(w.explanation, '2 of 4 available days required (3 × 4/5 = 2.4, rounded half up); present 1');
        assert.deepEqual(w.policy, { id: 'rto-3', version: 2 });
        assert.match(ok(['compliance', 'E100', '--from', '2026-11-23', '--to', '2026-11-29']), /2026-W48: 2 of 4 available days required/);

        const s = JSON.parse(ok(['standing', 'E100', '--as-of', '2026-11-29', '--json']));
        for (const key of ['employeeId', 'asOf', 'windowWeeks', 'counted', 'compliant', 'ratio', 'goodStanding', 'tier']) assert.ok(key in s, key);
        assert.equal(s.asOf, '2026-11-29');

        const team = JSON.parse(ok(['team', 'M1', '--week', '2026-W47', '--json']));
        assert.deepEqual(Object.keys(team), ['managerId', 'week', 'indirect', 'members']);
        assert.deepEqual(team.members.map((m: any) => [m.employeeId, m.status, m.required, m.present]), [
          ['E100', 'compliant', 3, 3], ['E101', 'no_policy', 0, 0], ['E102', 'grace', 0, 0], ['E103', 'compliant', 1, 2], ['E104', 'exempt', 0, 0],
        ]);
        assert.equal(JSON.parse(ok(['team', 'V1', '--week', '2026-W47', '--indirect', '--json'])).members.length, 6);

        // Errors: exit 2 for bad usage and bad input, with the place named.
        const bad = run(target, ['import', 'badges', fx.write('bad.csv', 'event_id,employee_id,office_id,timestamp\nx1,E100,SEA1,2026-11-20\n')]);
        assert.equal(bad.code, 2);
        assert.match(bad.err, /bad\.csv:2:4: timestamp: /);
        assert.match(bad.err, /nothing from this file was written; fix it, or import the valid rows with --skip-invalid/);
        // A malformed file (here an unterminated quote) cannot be imported row by row: no --skip-invalid hint.
        const broken = run(target, ['import', 'badges', fx.write('broken.csv', 'event_id,employee_id,office_id,timestamp\nx1,"E100,SEA1,2026-11-20T10:00:00Z\n')]);
        assert.equal(broken.code, 2);
        assert.match(broken.err, /broken\.csv:2:2: unterminated quoted field\nnothing from this file was written; fix the file and import it again/);
        assert.doesNotMatch(broken.err, /--skip-invalid/);
        assert.equal(run(target, ['team', 'M1', '--week', '2026-W60']).code, 2);
        assert.equal(run(target, ['compliance', 'NOBODY', '--from', '2026-11-23', '--to', '2026-11-29']).code, 2);
        assert.equal(run(target, ['evaluate', '--from', '2026-11-23']).code, 2);
        assert.equal(run(target, ['frobnicate']).code, 2);
        assert.equal(run(target, ['--help']).code, 0);
        assert.match(run(target, ['import', 'badges', '--help']).out, /--skip-invalid/);
      } finally {
        await target.drop();
      }
    });
  }
});

test('hubday demo builds, evaluates and summarises a company', async () => {
  const dir = tempDir('hubday-demo-');
  const r = spawnSync(process.execPath, [BIN, '--data', dir, 'demo', '--employees', '300', '--weeks', '4', '--json'], {
    encoding: 'utf8', timeout: 300_000, env: { ...process.env, DATABASE_URL: '' },
  });
  assert.equal(r.status, 0, r.stderr);
  const o = JSON.parse(r.stdout);
  assert.equal(o.employees, 300);
  assert.ok(o.events > 1000);
  assert.equal(o.evaluation.records, 300 * 4);
  assert.ok(o.byOrg.length >= 3);
  assert.ok((o.lastWeekStatus.compliant ?? 0) > 0 && (o.lastWeekStatus.non_compliant ?? 0) > 0, 'a believable mix');
  // A second demo on the same store refuses without --reset.
  const again = spawnSync(process.execPath, [BIN, '--data', dir, 'demo', '--employees', '300', '--weeks', '4'], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already holds 300 employees/);
  // With --reset (what `npm start` runs) it empties the store and starts over.
  const reset = spawnSync(process.execPath, [BIN, '--data', dir, 'demo', '--employees', '200', '--weeks', '2', '--reset', '--json'], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });
  assert.equal(reset.status, 0, reset.stderr);
  assert.equal(JSON.parse(reset.stdout).employees, 200);
});

test('an import killed in the middle leaves the store as it was, and running it again completes', async (t) => {
  const { spawn } = await import('node:child_process');
  const fs = await import('node:fs');
  for (const target of await targets()) {
    await t.test(target.name, async () => {
      try {
        const fx = writeFixtures();
        for (const kind of ['offices', 'employees'] as const) assert.equal(run(target, ['import', kind, fx[kind]]).code, 0);
        // The import reads standard input, fed half the file and left open: it is in the middle of
        // its transaction (past its first writes of 250,000 events) whatever the machine's speed.
        const ROWS = 1_000_000;
        const rows: string[] = ['event_id,employee_id,office_id,timestamp,direction'];
        const base = Date.parse('2026-09-01T16:00:00Z');
        for (let i = 0; i < ROWS; i++) rows.push(`k${i},E100,SEA1,${new Date(base + i * 60_000).toISOString()},in`);
        const big = fx.write('big.csv', rows.join('\n') + '\n');
        const env = { ...process.env, ...target.env };
        if (!target.env.DATABASE_URL) delete env.DATABASE_URL;
        const child = spawn(process.execPath, [BIN, ...target.args, 'import', 'badges', '-'], { env, stdio: ['pipe', 'ignore', 'ignore'] });
        child.stdin!.on('error', () => undefined); // the pipe breaks when the child is killed
        await new Promise<void>((r) => child.stdin!.write(rows.slice(0, ROWS / 2 + 1).join('\n') + '\n', () => r()));
        await new Promise((r) => setTimeout(r, 1500));
        assert.equal(child.exitCode, null, 'the import must still be running when it is killed');
        const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
        child.kill('SIGKILL');
        assert.equal(await exited, 'SIGKILL');
        const again = run(target, ['import', 'badges', big, '--json']);
        assert.equal(again.code, 0, again.err);
        const s = JSON.parse(again.out);
        // The killed import had not committed: nothing of it is in the store, so every row is new now.
        assert.deepEqual([s.rows, s.new, s.duplicate], [ROWS, ROWS, 0]);
        fs.rmSync(fx.dir, { recursive: true, force: true });
      } finally {
        await target.drop();
      }
    });
  }
});
