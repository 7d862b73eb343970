/**
 * Smoke test of the benchmark: `run-bench.js --smoke --no-append` as a child
 * process on both stores (500 employees × 4 weeks), checking that every step
 * produced a number, that hubday's weekly counts agree with DuckDB's, and that
 * BENCHMARKS.md was left alone. Needs HUBDAY_TEST_PG_URL (npm test sets it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult, StepKey } from './report.js';

const RUN_BENCH = fileURLToPath(new URL('./run-bench.js', import.meta.url));
const BENCHMARKS_MD = fileURLToPath(new URL('../../BENCHMARKS.md', import.meta.url));

test('npm run bench -- --smoke --no-append runs every step on both stores and agrees with DuckDB', { timeout: 180_000 }, async () => {
  assert.ok(process.env.HUBDAY_TEST_PG_URL, 'HUBDAY_TEST_PG_URL is not set: run the tests with npm test, which starts PostgreSQL');
  const dir = mkdtempSync(path.join(tmpdir(), 'hubday-bench-test-'));
  const before = existsSync(BENCHMARKS_MD) ? readFileSync(BENCHMARKS_MD, 'utf8') : null;
  try {
    const env = { ...process.env };
    // Flags npm may have passed down from an outer `npm run … --size=…` must not change the smoke run.
    for (const k of Object.keys(env)) if (/^npm_config_(size|stores|smoke|append|dir|seed)$/i.test(k)) delete env[k];
    // Run directly, the run's time counts from the process's start (npm run bench stamps its own).
    delete env.HUBDAY_BENCH_STARTED_MS;
    const jsonOut = path.join(dir, 'result.json');
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [RUN_BENCH, '--smoke', '--no-append', '--dir', path.join(dir, 'data'), '--json-out', jsonOut], {
        env, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
      child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, stdout, stderr }));
    });
    assert.equal(code, 0, `the bench failed:\n${stderr.slice(-4000)}\n${stdout.slice(-4000)}`);
    const r = JSON.parse(readFileSync(jsonOut, 'utf8')) as BenchResult;
    assert.equal(r.ok, true, r.failures.join('; '));
    assert.equal(r.smoke, true);
    assert.equal(r.data.employees, 500);
    assert.equal(r.data.weeks, 4);
    assert.ok(r.data.events > 1000);
    // The run's wall time is counted (run directly: from the process's start), and the smoke run judges no time.
    assert.equal(r.run?.from, 'process');
    assert.ok(r.run!.seconds > 0 && r.run!.seconds < 600, `run seconds ${r.run!.seconds}`);
    assert.ok(r.targets.every((t) => !t.measure.startsWith('the whole run')), 'a smoke run has no whole-run line');
    assert.match(stdout, /- Run: \d+\.\d min from the start of the benchmark's process to this report/);

    // Every step ran and produced a number.
    const storeSteps: StepKey[] = ['create', 'import_hr', 'import_badges', 'evaluate', 'import_late', 'evaluate_changed', 'team_view', 'employee_quarter'];
    const expected: Array<[string, StepKey]> = [
      ...(['floor', 'duckdb', 'pg_copy', 'pg_statement'] as StepKey[]).map((k) => ['baseline', k] as [string, StepKey]),
      ...(['pglite', 'postgres'] as const).flatMap((s) => storeSteps.map((k) => [s, k] as [string, StepKey])),
    ];
    for (const [group, key] of expected) {
      const step = r.steps.find((s) => s.group === group && s.key === key);
      assert.ok(step, `step ${group}/${key} is missing`);
      assert.equal(step.error, undefined, `step ${group}/${key} failed: ${step.error}`);
      assert.ok(typeof step.seconds === 'number' && Number.isFinite(step.seconds) && step.seconds >= 0, `step ${group}/${key} has no time (${step.note ?? ''})`);
      if (key !== 'create') assert.ok(typeof step.rows === 'number' && step.rows > 0, `step ${group}/${key} has no row count`);
      assert.ok(step.memory && step.memory.peakRssMib > 0 && step.memory.peakHeapMib > 0, `step ${group}/${key} has no memory figures`);
      assert.ok(step.memory.cpuSeconds > 0, `step ${group}/${key} has no CPU time`);
      if (group === 'postgres' || key === 'pg_copy' || key === 'pg_statement') {
        assert.ok(step.memory.peakPgRssMib !== null && step.memory.peakPgRssMib > 0, `step ${group}/${key} has no PostgreSQL server memory`);
        assert.ok(step.memory.pgCpuSeconds !== null && step.memory.pgCpuSeconds >= 0, `step ${group}/${key} has no PostgreSQL server CPU`);
      }
      if (key === 'team_view' || key === 'employee_quarter') {
        assert.ok(step.latency && step.latency.p50 > 0 && step.latency.p95 >= step.latency.p50, `step ${group}/${key} has no latencies`);
      }
    }
    assert.equal(r.steps.find((s) => s.key === 'import_badges' && s.group === 'postgres')!.rows, r.data.events);
    // A single small step may use less than a clock tick of the server; all of them together may not.
    const serverCpu = r.steps.filter((s) => s.group === 'postgres').reduce((sum, s) => sum + (s.memory?.pgCpuSeconds ?? 0), 0);
    assert.ok(serverCpu > 0, 'the PostgreSQL server used no CPU in any step: its processes were not read');
    // The smoke run times two pairs of (c) statement and evaluate; the ratio is their median.
    const runs = (group: string, key: StepKey) => r.steps.filter((s) => s.group === group && s.key === key && typeof s.seconds === 'number' && !s.error);
    assert.equal(runs('postgres', 'evaluate').length, 2);
    assert.equal(runs('baseline', 'pg_statement').length, 2);
    assert.ok(r.targets.some((t) => /median of 2 pairs/.test(t.measure) && (t.value.match(/ ÷ /g) ?? []).length === 2), 'the evaluate ÷ (c) line is not the median of the pairs');

    // The agreement check ran on both stores, after the evaluation and after the late events, and agreed.
    for (const store of ['pglite', 'postgres'] as const) {
      const checks = r.agreements.filter((a) => a.store === store);
      assert.equal(checks.length, 2, `${store}: expected two agreement checks`);
      for (const a of checks) {
        assert.ok(a.agreement, `${store} ${a.stage}: not checked (${a.error})`);
        assert.ok(a.agreement.total > 100, `${store} ${a.stage}: too few rows compared`);
        assert.equal(a.agreement.agreed, a.agreement.total, `${store} ${a.stage}: ${JSON.stringify(a.agreement.disagreements)}`);
        assert.deepEqual(a.agreement.excludedJobFamilies, ['sales']);
      }
    }

    // The markdown table, with no timing judgement, and BENCHMARKS.md untouched.
    assert.match(stdout, /\| store \| step \| rows \| seconds \| rows\/s \|/);
    assert.match(stdout, /rows agree \(all agree/);
    assert.ok(r.targets.length > 0 && r.targets.every((t) => !/^(met|not met)$/.test(t.verdict)), 'a smoke run judges no timing');
    assert.equal(existsSync(BENCHMARKS_MD) ? readFileSync(BENCHMARKS_MD, 'utf8') : null, before, 'BENCHMARKS.md was changed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('median: the middle value, or the mean of the two middle values', async () => {
  const { median } = await import('./report.js');
  assert.equal(median([3]), 3);
  assert.equal(median([2.5, 1, 9]), 2.5);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});

test('the agreement check counts and lists disagreements, leaving out the sales policy and partial weeks', async () => {
  const { openDuckdb } = await import('./baselines.js');
  const { compareWeekly, excludedJobFamilies } = await import('./agreement.js');
  const { writeFileSync } = await import('node:fs');
  const dir = mkdtempSync(path.join(tmpdir(), 'hubday-bench-agree-'));
  const session = await openDuckdb();
  try {
    const file = (name: string, text: string) => {
      writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    const employees = file('employees.csv', [
      'employee_id,email,name,manager_id,level,job_family,org,home_office_id,arrangement,hire_date,termination_date',
      'E1,a@x,A,,5,software_engineering,Cloud,SEA1,hybrid,2020-01-01,',
      'E2,b@x,B,E1,5,sales,Cloud,SEA1,hybrid,2020-01-01,',
      'E3,c@x,C,E1,5,finance,Cloud,SEA1,hybrid,2020-01-01,',
    ].join('\n') + '\n');
    const policies = [
      file('p1.json', JSON.stringify({ id: 'p1', scope: { jobFamilies: [] }, minDwellMinutes: 0 })),
      file('p2.json', JSON.stringify({ id: 'p2', scope: { jobFamilies: ['sales'] }, minDwellMinutes: 120 })),
    ];
    assert.deepEqual(excludedJobFamilies(policies), ['sales']);
    assert.throws(() => excludedJobFamilies([file('p3.json', JSON.stringify({ id: 'p3', scope: {}, countOffices: 'home' }))]), /cannot tell who/);
    // hubday: E1 agrees in one week and differs in another; E3 has a week DuckDB lacks; E2 (sales) and a week outside the range differ but do not count.
    const hubCsv = file('hub.csv', 'E1,2026-11-02,3\nE1,2026-11-09,2\nE3,2026-11-09,1\nE2,2026-11-02,4\nE1,2026-10-26,5\n');
    await session.con.run(`CREATE TABLE duck AS SELECT * FROM (VALUES
      ('E1', DATE '2026-11-02', 3), ('E1', DATE '2026-11-09', 3), ('E2', DATE '2026-11-02', 1), ('E1', DATE '2026-10-26', 1), ('E3', DATE '2026-11-16', 2)
    ) t(employee_id, week_start, days)`);
    const a = await compareWeekly(session, {
      hubCsv, duck: { table: 'duck' }, employeesCsv: employees, policyFiles: policies, firstMonday: '2026-11-02', lastMonday: '2026-11-16',
    });
    assert.equal(a.total, 4);
    assert.equal(a.agreed, 1);
    assert.equal(a.weeks, 3);
    assert.deepEqual(a.disagreements, [
      { employeeId: 'E1', weekStart: '2026-11-09', hubday: 2, duckdb: 3 },
      { employeeId: 'E3', weekStart: '2026-11-09', hubday: 1, duckdb: null },
      { employeeId: 'E3', weekStart: '2026-11-16', hubday: null, duckdb: 2 },
    ]);
  } finally {
    session.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
