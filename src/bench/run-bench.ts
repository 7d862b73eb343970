/**
 * `npm run bench`: hubday's benchmark (see BENCHMARKS.md for what it does).
 *
 *   npm run bench [-- --size small|medium|large] [--stores pglite,postgres] [--no-append] [--smoke] [--dir DIR] [--seed N]
 *
 * Also reads the flags npm turns into environment variables (`npm run bench --size=large`
 * sets npm_config_size; `npm run bench --size large` sets npm_config_size=true and passes
 * `large` on as an argument). The PostgreSQL server comes from HUBDAY_TEST_PG_URL
 * (scripts/with-postgres.sh, which `npm run bench` uses, starts one).
 *
 * Exits 0 when every step ran and hubday's weekly counts agree with DuckDB's,
 * 1 otherwise, 2 on bad usage. Timing targets are reported, never fatal.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openPgliteDb } from '../store/pglite-db.js';
import { installedPgliteVersion } from '../store/pglite-template.js';
import { openPostgresDb } from '../store/postgres-db.js';
import { migrate } from '../store/migrate.js';
import type { Db } from '../store/db.js';
import { systemClock, type Deps } from '../use-cases/deps.js';
import { importFile, type ImportKind } from '../use-cases/import-file.js';
import { applyPolicy } from '../use-cases/apply-policy.js';
import { evaluateWeeks } from '../use-cases/evaluate-weeks.js';
import { getTeam } from '../use-cases/get-team.js';
import { getCompliance } from '../use-cases/get-compliance.js';
import { type LocalDate, addDays, isoWeekOf } from '../engine/dates.js';
import { Rng, mixSeed } from '../demo/random.js';
import { MemorySampler, latencies, percentile, postmasterPid, type Measured } from './measure.js';
import { type Dataset, type SizeName, SIZES, defaultDataDir, prepareDataset, writeLateEvents } from './dataset.js';
import { adminQuery, countLines, duckdbWeekly, openDuckdb, openPgBaseline, sqlString, type PgBaseline } from './baselines.js';
import { compareWeekly, exportHubdayWeekly } from './agreement.js';
import {
  type AgreementResult, type BenchResult, type Group, type StepKey, type StepResult, appendToBenchmarks, computeTargets, renderReport,
} from './report.js';

type StoreName = 'pglite' | 'postgres';
/** The order they run in: the server store first, so PGlite's WebAssembly heap (kept by the process) does not inflate its RSS. */
const STORE_NAMES: readonly StoreName[] = ['postgres', 'pglite'];
const LATE_EVENTS = 1000;
const REPS = 200;
const WARMUP = 10;

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

export interface BenchOptions {
  size: SizeName;
  smoke: boolean;
  stores: StoreName[];
  append: boolean;
  seed: number;
  dir: string | null;
  /** Write the results as JSON here. */
  jsonOut: string | null;
  pgUrl: string | null;
  /**
   * How many times `evaluate` alone and the (c) statement alone are timed, in pairs run one right
   * after the other (the first pair is the run's own steps): on a machine whose speed drifts from
   * one minute to the next, the ratio is judged on the median pair, not on two times taken minutes
   * apart.
   */
  pairs: number;
  command: string;
}

class UsageError extends Error {}

// ---------------------------------------------------------------------------
// Options.
// ---------------------------------------------------------------------------

