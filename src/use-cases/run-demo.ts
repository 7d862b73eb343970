/**
 * `hubday demo`: generates a synthetic company (CSV files and policies), imports
 * it through the same importers a user runs, evaluates it and returns the
 * figures of an overview.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Deps } from './deps.js';
import { type LocalDate, addDays, mondayOf } from '../engine/dates.js';
import { generateCompany } from '../demo/generate-company.js';
import { importFile, type ImportSummary } from './import-file.js';
import { applyPolicy } from './apply-policy.js';
import { evaluateWeeks, type EvaluateSummary } from './evaluate-weeks.js';
import { getCompliance } from './get-compliance.js';
import { complianceByGroup, statusCounts, storeCounts, resetStore, type GroupRow } from '../store/analytics.repository.js';
import type { WeeklyRecord } from '../engine/types.js';
import { HubdayError } from '../errors.js';
import { isoWeekOf } from '../engine/dates.js';
import { OPERATOR } from '../engine/org.js';
import { Rng, mixSeed } from '../demo/random.js';
import { DEMO_SEEDERS } from '../demo/seeders.js';
import { grantRole } from './roles.js';

export interface DemoOptions {
  employees: number;
  weeks: number;
  seed: number;
  reset: boolean;
  /** Keep the generated CSV files in this folder instead of a temporary one. */
  keepFiles?: string;
}

export interface DemoOverview {
  employees: number;
  offices: number;
  events: number;
  from: LocalDate;
  to: LocalDate;
  lastWeek: LocalDate;
  imports: ImportSummary[];
  evaluation: EvaluateSummary;
  timings: { generateMs: number; importMs: number; evaluateMs: number; totalMs: number };
  byOrg: GroupRow[];
  byOffice: GroupRow[];
  lastWeekStatus: Record<string, number>;
  example: { employeeId: string; name: string; weeks: WeeklyRecord[] };
  exampleManagerId: string;
  /** People given the hr role. */
  hr: string[];
  /** What the workflow seeders created, and commands to try. */
  workflows: { name: string; lines: string[] }[];
}

/** Gives the hr role to a few senior people of the People org (HR business partners). */
async function grantDemoHr(deps: Deps): Promise<string[]> {
  const rows = await deps.db.query<{ employee_id: string }>(
    `SELECT employee_id FROM employee WHERE job_family = 'hr' AND termination_date IS NULL AND level BETWEEN 5 AND 9
     ORDER BY level DESC, employee_id LIMIT 3`,
  );
  const ids = rows.map((r) => r.employee_id);
  for (const id of ids) await grantRole(deps, OPERATOR, { employeeId: id, role: 'hr' });
  return ids;
}

/**
 * The Monday of the last complete ISO week before `today`: its Sunday is over (on a Sunday, the
 * week in progress is not complete yet). The same reading as the digests'.
 */
export function lastCompleteWeek(today: LocalDate): LocalDate {
  return addDays(mondayOf(today), -7);
}

export async function runDemo(deps: Deps, opts: DemoOptions): Promise<DemoOverview> {
  if (!Number.isInteger(opts.employees) || opts.employees < 20) throw new HubdayError('invalid_usage', '--employees must be a whole number of at least 20');
  if (!Number.isInteger(opts.weeks) || opts.weeks < 1 || opts.weeks > 104) throw new HubdayError('invalid_usage', '--weeks must be from 1 to 104');
  const before = await storeCounts(deps.db);
  if (before.employees > 0 || before.events > 0) {
    if (!opts.reset) {
      throw new HubdayError('conflict', `the store already holds ${before.employees} employees and ${before.events} badge events; run the demo on an empty store (--data DIR) or add --reset to empty this one`);
    }
    await resetStore(deps.db);
  }
  const t0 = Date.now();
  const dir = opts.keepFiles ?? mkdtempSync(join(tmpdir(), 'hubday-demo-'));
  try {
    const lastWeek = lastCompleteWeek(deps.clock.today());
    const company = await generateCompany({ employees: opts.employees, weeks: opts.weeks, lastWeekMonday: lastWeek, seed: opts.seed, outDir: dir });
    const t1 = Date.now();
    const imports: ImportSummary[] = [];
    imports.push(await importFile(deps, { kind: 'offices', file: company.files.offices }));
    imports.push(await importFile(deps, { kind: 'holidays', file: company.files.holidays }));
    imports.push(await importFile(deps, { kind: 'employees', file: company.files.employees }));
    imports.push(await importFile(deps, { kind: 'leave', file: company.files.leave }));
    imports.push(await importFile(deps, { kind: 'badges', file: company.files.badges }));
    for (const p of company.files.policies) await applyPolicy(deps, { file: p });
    const t2 = Date.now();
    const evaluation = await evaluateWeeks(deps, { from: company.from as LocalDate, to: company.to as LocalDate });
    const t3 = Date.now();
    const hr = await grantDemoHr(deps);
    const rng = new Rng(mixSeed(opts.seed, 4));
    const seedCtx = {
      from: company.from as LocalDate, to: company.to as LocalDate, lastWeek: isoWeekOf(lastWeek), lastMonday: lastWeek,
      today: deps.clock.today(), hr, random: () => rng.float(),
    };
    const workflows: { name: string; lines: string[] }[] = [];
    for (const s of DEMO_SEEDERS) workflows.push({ name: s.name, lines: await s.seed(deps, seedCtx) });
    const after = await storeCounts(deps.db);
    const byOrg = await complianceByGroup(deps.db, 'org', lastWeek, lastWeek);
    const byOffice = await complianceByGroup(deps.db, 'office', lastWeek, lastWeek);
    const lastWeekStatus = await statusCounts(deps.db, lastWeek);
    const example = await getCompliance(deps, { employeeId: company.exampleEmployeeId, from: addDays(lastWeek, -21), to: addDays(lastWeek, 6) });
    return {
      employees: after.employees, offices: after.offices, events: after.events, from: company.from as LocalDate, to: company.to as LocalDate, lastWeek,
      imports, evaluation, timings: { generateMs: t1 - t0, importMs: t2 - t1, evaluateMs: t3 - t2, totalMs: Date.now() - t0 },
      byOrg, byOffice, lastWeekStatus,
      example: { employeeId: example.employeeId, name: example.name, weeks: example.weeks },
      exampleManagerId: company.exampleManagerId,
      hr, workflows,
    };
  } finally {
    if (!opts.keepFiles) rmSync(dir, { recursive: true, force: true });
  }
}
