/**
 * Demo: promotion nominations on both sides of the standing line, and discipline cases at each
 * step, created through the use cases (so they are checked and audited like any other).
 *
 * Discipline steps need weeks and waits between them, so past steps are taken with the use-case
 * clock set to the day they happened. The days are planned first with the pure transition function
 * (engine/discipline.ts) over each candidate's stored weeks, so that every step the demo records
 * is one the rules allow on that day.
 */
import type { DemoSeeder, DemoSeedContext } from './seed-context.js';
import { fixedClock, type Deps } from '../use-cases/deps.js';
import { type LocalDate, addDays, isoWeekOf, mondaysBetween } from '../engine/dates.js';
import { vpOf, skipLevelOf, type Actor, type Chain } from '../engine/org.js';
import type { WeekStatus } from '../engine/types.js';
import {
  newCase, resolutionCheck, transition,
  type CaseState, type DisciplineAction, type DisciplineEvidence, type DisciplineRules, type EvidenceWeek,
} from '../engine/discipline.js';
import { resolveActor } from '../use-cases/actor.js';
import { loadSubjects, standingEvidenceOf, type Subject } from '../use-cases/promotions.js';
import { approvePromotion, nominatePromotion } from '../use-cases/promotions.js';
import { acknowledge, escalate, hrReview, refuseAcknowledgement, warn } from '../use-cases/discipline.js';
import { HubdayError } from '../errors.js';

const STATUS_OF: Record<string, WeekStatus> = { C: 'compliant', N: 'non_compliant', E: 'excused', X: 'exempt', G: 'grace' };

/** Candidates: employed people with a manager, not HR, with their stored weeks as letters (one per week from ctx.from). */
async function candidates(deps: Deps, ctx: DemoSeedContext, minNonCompliant: number, limit: number): Promise<{ id: string; weeks: string }[]> {
  const rows = await deps.db.query<{ employee_id: string; weeks: string }>(
    `SELECT w.employee_id,
            string_agg(CASE w.status WHEN 'compliant' THEN 'C' WHEN 'non_compliant' THEN 'N' WHEN 'excused' THEN 'E' WHEN 'exempt' THEN 'X' WHEN 'grace' THEN 'G' ELSE '-' END,
                       '' ORDER BY w.week_start) AS weeks
     FROM weekly_compliance w JOIN employee e ON e.employee_id = w.employee_id
     WHERE w.week_start BETWEEN $1::date AND $2::date AND e.manager_id IS NOT NULL AND e.termination_date IS NULL
       AND NOT (e.employee_id = ANY($3::text[])) AND NOT (e.manager_id = ANY($3::text[])) AND e.level <= 8
       AND NOT EXISTS (SELECT 1 FROM exception_grant x WHERE x.employee_id = e.employee_id)
       AND NOT EXISTS (SELECT 1 FROM dispute x WHERE x.employee_id = e.employee_id)
     GROUP BY w.employee_id
     HAVING count(*) = $4 AND count(*) FILTER (WHERE w.status = 'non_compliant') >= $5
     ORDER BY md5(w.employee_id) LIMIT $6`,
    [ctx.from, ctx.to, ctx.hr, mondaysBetween(ctx.from, ctx.to).length, minNonCompliant, limit],
  );
  return rows.map((r) => ({ id: r.employee_id, weeks: r.weeks }));
}