const SIZE_NAMES = ['small', 'medium', 'large'] as const;
const isSize = (s: string): s is SizeName => (SIZE_NAMES as readonly string[]).includes(s);
const isStores = (s: string) => /^(pglite|postgres)(,(pglite|postgres))*$/.test(s);

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      size: { type: 'string' },
      stores: { type: 'string' },
      'no-append': { type: 'boolean' },
      smoke: { type: 'boolean' },
      dir: { type: 'string' },
      seed: { type: 'string' },
      'json-out': { type: 'string' },
      pairs: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    throw new UsageError(
      'usage: npm run bench -- [--size small|medium|large] [--stores pglite,postgres] [--no-append] [--smoke] [--dir DIR] [--seed N] [--pairs N] [--json-out FILE]',
    );
  }
  // npm: `--size=large` → npm_config_size=large; `--size large` → npm_config_size=true plus a positional "large".
  const npm = (name: string) => {
    const v = env[`npm_config_${name}`];
    return v === undefined || v === '' || v === 'true' ? undefined : v;
  };
  const rest = [...positionals];
  const takePositional = (test: (s: string) => boolean) => {
    const i = rest.findIndex(test);
    return i < 0 ? undefined : rest.splice(i, 1)[0];
  };
  const sizeText = values.size ?? npm('size') ?? (env.npm_config_size === 'true' ? takePositional(isSize) : undefined) ?? 'small';
  const storesText = values.stores ?? npm('stores') ?? (env.npm_config_stores === 'true' ? takePositional(isStores) : undefined) ?? 'pglite,postgres';
  const seedText = values.seed ?? npm('seed') ?? (env.npm_config_seed === 'true' ? takePositional((s) => /^\d+$/.test(s)) : undefined) ?? '42';
  const dir = values.dir ?? npm('dir') ?? (env.npm_config_dir === 'true' ? takePositional(() => true) : undefined) ?? null;
  if (rest.length > 0) throw new UsageError(`unexpected argument${rest.length > 1 ? 's' : ''}: ${rest.join(' ')}`);
  if (!isSize(sizeText)) throw new UsageError(`--size must be small, medium or large, got "${sizeText}"`);
  if (!isStores(storesText)) throw new UsageError(`--stores must be a comma-separated list of pglite and postgres, got "${storesText}"`);
  if (!/^\d+$/.test(seedText)) throw new UsageError(`--seed must be a whole number, got "${seedText}"`);
  const smoke = !!values.smoke || env.npm_config_smoke === 'true';
  // Five pairs by default (a median): the first pair, whose two times are taken minutes apart and
  // which follows the import (at large 2 to 5 s slower than the pairs after it, on both sides),
  // then weighs one in five. The smoke run times two, so that CI runs the repetition.
  const pairsText = values.pairs ?? npm('pairs') ?? (smoke ? '2' : '5');
  if (!/^[1-9]$/.test(pairsText)) throw new UsageError(`--pairs must be a whole number from 1 to 9, got "${pairsText}"`);
  const noAppend = !!values['no-append'] || env.npm_config_append === '' || env.npm_config_append === 'false';
  const stores = STORE_NAMES.filter((s) => storesText.split(',').includes(s));
  const pgUrl = env.HUBDAY_TEST_PG_URL || null;
  if (stores.includes('postgres') && !pgUrl) {
    throw new UsageError('the PostgreSQL store needs a server: run `npm run bench` (it starts one) or set HUBDAY_TEST_PG_URL, or pass --stores pglite');
  }
  return {
    size: smoke ? 'smoke' : sizeText,
    smoke,
    stores,
    append: !noAppend && !smoke,
    seed: Number(seedText),
    dir,
    jsonOut: values['json-out'] ?? null,
    pgUrl,
    pairs: Number(pairsText),
    command: `npm run bench -- ${smoke ? '--smoke' : `--size ${sizeText}`}${storesText !== 'pglite,postgres' ? ` --stores ${storesText}` : ''}${seedText !== '42' ? ` --seed ${seedText}` : ''}${values.pairs ? ` --pairs ${pairsText}` : ''}`,
  };
}

// ---------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------

function pgliteVersion(): string | null {
  try {
    return installedPgliteVersion();
  } catch {
    return null;
  }
}

type EvaluateChanged = (deps: Deps) => Promise<{ records: number }>;

/** src/use-cases/evaluate-changed.ts, when it exists (it is written in parallel with the benchmark). */
async function loadEvaluateChanged(): Promise<{ fn: EvaluateChanged | null; note: string }> {
  const url = new URL('../use-cases/evaluate-changed.js', import.meta.url);
  if (!existsSync(fileURLToPath(url))) return { fn: null, note: 'src/use-cases/evaluate-changed.ts does not exist yet' };
  try {
    const mod = (await import(url.href)) as { evaluateChanged?: EvaluateChanged };
    if (typeof mod.evaluateChanged !== 'function') return { fn: null, note: 'evaluate-changed.js exports no evaluateChanged' };
    return { fn: mod.evaluateChanged, note: '' };
  } catch (e) {
    return { fn: null, note: `evaluate-changed.js failed to load: ${(e as Error).message}` };
  }
}

/** CSV fields (plain ones: ids, codes) of employees.csv: id, manager, job family. */
function readEmployees(file: string): Array<{ id: string; managerId: string }> {
  // Small enough even at the large size (tens of MB) to read at once; the badge file is never read into memory.
  const text = readFileSync(file, 'utf8');
  const out: Array<{ id: string; managerId: string }> = [];
  let start = text.indexOf('\n') + 1;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const f = text.slice(start, end).split(',', 4);
    if (f[0]) out.push({ id: f[0], managerId: f[3] ?? '' });
    start = end + 1;
  }
  return out;
}

