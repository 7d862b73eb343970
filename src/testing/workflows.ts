/** Shared by the workflow use-case tests: a small evaluated company, refusals by code, stored weeks. */
import assert from 'node:assert/strict';
import type { Db } from '../store/db.js';
import { migrate } from '../store/migrate.js';
import { fixedClock, type Deps } from '../use-cases/deps.js';
import { importFile } from '../use-cases/import-file.js';
import { applyPolicy } from '../use-cases/apply-policy.js';
import { evaluateWeeks } from '../use-cases/evaluate-weeks.js';
import { grantRole } from '../use-cases/roles.js';
import { readWeeklyRecords } from '../store/compliance.repository.js';
import { insertRoleGrant } from '../store/org.repository.js';
import { OPERATOR } from '../engine/org.js';
import { HubdayError } from '../errors.js';
import { type LocalDate, addDays } from '../engine/dates.js';
import { writeFixtures } from './fixtures.js';

const d = (s: string) => s as LocalDate;

/**
 * Migrates, imports the fixture company (with `employeesCsv` in place of its employees file when
 * given), applies its policy, evaluates 2026-W47 and W48 with the clock at 2026-11-30 12:00 UTC,
 * and grants the hr role to `hr`.
 */
export async function setUpEvaluatedCompany(db: Db, opts: { employeesCsv?: string; hr?: readonly string[] } = {}): Promise<Deps> {
  await migrate(db);
  const deps: Deps = { db, clock: fixedClock('2026-11-30T12:00:00Z'), log: () => undefined };
  const fx = writeFixtures(opts.employeesCsv ? { employees: opts.employeesCsv } : {});
  for (const kind of ['offices', 'holidays', 'employees', 'leave', 'badges'] as const) await importFile(deps, { kind, file: fx[kind] });
  await applyPolicy(deps, { file: fx.policy });
  await evaluateWeeks(deps, { from: d('2026-11-16'), to: d('2026-11-29') });
  for (const id of opts.hr ?? []) await grantRole(deps, OPERATOR, { employeeId: id, role: 'hr' });
  return deps;
}

/** Awaits a promise that must be refused with this reason code (and error code, when given). */
export async function refused(p: Promise<unknown>, reason: string, code?: string): Promise<HubdayError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof HubdayError, `expected a HubdayError, got ${e}`);
    assert.equal(e.reason, reason, `${e.code}: ${e.message}`);
    if (code) assert.equal(e.code, code);
    return e;
  }
  assert.fail(`expected a refusal ${reason}`);
}

/** The stored weekly record of one employee and week. */
export async function storedWeek(db: Db, id: string, monday: string) {
  return (await readWeeklyRecords(db, [id], d(monday), d(monday))).get(id)?.get(d(monday));
}

/**
 * A badge file from weekly patterns per employee, from the Monday `start`: C = present
 * Tue–Thu, N = present Tue only (one badge-in at 16:30 UTC each day, at SEA1).
 */
export function badgesCsv(patterns: Record<string, string>, start = '2026-08-31'): string {
  const lines = ['event_id,employee_id,office_id,timestamp,direction'];
  for (const [id, p] of Object.entries(patterns)) {
    [...p].forEach((c, w) => {
      const monday = addDays(d(start), 7 * w);
      for (const k of c === 'C' ? [1, 2, 3] : [1]) lines.push(`${id}-${w}-${k},${id},SEA1,${addDays(monday, k)}T16:30:00Z,in`);
    });
  }
  return lines.join('\n') + '\n';
}

/**
 * The management chain of the promotion and discipline tests, above the reports a test adds:
 * C1 (11) → V1 (10) → D1 (8) → M1 (7), with X1 (7) beside M1 and HR H1, H2 under C1.
 */
export const CHAIN_CSV = `employee_id,email,name,manager_id,level,job_family,org,home_office_id,arrangement,hire_date,termination_date
C1,c1@example.com,Cleo Chief,,11,exec,Retail,SEA1,hybrid,2015-01-05,
V1,v1@example.com,Vera Vance,C1,10,product,Retail,SEA1,hybrid,2015-01-05,
D1,d1@example.com,Dan Director,V1,8,product,Retail,SEA1,hybrid,2016-01-04,
M1,m1@example.com,Mina Moss,D1,7,software_engineering,Retail,SEA1,hybrid,2018-03-01,
X1,x1@example.com,Xavi Other,D1,7,software_engineering,Retail,SEA1,hybrid,2018-03-01,
H1,h1@example.com,Hana People,C1,8,hr,People,SEA1,hybrid,2017-01-02,
H2,h2@example.com,Hugo People,C1,8,hr,People,SEA1,hybrid,2017-01-02,
`;

/** Three days a week, standing over 12 weeks at 75 %, a discipline step per two weeks out. */
export const CHAIN_POLICY = JSON.stringify({
  id: 'rto-3', name: 'Three days a week', effectiveFrom: '2025-01-06', daysPerWeek: 3,
  standing: { windowWeeks: 12, minRatio: 0.75 },
  discipline: { nonCompliantWeeksPerStep: 2, minDaysBetweenSteps: 7, compliantWeeksToResolve: 2 },
});

/**
 * CHAIN_CSV with the test's `reports` rows, badges from weekly `patterns` (badgesCsv), no leave or
 * holiday overrides, CHAIN_POLICY, the 13 weeks from 2026-08-31 evaluated with the clock at
 * `at` (default 2026-11-30 12:00 UTC), and the hr role given to H1 and H2.
 */
export async function setUpChainCompany(db: Db, opts: { reports: string; patterns: Record<string, string>; at?: string }) {
  await migrate(db);
  const deps: Deps = { db, clock: fixedClock(opts.at ?? '2026-11-30T12:00:00Z'), log: () => undefined };
  const fx = writeFixtures({
    employees: CHAIN_CSV + opts.reports, badges: badgesCsv(opts.patterns), policy: CHAIN_POLICY,
    leave: 'employee_id,start_date,end_date,kind,status\n', holidays: 'office_id,date,name,action\n',
  });
  for (const kind of ['offices', 'employees', 'badges'] as const) await importFile(deps, { kind, file: fx[kind] });
  await applyPolicy(deps, { file: fx.policy });
  await evaluateWeeks(deps, { from: d('2026-08-31'), to: d('2026-11-29') });
  // Straight into the store, as an operator set-up: no audit entry the tests would have to skip.
  for (const id of ['H1', 'H2']) await insertRoleGrant(db, id, 'hr', 'operator');
  return { deps, fx };
}
