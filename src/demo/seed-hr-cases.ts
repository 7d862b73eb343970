/**
 * Demo seeder for exceptions, relocations, disputes and outages: a few realistic cases on the
 * generated company, created through the use cases (so they are checked by the same rules and
 * recorded in the audit log) by the people who would really act.
 */
// The demo's policies keep the default VP level (they set no vpLevel).
import { POLICY_DEFAULTS } from '../engine/policy.js';
import type { DemoSeedContext, DemoSeeder } from './seed-context.js';
import type { Deps } from '../use-cases/deps.js';
import { fixedClock } from '../use-cases/deps.js';
import { type LocalDate, addDays } from '../engine/dates.js';
import type { Actor } from '../engine/org.js';
import { resolveActor } from '../use-cases/actor.js';
import { managementChain } from '../store/org.repository.js';
import { readWeeklyRecords } from '../store/compliance.repository.js';
import { vpOf } from '../engine/org.js';
import { decideException, requestException } from '../use-cases/exceptions.js';
import { assignRelocation, respondRelocation } from '../use-cases/relocations.js';
import { declareOutage, openDispute, resolveDispute } from '../use-cases/disputes.js';

interface Person {
  employee_id: string;
  manager_id: string | null;
  home_office_id: string;
}

/** Active people fit for a case: not HR, with a manager, hired well before the window. */
async function people(deps: Deps, ctx: DemoSeedContext, where: string, params: unknown[] = []): Promise<Person[]> {
  return deps.db.query<Person>(
    `SELECT e.employee_id, e.manager_id, e.home_office_id FROM employee e
     WHERE e.termination_date IS NULL AND e.manager_id IS NOT NULL AND e.hire_date < $1::date - 120
       AND NOT (e.employee_id = ANY($2::text[])) AND e.job_family IS DISTINCT FROM 'hr' AND ${where}
     ORDER BY e.employee_id`,
    [ctx.from, ctx.hr, ...params],
  );
}

function pick<T>(list: readonly T[], ctx: DemoSeedContext, taken: Set<string>, id: (t: T) => string): T | null {
  const free = list.filter((x) => !taken.has(id(x)));
  if (free.length === 0) return null;
  const chosen = free[Math.floor(ctx.random() * free.length)]!;
  taken.add(id(chosen));
  return chosen;
}