/** A few managers (the example first, then others with at least three direct reports) and employees for the read latencies. */
function pickSubjects(ds: Dataset): { managers: string[]; employees: string[] } {
  const people = readEmployees(ds.company.files.employees);
  const reports = new Map<string, number>();
  for (const p of people) if (p.managerId) reports.set(p.managerId, (reports.get(p.managerId) ?? 0) + 1);
  const rng = new Rng(mixSeed(ds.seed, 0x7ea3));
  const candidates = [...reports].filter(([id, n]) => n >= 3 && id !== ds.company.exampleManagerId).map(([id]) => id);
  const managers = [ds.company.exampleManagerId];
  while (managers.length < 5 && candidates.length > 0) managers.push(candidates.splice(rng.int(0, candidates.length - 1), 1)[0]!);
  const employees = [ds.company.exampleEmployeeId];
  for (let i = 0; i < 4 && people.length > 1; i++) employees.push(rng.pick(people).id);
  return { managers, employees };
}

// ---------------------------------------------------------------------------
// The run.
// ---------------------------------------------------------------------------

class Run {
  readonly steps: StepResult[] = [];
  readonly agreements: AgreementResult[] = [];
  readonly failures: string[] = [];
  constructor(readonly sampler: MemorySampler) {}

  /** Times one step; on failure records it and returns null. */
  async step<T>(
    group: Group, key: StepKey, name: string, pgPid: number | null, fn: () => Promise<T>,
    describe: (value: T, m: Measured<T>) => Partial<StepResult> = () => ({}),
  ): Promise<T | null> {
    log(`${group}: ${name}…`);
    try {
      const m = await this.sampler.measure(pgPid, fn);
      const result: StepResult = { group, key, name, rows: null, seconds: m.seconds, memory: m.memory, ...describe(m.value, m) };
      this.steps.push(result);
      log(`${group}: ${name}: ${result.seconds === null ? 'n/a' : `${result.seconds.toFixed(3)} s`}${result.note ? ` (${result.note})` : ''}`);
      return m.value;
    } catch (e) {
      const message = (e as Error)?.message ?? String(e);
      this.steps.push({ group, key, name, rows: null, seconds: null, memory: null, error: message });
      this.failures.push(`${group}: ${name}: ${message}`);
      log(`${group}: ${name}: FAILED: ${(e as Error)?.stack ?? message}`);
      return null;
    }
  }

  skip(group: Group, key: StepKey, name: string, note: string): void {
    this.steps.push({ group, key, name, rows: null, seconds: null, memory: null, note });
  }
}

interface StoreHandle {
  db: Db;
  close(): Promise<void>;
}

async function openStore(kind: StoreName, pgUrl: string | null): Promise<StoreHandle> {
  if (kind === 'pglite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hubday-bench-pglite-'));
    try {
      const db = await openPgliteDb(dir);
      return { db, close: async () => { try { await db.close(); } finally { rmSync(dir, { recursive: true, force: true }); } } };
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }
  const name = `hubday_bench_${randomBytes(5).toString('hex')}`;
  await adminQuery(pgUrl!, `CREATE DATABASE ${name}`);
  const drop = () => adminQuery(pgUrl!, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(() => undefined);
  try {
    const url = new URL(pgUrl!);
    url.pathname = `/${name}`;
    const db = await openPostgresDb(url.toString());
    return { db, close: async () => { try { await db.close(); } finally { await drop(); } } };
  } catch (e) {
    await drop().catch(() => undefined);
    throw e;
  }
}

interface StoreOutputs {
  /** hubday's weekly counts after the full evaluation, and after the late events (when re-evaluated). */
  weeklyCsv: string | null;
  weeklyAfterLateCsv: string | null;
}