function shuffle<T>(list: T[], random: () => number): T[] {
  const a = list.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

type Target = 'awaiting_ack' | 'written' | 'termination' | 'resolvable';

interface Plan {
  verbal: LocalDate;
  ack1?: LocalDate;
  written?: LocalDate;
  ack2?: LocalDate;
  review?: LocalDate;
  termination?: LocalDate;
  counted: LocalDate[];
}

/** Plans the days of a case's steps with the engine (the same rules the use cases apply). */
function plan(target: Target, employeeId: string, letters: string, rules: DisciplineRules, ctx: DemoSeedContext): Plan | null {
  const weeks: EvidenceWeek[] = [...letters].map((c, i) => ({
    weekStart: addDays(ctx.from, 7 * i), status: STATUS_OF[c] ?? 'no_policy', present: 0, required: 0, policy: null, openDispute: false,
  }));
  const M: Actor = { id: '~manager', kind: 'person', roles: [] };
  const E: Actor = { id: employeeId, kind: 'person', roles: [] };
  const H: Actor = { id: '~hr', kind: 'person', roles: ['hr'] };
  const chain: Chain = [{ employeeId, level: 5, managerId: '~manager' }, { employeeId: '~manager', level: 7, managerId: null }];
  const ev = (today: LocalDate): DisciplineEvidence => ({ today, weeks, exception: null, employed: true, previousCaseClosedOn: null });
  const step = (s: CaseState, a: DisciplineAction, actor: Actor, day: LocalDate): CaseState | null => {
    const r = transition(s, a, actor, chain, ev(day), rules);
    return r.ok ? r.next : null;
  };
  /** The first day in [from, to] on which the action is allowed. */
  const first = (s: CaseState, a: DisciplineAction, actor: Actor, from: LocalDate, to: LocalDate): [LocalDate, CaseState] | null => {
    for (let d = from; d <= to; d = addDays(d, 1)) {
      const next = step(s, a, actor, d);
      if (next) return [d, next];
    }
    return null;
  };
  const today = ctx.today;
  const start = addDays(ctx.from, 7);
  if (target === 'awaiting_ack') {
    // The latest day of the last fortnight on which a verbal warning is allowed.
    for (let d = addDays(today, -1); d >= addDays(today, -14); d = addDays(d, -1)) {
      const s = step(newCase(employeeId), { kind: 'step', step: 'verbal_warning' }, M, d);
      if (s) return { verbal: d, counted: [...s.steps[0]!.countedWeeks] };
    }
    return null;
  }
  const v = first(newCase(employeeId), { kind: 'step', step: 'verbal_warning' }, M, start, addDays(today, -2));
  if (!v) return null;
  const ack1 = addDays(v[0], 1);
  let s = step(v[1], { kind: 'acknowledge' }, E, ack1);
  if (!s) return null;
  const base: Plan = { verbal: v[0], ack1, counted: [...v[1].steps[0]!.countedWeeks] };
  if (target === 'resolvable') return resolutionCheck(s, ev(today), rules).eligible ? base : null;
  const w = first(s, { kind: 'step', step: 'written_warning' }, M, addDays(ack1, 1), addDays(today, -2));
  if (!w) return null;
  const ack2 = addDays(w[0], 1);
  if (target === 'written') return step(w[1], { kind: 'refuse_ack', reason: 'x' }, M, ack2) ? { ...base, written: w[0], ack2 } : null;
  s = step(w[1], { kind: 'acknowledge' }, E, ack2);
  if (!s) return null;
  s = step(s, { kind: 'hr_review', approve: true }, H, ack2);
  if (!s) return null;
  const t = first(s, { kind: 'step', step: 'termination_eligible' }, M, ack2, addDays(today, -1));
  if (!t) return null;
  return { ...base, written: w[0], ack2, review: ack2, termination: t[0] };
}

function rulesOf(s: Subject): DisciplineRules {
  return { ...s.discipline, lookbackWeeks: s.standingParams.windowWeeks };
}

function at(deps: Deps, day: LocalDate): Deps {
  return { ...deps, clock: fixedClock(`${day}T16:00:00Z`) };
}

function weekList(mondays: readonly LocalDate[]): string {
  return mondays.map((m) => isoWeekOf(m)).join(', ');
}

/** Runs a planned case through the use cases; returns its id. */
async function execute(deps: Deps, target: Target, subject: Subject, p: Plan, hr: string): Promise<string> {
  const id = subject.employee.employeeId;
  const managerId = subject.chain[1]!.employeeId;
  const manager = await resolveActor(deps, managerId);
  const employee = await resolveActor(deps, id);
  const c = await warn(at(deps, p.verbal), manager, {
    employeeId: id, step: 'verbal_warning', reason: `Below the office-day requirement in ${weekList(p.counted)}; discussed in our 1:1 and agreed to plan office days ahead.`,
  });
  if (target === 'awaiting_ack') return c.caseId;
  await acknowledge(at(deps, p.ack1!), employee, { caseId: c.caseId });
  if (target === 'resolvable') return c.caseId;
  await warn(at(deps, p.written!), manager, {
    employeeId: id, step: 'written_warning', reason: 'Still below the requirement after the verbal warning; written warning handed over in person.',
  });
  if (target === 'written') {
    await refuseAcknowledgement(at(deps, p.ack2!), manager, { caseId: c.caseId, reason: `Declined to sign the written warning in the meeting of ${p.ack2}; ${hr} (HR) present.` });
    return c.caseId;
  }
  await acknowledge(at(deps, p.ack2!), employee, { caseId: c.caseId });
  await hrReview(at(deps, p.review!), await resolveActor(deps, hr), { caseId: c.caseId, approve: true, reason: 'Steps, waits and evidence checked; no exception requested or pending.' });
  await escalate(at(deps, p.termination!), manager, { caseId: c.caseId, reason: 'No improvement after the written warning and the HR review.' });
  return c.caseId;
}

export const seedPromotionsDisciplineDemo: DemoSeeder = async (deps, ctx) => {
  const lines: string[] = [];
  const today = ctx.today;

  // ---- Promotions: two nominations each side of the standing line, and one decided by a VP.
  const pool = await candidates(deps, ctx, 0, 600);
  const subjects = await loadSubjects(deps.db, pool.map((c) => c.id), today);
  const usable = shuffle([...subjects.values()], ctx.random).filter((s) => {
    const vp = vpOf(s.chain, s.vpLevel);
    const skip = skipLevelOf(s.chain);
    // A chain with a VP above the manager's manager, so that the two rules name different people.
    return s.employee.level < 9 && vp !== null && skip !== null && vp !== skip && vp !== s.chain[1]!.employeeId;
  }).slice(0, 150);
  const standings = await standingEvidenceOf(deps, usable, today);
  const good = usable.filter((s) => standings.get(s.employee.employeeId)!.goodStanding && standings.get(s.employee.employeeId)!.counted > 0).slice(0, 2);
  const notGood = usable.filter((s) => !standings.get(s.employee.employeeId)!.goodStanding).slice(0, 3);
  const made: { id: string; side: 'good' | 'not good'; approver: string; subject: Subject }[] = [];
  for (const [list, side] of [[good, 'good'], [notGood, 'not good']] as const) {
    for (const s of list) {
      const manager = await resolveActor(deps, s.chain[1]!.employeeId);
      const p = await nominatePromotion(deps, manager, {
        employeeId: s.employee.employeeId, toLevel: s.employee.level + 1,
        reason: side === 'good' ? 'Consistently exceeds expectations; ready for the next level.' : 'Critical to the launch; strong results despite a difficult commute.',
      });
      made.push({ id: p.promotionId, side, approver: side === 'good' ? skipLevelOf(s.chain)! : vpOf(s.chain, s.vpLevel)!, subject: s });
    }
  }
  // The third nomination of someone not in good standing is decided by their VP.
  const decided = made.filter((m) => m.side === 'not good')[2];
  if (decided) await approvePromotion(deps, await resolveActor(deps, decided.approver), { promotionId: decided.id, reason: 'Business-critical role; attendance discussed with the manager.' });
  const pending = made.filter((m) => m !== decided);
  const n = pending.find((m) => m.side === 'not good');
  lines.push(`promotions: ${pending.length} pending (${pending.filter((m) => m.side === 'good').length} in good standing: the skip level or HR decides; ${pending.filter((m) => m.side === 'not good').length} not: only the VP or above)${decided ? `, ${decided.id} approved by the VP ${decided.approver}` : ''}`);
  if (n) {
    lines.push(`npx hubday promotion list --pending --as ${n.approver}   (${n.approver}, the VP of ${n.subject.employee.employeeId}, sees what they may decide)`);
    lines.push(`npx hubday promotion approve ${n.id} --as ${n.subject.chain[2]!.employeeId}   (refused: ${n.subject.employee.employeeId} is not in good standing, the skip level may not)`);
  }
  for (const m of pending) {
    lines.push(`npx hubday promotion approve ${m.id} --as ${m.approver}   (${m.subject.employee.employeeId} ${m.side === 'good' ? 'is in good standing: the manager\'s manager (or HR) decides' : 'is not in good standing: their VP decides'})`);
  }
  if (ctx.hr[0]) lines.push(`npx hubday promotion list --as ${ctx.hr[0]}   (HR sees every nomination and its rule)`);

  // ---- Discipline: one case at each step.
  const chronic = shuffle(await candidates(deps, ctx, 2, 3000), ctx.random);
  const subjectsD = await loadSubjects(deps.db, chronic.map((c) => c.id), today);
  const nominated = new Set(made.map((m) => m.subject.employee.employeeId));
  const wanted: Target[] = ['termination', 'written', 'resolvable', 'awaiting_ack'];
  const cases = new Map<Target, { caseId: string; employeeId: string; managerId: string }>();
  const hr = ctx.hr[0];
  for (const c of chronic) {
    if (cases.size === wanted.length) break;
    const s = subjectsD.get(c.id);
    if (!s || nominated.has(c.id) || s.chain.length < 2) continue;
    for (const target of wanted) {
      if (cases.has(target) || (target === 'termination' && !hr) || (target === 'written' && !hr)) continue;
      // Warnings go to people out of compliance in at least 4 of the last 12 weeks (not in good standing), and a
      // warning waiting for acknowledgement to someone out of compliance last week; a resolvable case only needs its start.
      if (target !== 'resolvable' && [...c.weeks.slice(-12)].filter((x) => x === 'N').length < 4) continue;
      if (target === 'awaiting_ack' && !c.weeks.endsWith('N')) continue;
      const p = plan(target, c.id, c.weeks, rulesOf(s), ctx);
      if (!p) continue;
      try {
        const caseId = await execute(deps, target, s, p, hr ?? '');
        cases.set(target, { caseId, employeeId: c.id, managerId: s.chain[1]!.employeeId });
      } catch (e) {
        // A rule the plan could not see: say so, and try someone else (the steps already taken stay, as in real use).
        if (!(e instanceof HubdayError)) throw e;
        deps.log(`demo: no ${target} case for ${c.id}: ${e.message}`);
      }
      break;
    }
  }
  const desc: Record<Target, string> = {
    termination: 'termination eligible', written: 'written warning (acknowledgement refused), waiting for an HR review',
    resolvable: 'verbal warning, then enough compliant weeks: eligible to close as resolved', awaiting_ack: 'verbal warning waiting for acknowledgement',
  };
  lines.push(`discipline: ${cases.size} cases: ${wanted.filter((t) => cases.has(t)).map((t) => `${cases.get(t)!.caseId} ${desc[t]}`).join('; ') || 'none (no one was out of compliance long enough)'}`);
  if (hr) lines.push(`npx hubday discipline list --as ${hr}`);
  const wait = cases.get('awaiting_ack');
  if (wait) lines.push(`npx hubday discipline acknowledge ${wait.caseId} --as ${wait.employeeId}   (the employee acknowledges their warning)`);
  const res = cases.get('resolvable');
  if (res) lines.push(`npx hubday discipline close ${res.caseId} --outcome resolved --reason "back to three days a week" --as ${res.managerId}`);
  const wr = cases.get('written');
  if (wr && hr) lines.push(`npx hubday discipline hr-review ${wr.caseId} --approve --reason "…" --as ${ctx.hr[1] ?? hr}`);
  const term = cases.get('termination');
  if (term) lines.push(`npx hubday discipline show ${term.caseId} --as ${term.employeeId}   (the person sees their own case and its evidence)`);
  return lines;
};