export const seedHrCasesDemo: DemoSeeder = async (deps, ctx) => {
  const lines: string[] = [];
  if (ctx.hr.length < 2) return ['(exceptions, relocations, disputes: skipped, the demo has fewer than two HR people)'];
  const as = (id: string): Promise<Actor> => resolveActor(deps, id);
  const [hr1, hr2] = [ctx.hr[0]!, ctx.hr[1]!];
  const taken = new Set<string>();
  const today = ctx.today;
  const last = ctx.lastMonday;

  // Non-compliant last week, hybrid: the people whose exceptions and disputes visibly change a week.
  const nonCompliant = await people(deps, ctx,
    `e.arrangement = 'hybrid' AND EXISTS (SELECT 1 FROM weekly_compliance w WHERE w.employee_id = e.employee_id AND w.week_start = $3::date AND w.status = 'non_compliant')`,
    [last]);
  const withVp = await people(deps, ctx,
    `e.arrangement = 'hybrid' AND e.level <= 6 AND EXISTS (SELECT 1 FROM employee m WHERE m.employee_id = e.manager_id AND m.level < ${POLICY_DEFAULTS.vpLevel})`);

  // Exceptions.
  const acc = pick(nonCompliant, ctx, taken, (p) => p.employee_id);
  if (acc) {
    const x = await requestException(deps, await as(acc.employee_id), {
      employeeId: acc.employee_id, kind: 'accommodation', from: addDays(last, -14), to: addDays(today, 120), effect: 'reduced', daysPerWeek: 1,
      reason: 'Mobility impairment after surgery; physiotherapist letter on file',
    });
    await decideException(deps, await as(hr1), { exceptionId: x.exceptionId, decision: 'approve', note: 'Letter checked; review in four months' });
    lines.push(`exception ${x.exceptionId}: ${acc.employee_id}'s approved accommodation (1 day a week); reason readable only by them and HR:`);
    lines.push(`  npx hubday exception show ${x.exceptionId} --as ${acc.employee_id}    vs    --as ${acc.manager_id}`);
  }
  const expiring = pick(nonCompliant, ctx, taken, (p) => p.employee_id);
  if (expiring) {
    const x = await requestException(deps, await as(expiring.manager_id!), {
      employeeId: expiring.employee_id, kind: 'caregiving', from: addDays(last, -21), to: addDays(today, 9), effect: 'exempt', daysPerWeek: null,
      reason: 'Caring for a parent after a hospital stay',
    });
    await decideException(deps, await as(hr2), { exceptionId: x.exceptionId, decision: 'approve' });
    lines.push(`exception ${x.exceptionId}: ${expiring.employee_id}'s caregiving exemption ends ${addDays(today, 9)}: npx hubday exception notify-expiring`);
  }
  const remote = pick(withVp, ctx, taken, (p) => p.employee_id);
  if (remote) {
    const x = await requestException(deps, await as(remote.manager_id!), {
      employeeId: remote.employee_id, kind: 'remote_role', from: addDays(today, 14), to: addDays(today, 14 + 364), effect: 'exempt', daysPerWeek: null,
      reason: 'Field sales territory with no office nearby',
    });
    const vp = vpOf((await managementChain(deps.db, remote.employee_id)) ?? [], POLICY_DEFAULTS.vpLevel);
    lines.push(`exception ${x.exceptionId}: a pending remote_role request by ${remote.manager_id} for ${remote.employee_id}; only their VP${vp ? ` (${vp})` : ''} or above decides:`);
    lines.push(`  npx hubday exception list --to-decide --as ${vp ?? 'VP_ID'}    then    npx hubday exception approve ${x.exceptionId} --as ${vp ?? 'VP_ID'}`);
  }
  const temp = pick(withVp, ctx, taken, (p) => p.employee_id);
  if (temp) {
    const x = await requestException(deps, await as(temp.employee_id), {
      employeeId: temp.employee_id, kind: 'temporary', from: addDays(today, 7), to: addDays(today, 34), effect: 'reduced', daysPerWeek: 2,
      reason: 'Kitchen renovation at home office building; long commute detour',
    });
    lines.push(`exception ${x.exceptionId}: ${temp.employee_id}'s pending temporary request: npx hubday exception list --pending --as ${hr1}`);
  }

  // Relocations: one assigned (deadline ahead), one overdue (assigned two months ago, accepted, not moved).
  const remotes = await people(deps, ctx, `e.arrangement = 'remote'`);
  const hubs = await deps.db.query<{ office_id: string }>(
    `SELECT home_office_id AS office_id FROM employee WHERE arrangement <> 'remote' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 2`);
  const hub = hubs[0]?.office_id;
  const r1 = pick(remotes, ctx, taken, (p) => p.employee_id);
  if (r1 && hub) {
    await assignRelocation(deps, await as(hr1), { employeeId: r1.employee_id, hub, deadline: addDays(today, 63) });
    lines.push(`relocation: ${r1.employee_id} assigned to ${hub} by ${addDays(today, 63)}: npx hubday relocation accept ${r1.employee_id} --as ${r1.employee_id}`);
  }
  const r2 = pick(remotes, ctx, taken, (p) => p.employee_id);
  if (r2 && hub) {
    // Assigned two months ago with a deadline two weeks ago: the past is replayed with that day's clock.
    const then: Deps = { ...deps, clock: fixedClock(`${addDays(today, -60)}T10:00:00Z`) };
    await assignRelocation(then, await resolveActor(then, hr2), { employeeId: r2.employee_id, hub: hubs[1]?.office_id ?? hub, deadline: addDays(today, -14) });
    await respondRelocation(then, await resolveActor(then, r2.employee_id), { employeeId: r2.employee_id, answer: 'accept' });
    lines.push(`relocation: ${r2.employee_id} is overdue (deadline ${addDays(today, -14)}): npx hubday relocation list --overdue --as ${hr1}; npx hubday relocation check-overdue --as ${hr1}`);
  }

  // Disputes: claims for workdays of last week with no presence; one approved by the manager.
  const claimants: { p: Person; day: LocalDate }[] = [];
  for (let i = 0; i < 3; i++) {
    const p = pick(nonCompliant, ctx, taken, (x) => x.employee_id);
    if (!p) break;
    const week = (await readWeeklyRecords(deps.db, [p.employee_id], last, last)).get(p.employee_id)?.get(last);
    const present = new Set((week?.presentDays ?? []).map((d) => d.date as string));
    const excused = new Set((week?.excusedDays ?? []).map((d) => d.date as string));
    const day = [1, 2, 3, 0, 4].map((n) => addDays(last, n)).find((x) => !present.has(x) && !excused.has(x) && x < today);
    if (day) claimants.push({ p, day });
  }
  const reasons = ['Badge reader at the north entrance was down all morning', 'Forgot my badge; signed in at reception', 'Temporary badge from security, not linked to my profile'];
  const opened: string[] = [];
  for (const [i, c] of claimants.entries()) {
    const d = await openDispute(deps, await as(c.p.employee_id), { employeeId: c.p.employee_id, day: c.day, officeId: c.p.home_office_id, reason: reasons[i]!, otherReviewer: i === 1 });
    opened.push(d.disputeId);
    if (i === 2) {
      await resolveDispute(deps, await as(c.p.manager_id!), { disputeId: d.disputeId, decision: 'approve', note: 'Confirmed with reception' });
      lines.push(`dispute ${d.disputeId}: approved; ${c.day} is an attested present day: npx hubday compliance ${c.p.employee_id} --from ${last} --to ${addDays(last, 6)}`);
    } else {
      lines.push(`dispute ${d.disputeId}: open for ${c.p.employee_id} on ${c.day}${i === 1 ? ' (asked for a reviewer other than the manager)' : ''}: npx hubday dispute list --to-review --as ${i === 1 ? hr1 : c.p.manager_id}`);
    }
  }

  // An outage: the badge readers of the second-largest hub were down on last week's Thursday.
  const outageOffice = hubs[1]?.office_id ?? hub;
  if (outageOffice) {
    const o = await declareOutage(deps, await as(hr1), { officeId: outageOffice, from: addDays(last, 3), to: addDays(last, 3), reason: 'Badge readers offline after a network switch failure' });
    lines.push(`outage ${o.outage.outageId}: ${outageOffice} on ${addDays(last, 3)} excused for ${o.employees} people (${o.reevaluated} weeks re-evaluated): npx hubday outage list`);
  }
  return lines;
};