async function runStore(
  run: Run, kind: StoreName, opts: BenchOptions, ds: Dataset, work: string, lateFile: string,
  subjects: { managers: string[]; employees: string[] }, pgPid: number | null, statementAgain: ((pair: number) => Promise<number | null>) | null,
): Promise<StoreOutputs> {
  const outputs: StoreOutputs = { weeklyCsv: null, weeklyAfterLateCsv: null };
  const pid = kind === 'postgres' ? pgPid : null;
  const c = ds.company;
  const from = c.from as LocalDate;
  const to = c.to as LocalDate;
  let store: StoreHandle | null = null;
  const stepsLeft: Array<[StepKey, string]> = [
    ['import_hr', 'import HR data'], ['import_badges', 'import badges'], ['evaluate', 'evaluate'], ['import_late', `import ${LATE_EVENTS.toLocaleString('en-US')} late events`],
    ['evaluate_changed', 're-evaluate changed (evaluateChanged)'], ['team_view', 'team view'], ['employee_quarter', "employee's quarter"],
  ];
  const skipRest = (from: StepKey, why: string) => {
    const i = stepsLeft.findIndex(([k]) => k === from);
    for (const [key, name] of stepsLeft.slice(i)) run.skip(kind, key, name, why);
  };
  try {
    store = await run.step(kind, 'create', kind === 'pglite' ? 'create store (fresh folder) + migrate' : 'create store (fresh database) + migrate', pid, async () => {
      const s = await openStore(kind, opts.pgUrl);
      try {
        await migrate(s.db);
      } catch (e) {
        await s.close().catch(() => undefined);
        throw e;
      }
      return s;
    });
    if (!store) return outputs;
    const deps: Deps = { db: store.db, clock: systemClock, log: () => {} };
    // On the server, the rows a step wrote are vacuumed and analyzed before the next step is timed
    // (untimed), as the earlier steps' garbage and dirty pages are: otherwise autovacuum picks
    // them up during whichever step comes next (the server's log showed it during evaluations),
    // and an analyze during an evaluation leaves statistics of an almost empty table behind.
    const db = store.db;
    const settle = async () => {
      if (kind === 'postgres') await db.exec('VACUUM (ANALYZE)');
    };

    const hr = await run.step(kind, 'import_hr', 'import HR data (offices, holidays, employees, leave, policies)', pid, async () => {
      let rows = 0;
      for (const kindOf of ['offices', 'holidays', 'employees', 'leave'] as ImportKind[]) {
        rows += (await importFile(deps, { kind: kindOf, file: c.files[kindOf as 'offices'] })).rows;
      }
      for (const file of c.files.policies) {
        await applyPolicy(deps, { file });
        rows++;
      }
      return rows;
    }, (rows) => ({ rows }));
    if (hr === null) return (skipRest('import_badges', 'not run: the HR import failed'), outputs);

    await settle();
    const badges = await run.step(kind, 'import_badges', 'import badges', pid, () => importFile(deps, { kind: 'badges', file: c.files.badges }),
      (s) => ({ rows: s.rows, note: `${s.new.toLocaleString('en-US')} new` }));
    if (badges === null) return (skipRest('evaluate', 'not run: the badge import failed'), outputs);

    await settle();
    const evaluation = await run.step(kind, 'evaluate', `evaluate (${ds.company.from} to ${ds.company.to}, ${SIZES[ds.size].weeks} weeks)`, pid,
      () => evaluateWeeks(deps, { from, to }),
      (s) => ({ rows: badges.new, note: `${s.records.toLocaleString('en-US')} weekly records, ${s.presenceDays.toLocaleString('en-US')} presence days` }));
    if (evaluation === null) return (skipRest('import_late', 'not run: the evaluation failed'), outputs);

    // The pairs after the first: the (c) statement, then evaluate again on an emptied table (as
    // the first ran on a new one), each a step of its own.
    if (kind === 'postgres' && statementAgain) {
      for (let pair = 2; pair <= opts.pairs; pair++) {
        await settle();
        if ((await statementAgain(pair)) === null) break;
        await store.db.exec('TRUNCATE weekly_record');
        await settle();
        const again = await run.step(kind, 'evaluate', `evaluate again (pair ${pair}: right after the (c) statement)`, pid, () => evaluateWeeks(deps, { from, to }),
          (s) => ({ rows: badges.new, note: `${s.records.toLocaleString('en-US')} weekly records` }));
        if (again === null) break;
      }
    }

    const weeklyCsv = path.join(work, `hubday-${kind}-weekly.csv`);
    await exportHubdayWeekly(store.db, weeklyCsv);
    outputs.weeklyCsv = weeklyCsv;

    await settle();
    const late = await run.step(kind, 'import_late', `import ${LATE_EVENTS.toLocaleString('en-US')} late events`, pid,
      () => importFile(deps, { kind: 'badges', file: lateFile }), (s) => ({ rows: s.rows, note: `${s.new.toLocaleString('en-US')} new` }));

    const changed = await loadEvaluateChanged();
    if (late === null) run.skip(kind, 'evaluate_changed', 're-evaluate changed (evaluateChanged)', 'not run: the late import failed');
    else if (!changed.fn) run.skip(kind, 'evaluate_changed', 're-evaluate changed (evaluateChanged)', `n/a: ${changed.note}`);
    else {
      const fn = changed.fn;
      const r = await run.step(kind, 'evaluate_changed', 're-evaluate changed (evaluateChanged)', pid, () => fn(deps),
        (s) => ({ rows: Number(s.records), note: `${Number(s.records).toLocaleString('en-US')} weekly records recomputed` }));
      if (r !== null) {
        const after = path.join(work, `hubday-${kind}-weekly-late.csv`);
        await exportHubdayWeekly(store.db, after);
        outputs.weeklyAfterLateCsv = after;
      }
    }

    const lastMonday = addDays(to, -6);
    const week = isoWeekOf(lastMonday);
    const reps = REPS;
    await run.step(kind, 'team_view', `team view (getTeam, direct reports, ${week})`, pid, async () => {
      let members = 0;
      const times = await latencies(reps, WARMUP, async (i) => {
        const t = await getTeam(deps, { managerId: subjects.managers[i % subjects.managers.length]!, week, monday: lastMonday, indirect: false });
        members += t.members.length;
      });
      return { times, members };
    }, (v) => ({
      rows: reps,
      latency: { p50: percentile(v.times, 50), p95: percentile(v.times, 95), reps },
      note: `${subjects.managers.length} managers, ${(v.members / (reps + WARMUP)).toFixed(1)} reports on average`,
    }));
    await run.step(kind, 'employee_quarter', `employee's quarter (getCompliance, ${from} to ${to})`, pid, async () => {
      let weeks = 0;
      const times = await latencies(reps, WARMUP, async (i) => {
        const r = await getCompliance(deps, { employeeId: subjects.employees[i % subjects.employees.length]!, from, to });
        weeks += r.weeks.length;
      });
      return { times, weeks };
    }, (v) => ({
      rows: reps,
      latency: { p50: percentile(v.times, 50), p95: percentile(v.times, 95), reps },
      note: `${subjects.employees.length} employees, ${(v.weeks / (reps + WARMUP)).toFixed(0)} weeks each`,
    }));
  } catch (e) {
    run.failures.push(`${kind}: ${(e as Error).message}`);
    log(`${kind}: FAILED: ${(e as Error).stack ?? e}`);
  } finally {
    if (store) await store.close().catch((e) => log(`${kind}: closing the store failed: ${(e as Error).message}`));
  }
  return outputs;
}

/** `node bin/hubday --data <fresh dir> demo --employees 5000`, wall clock. */
async function runDemoChild(): Promise<{ seconds: number; lastLine: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hubday-bench-demo-'));
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.HUBDAY_DATA;
  try {
    const t0 = performance.now();
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--max-semi-space-size=64', path.join(REPO_ROOT, 'bin', 'hubday'), '--data', path.join(dir, 'store'), 'demo', '--employees', '5000'], {
        cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
      child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(-4000)));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    const seconds = (performance.now() - t0) / 1000;
    if (code !== 0) throw new Error(`exit code ${code}: ${stderr.trim().split('\n').slice(-3).join(' / ')}`);
    return { seconds, lastLine: stdout.split('\n').find((l) => l.startsWith('generated in')) ?? '' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The run's wall time so far. `npm run bench` stamps its start (HUBDAY_BENCH_STARTED_MS, epoch
 * milliseconds) before the build and the server's start; run directly, the count starts with this
 * process.
 */
function runClock(env: NodeJS.ProcessEnv = process.env): NonNullable<BenchResult['run']> {
  const stamped = Number(env.HUBDAY_BENCH_STARTED_MS);
  const fromNpm = Number.isFinite(stamped) && stamped > 0 && stamped <= Date.now();
  const start = fromNpm ? stamped : performance.timeOrigin;
  return { seconds: (Date.now() - start) / 1000, from: fromNpm ? 'npm run bench' : 'process' };
}

export async function runBench(opts: BenchOptions): Promise<BenchResult> {
  const sampler = await MemorySampler.create();
  const run = new Run(sampler);
  const work = mkdtempSync(path.join(os.tmpdir(), 'hubday-bench-run-'));
  let pgBase: PgBaseline | null = null;
  try {
    const dataDir = opts.dir ?? defaultDataDir(os.tmpdir(), opts.size, opts.seed);
    const ds = await prepareDataset({ size: opts.size, seed: opts.seed, dir: dataDir, log });
    const c = ds.company;
    const lateFile = path.join(work, 'late-badges.csv');
    await writeLateEvents(c, lateFile, opts.seed, LATE_EVENTS);
    const subjects = pickSubjects(ds);

    let pgVersion: string | null = null;
    let pgPid: number | null = null;
    if (opts.pgUrl) {
      pgVersion = String((await adminQuery<{ server_version: string }>(opts.pgUrl, 'SHOW server_version'))[0]!.server_version);
      pgPid = await postmasterPid(opts.pgUrl);
      if (pgPid === null) log('the PostgreSQL server is not on this machine (or /proc is not readable): its memory is not sampled');
    }

    // (a) The floor.
    await run.step('baseline', 'floor', '(a) floor: read badges.csv and count its lines (Node)', null, () => countLines(c.files.badges),
      (v) => ({ rows: v.lines - 1, note: `${(v.bytes / 1048576).toFixed(1)} MiB` }));

    // (b) DuckDB, one statement. Its result goes to a Parquet file for the agreement check, and the instance is closed.
    const duckParquet = path.join(work, 'duckdb-weekly.parquet');
    let duckVersion: string | null = null;
    let duckThreads: number | null = null;
    let duckOk = false;
    let statementAgain: ((pair: number) => Promise<number | null>) | null = null;
    {
      const session = await openDuckdb().catch((e) => {
        run.failures.push(`DuckDB: ${(e as Error).message}`);
        return null;
      });
      if (session) {
        duckVersion = session.version;
        duckThreads = session.threads;
        try {
          const rows = await run.step('baseline', 'duckdb', '(b) DuckDB: weekly present days in one statement over the CSV files', null,
            () => duckdbWeekly(session, 'weekly', [c.files.badges], c.files.offices),
            (n) => ({ rows: c.counts.badgeEvents, note: `${n.toLocaleString('en-US')} (employee, week) rows` }));
          if (rows !== null) {
            await session.con.run(`COPY weekly TO ${sqlString(duckParquet)} (FORMAT parquet)`);
            duckOk = true;
          }
        } finally {
          session.close();
        }
      }
    }

    // (c) PostgreSQL: COPY into an unindexed table, then the same statement.
    if (opts.pgUrl) {
      const base = await openPgBaseline(opts.pgUrl, { badges: c.files.badges, offices: c.files.offices }).catch((e) => {
        run.failures.push(`PostgreSQL baseline: ${(e as Error).message}`);
        return null;
      });
      if (base) {
        // Kept open until the end: the pairs after the first run the statement again, beside evaluate.
        pgBase = base;
        const copied = await run.step('baseline', 'pg_copy', '(c) PostgreSQL: COPY badges.csv into an unindexed table', pgPid, () => base.copy(), (n) => ({ rows: n }));
        if (copied !== null) {
          const describe = (n: number) => ({ rows: copied, note: `${n.toLocaleString('en-US')} (employee, week) rows` });
          const first = await run.step('baseline', 'pg_statement', '(c) PostgreSQL: the same statement on that table', pgPid, () => base.statement(), describe);
          if (first !== null) {
            statementAgain = async (pair) => {
              await base.reset();
              return run.step('baseline', 'pg_statement', `(c) the statement again (pair ${pair}: right before evaluate)`, pgPid, () => base.statement(), describe);
            };
          }
        } else run.skip('baseline', 'pg_statement', '(c) PostgreSQL: the same statement on that table', 'not run: the COPY failed');
      }
    } else {
      run.skip('baseline', 'pg_copy', '(c) PostgreSQL: COPY badges.csv into an unindexed table', 'n/a: no PostgreSQL server');
      run.skip('baseline', 'pg_statement', '(c) PostgreSQL: the same statement on that table', 'n/a: no PostgreSQL server');
    }

    // The stores.
    const outputs = new Map<StoreName, StoreOutputs>();
    for (const kind of opts.stores) outputs.set(kind, await runStore(run, kind, opts, ds, work, lateFile, subjects, pgPid, statementAgain));

    // The agreement check.
    log('agreement check…');
    const lastMonday = addDays(c.to as LocalDate, -6);
    const check = { employeesCsv: c.files.employees, policyFiles: c.files.policies, firstMonday: c.from, lastMonday };
    const session = await openDuckdb();
    try {
      for (const kind of opts.stores) {
        const out = outputs.get(kind)!;
        if (!out.weeklyCsv || !duckOk) {
          run.agreements.push({ store: kind, stage: 'after evaluate', agreement: null, error: !duckOk ? 'the DuckDB baseline did not run' : 'the evaluation did not run' });
          run.failures.push(`${kind}: agreement not checked`);
          continue;
        }
        const agreement = await compareWeekly(session, { ...check, hubCsv: out.weeklyCsv, duck: { parquet: duckParquet } });
        run.agreements.push({ store: kind, stage: 'after evaluate', agreement });
        if (agreement.agreed !== agreement.total || agreement.total === 0) run.failures.push(`${kind}: ${agreement.total - agreement.agreed} of ${agreement.total} weekly counts disagree with DuckDB`);
      }
      // After the late events: DuckDB over both files, against the stores that re-evaluated.
      const afterLate = opts.stores.filter((k) => outputs.get(k)!.weeklyAfterLateCsv);
      if (afterLate.length > 0) {
        await duckdbWeekly(session, 'weekly_late', [c.files.badges, lateFile], c.files.offices);
        for (const kind of afterLate) {
          const agreement = await compareWeekly(session, { ...check, hubCsv: outputs.get(kind)!.weeklyAfterLateCsv!, duck: { table: 'weekly_late' } });
          run.agreements.push({ store: kind, stage: `after the ${LATE_EVENTS.toLocaleString('en-US')} late events and evaluateChanged`, agreement });
          if (agreement.agreed !== agreement.total) run.failures.push(`${kind}: after the late events, ${agreement.total - agreement.agreed} of ${agreement.total} weekly counts disagree with DuckDB`);
        }
      }
    } finally {
      session.close();
    }

    // The demo from nothing (small only).
    if (opts.size === 'small') {
      await run.step('demo', 'demo', 'hubday demo --employees 5000 from nothing to the overview (PGlite, child process, wall clock)', null,
        () => runDemoChild(), (v) => ({ memory: null, seconds: v.seconds, note: v.lastLine }));
    }

    const partial: Omit<BenchResult, 'targets' | 'ok'> = {
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      command: opts.command,
      smoke: opts.smoke,
      size: opts.size,
      machine: {
        cores: os.cpus().length,
        memoryGib: os.totalmem() / 1024 ** 3,
        cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
        node: process.version,
        postgres: pgVersion,
        pglite: pgliteVersion(),
        duckdb: duckVersion,
        duckdbThreads: duckThreads,
      },
      data: {
        employees: c.counts.employees, weeks: SIZES[opts.size].weeks, offices: c.counts.offices, events: c.counts.badgeEvents,
        badgeMib: ds.badgeBytes / 1048576, from: c.from, to: c.to, seed: opts.seed, dir: ds.dir, reused: ds.reused, generateSeconds: ds.generateSeconds,
      },
      stores: opts.stores,
      run: runClock(),
      steps: run.steps,
      agreements: run.agreements,
      failures: run.failures,
    };
    const targets = computeTargets(partial);
    return { ...partial, targets, ok: run.failures.length === 0 };
  } finally {
    await pgBase?.close().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
    await sampler.close();
  }
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let opts: BenchOptions;
  try {
    opts = parseOptions(argv, env);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`bench: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
  log(`${opts.smoke ? 'smoke run' : `size ${opts.size}`}, stores ${opts.stores.join(', ')}, seed ${opts.seed}`);
  const result = await runBench(opts);
  const report = renderReport(result);
  process.stdout.write('\n' + report + '\n');
  if (opts.jsonOut) writeFileSync(opts.jsonOut, JSON.stringify(result, null, 2) + '\n');
  if (opts.append && result.ok) {
    const file = path.join(REPO_ROOT, 'BENCHMARKS.md');
    appendToBenchmarks(file, report);
    log(`appended to ${file}`);
  } else if (opts.append) log('not appended to BENCHMARKS.md: the run failed');
  if (!result.ok) log(`FAILED: ${result.failures.join('; ')}`);
  return result.ok ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2), process.env).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`bench: ${(e as Error)?.stack ?? e}\n`);
      process.exitCode = 1;
    },
  );
}
