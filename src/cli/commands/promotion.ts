/** `hubday promotion nominate|approve|deny|withdraw|list|show`: promotion gating on standing. */
import type { Command } from 'commander';
import { actorCommand, intArg, type CliContext } from '../context.js';
import { table } from '../format.js';
import type { StandingEvidence } from '../../engine/promotion.js';
import {
  approvePromotion, denyPromotion, listPromotions, nominatePromotion, showPromotion, withdrawPromotion, type PromotionView,
} from '../../use-cases/promotions.js';

type Opts = { as?: string; json?: boolean; reason?: string };

/** A standing snapshot as JSON, keys in a stable order (jsonb does not keep them). */
function presentEvidence(s: StandingEvidence | null): Record<string, unknown> | null {
  if (s === null) return null;
  return {
    asOf: s.asOf, from: s.from, to: s.to, windowWeeks: s.windowWeeks, measure: s.measure, minRatio: s.minRatio, counted: s.counted, compliant: s.compliant,
    ratio: s.ratio, goodStanding: s.goodStanding, tier: s.tier, presentDays: s.presentDays, requiredDays: s.requiredDays, policy: s.policy,
    weeks: s.weeks.map((w) => ({ weekStart: w.weekStart, status: w.status, present: w.present, required: w.required, policy: w.policy })),
    excludedWeeks: s.excludedWeeks,
  };
}

/** A nomination as JSON. */
export function presentPromotion(v: PromotionView): Record<string, unknown> {
  return {
    promotionId: v.promotionId, employeeId: v.employeeId, name: v.employeeName, fromLevel: v.fromLevel, toLevel: v.toLevel, status: v.status,
    nominatedBy: v.nominatedBy, nominatedAt: v.nominatedAt, reason: v.reason, standingAtNomination: presentEvidence(v.nominationEvidence),
    decision: v.status === 'pending' ? null : {
      by: v.decidedBy, at: v.decidedAt, reason: v.decisionReason, rule: v.decisionRule, ruleChanged: v.ruleChanged, ruleNote: v.ruleNote,
      standing: presentEvidence(v.decisionEvidence),
    },
    pending: v.status === 'pending' ? {
      standingNow: presentEvidence(v.standingNow), rule: v.ruleNow?.rule ?? null, ruleChanged: v.ruleNow?.changed ?? null, ruleNote: v.ruleNow?.note ?? null,
      approvers: v.approvers?.text ?? null, vp: v.approvers?.vp ?? null, skipLevel: v.approvers?.skipLevel ?? null, suggestedApprover: v.approvers?.suggested ?? null,
    } : null,
    youMayDecide: v.youMayDecide,
  };
}

/** "in good standing, tier regular: 9 of 12 counted weeks compliant (ratio 0.750 ≥ 0.75), 2026-09-07 to 2026-11-29" */
export function standingLine(s: StandingEvidence): string {
  const head = `${s.goodStanding ? 'in good standing' : 'NOT in good standing'}${s.tier ? `, tier ${s.tier}` : ''}`;
  const measure = s.measure === 'weeks' ? `${s.compliant} of ${s.counted} counted weeks compliant` : `${s.presentDays} present of ${s.requiredDays} required days`;
  const body = s.counted === 0 ? `no week counted from ${s.from} to ${s.to} (nothing counted is good standing)` : `${measure} (ratio ${s.ratio!.toFixed(3)} ${s.goodStanding ? '≥' : '<'} ${s.minRatio}), ${s.from} to ${s.to}`;
  const left = s.excludedWeeks.length > 0 ? `; ${s.excludedWeeks.length} non-compliant week${s.excludedWeeks.length === 1 ? '' : 's'} left out while a dispute is open (${s.excludedWeeks.map((w) => w.weekStart).join(', ')})` : '';
  return `${head}: ${body}${left}`;
}

function shortStanding(s: StandingEvidence | null): string | null {
  if (!s) return null;
  return `${s.goodStanding ? 'good' : 'NOT good'} ${s.ratio === null ? '—' : s.ratio.toFixed(2)}${s.tier ? ` ${s.tier}` : ''}`;
}

function decidersCell(v: PromotionView): string | null {
  const a = v.approvers;
  if (!a) return null;
  if (a.rule === 'vp_or_above') return a.vp === null ? 'nobody: no VP in chain' : a.vp === v.nominatedBy ? `above ${a.vp}` : `${a.vp} or above`;
  return a.skipLevel === v.nominatedBy ? `above ${a.skipLevel}, or HR` : `${a.skipLevel ?? '?'} or above, or HR`;
}

function printOne(ctx: CliContext, v: PromotionView, actorId: string | undefined): void {
  const out = ctx.io.out;
  out(`${v.promotionId}: ${v.employeeId}${v.employeeName ? ` ${v.employeeName}` : ''}, level ${v.fromLevel} → ${v.toLevel}, ${v.status}`);
  out(`nominated by ${v.nominatedBy} on ${v.nominatedOn}: ${v.reason}`);
  out(`standing at nomination: ${standingLine(v.nominationEvidence)}`);
  if (v.status === 'pending') {
    if (v.standingNow) out(`standing now: ${standingLine(v.standingNow)}`);
    if (v.ruleNow) out(`rule: ${v.ruleNow.rule} (${v.ruleNow.note})`);
    if (v.approvers) out(`may decide: ${v.approvers.text}`);
    const who = v.youMayDecide && actorId ? actorId : v.approvers?.suggested ?? null;
    out('');
    out('try next:');
    if (who) {
      out(`  hubday promotion approve ${v.promotionId} --as ${who}`);
      out(`  hubday promotion deny ${v.promotionId} --reason "…" --as ${who}`);
    }
    out(`  hubday promotion withdraw ${v.promotionId} --as ${v.nominatedBy}`);
    return;
  }
  const verb = v.status === 'withdrawn' ? 'withdrawn' : v.status;
  out(`${verb} by ${v.decidedBy} on ${v.decidedOn}${v.decisionReason ? `: ${v.decisionReason}` : ''}`);
  if (v.decisionRule) out(`rule: ${v.decisionRule}${v.ruleNote ? ` (${v.ruleNote})` : ''}`);
  if (v.decisionEvidence) out(`standing at decision: ${standingLine(v.decisionEvidence)}`);
}

export function registerPromotionCommands(program: Command, ctx: CliContext): void {
  const promotion = program
    .command('promotion')
    .description('promotion nominations: a person not in good standing needs their VP (or someone above) to approve')
    .addHelpText('after', `
Rules:
  nominate   the employee's manager or anyone above them, to a level above the current one; one pending nomination per person
  decide     in good standing (at nomination and now): the manager's manager or anyone above them, or HR
             not in good standing (at nomination or now): only the VP (nearest manager at the policy's vpLevel) or above
             never the nominator, never the employee; the standing at decision is stored with the decision
  evidence   non-compliant weeks with an open dispute are left out of the standing
  withdraw   the nominator, or HR

Examples:
  hubday promotion nominate E100 --to-level 6 --reason "leads the checkout rewrite" --as M1
  hubday promotion list --pending --as V1
  hubday promotion approve P1 --as V1`);

  actorCommand(
    promotion
      .command('nominate <employee>')
      .description('nominate an employee for promotion (their manager or anyone above them)')
      .requiredOption('--to-level <level>', 'the level to promote to (above the current one)')
      .requiredOption('--reason <text>', 'why (kept with the nomination and in the audit log)'),
  ).action(async (employeeId: string, o: Opts & { toLevel: string }) => {
    const toLevel = intArg('--to-level', o.toLevel, 0, 1000);
    const v = await ctx.withActor(o.as, (deps, actor) => nominatePromotion(deps, actor, { employeeId, toLevel, reason: o.reason ?? '' }));
    if (o.json) return ctx.json(presentPromotion(v));
    printOne(ctx, v, o.as);
  });

  for (const [verb, fn, help] of [
    ['approve', approvePromotion, 'approve a pending nomination (see the rule shown by "promotion show")'],
    ['deny', denyPromotion, 'deny a pending nomination (with a reason)'],
    ['withdraw', withdrawPromotion, 'withdraw a pending nomination (the nominator, or HR)'],
  ] as const) {
    const cmd = promotion.command(`${verb} <promotion>`).description(help);
    if (verb === 'deny') cmd.requiredOption('--reason <text>', 'why (kept with the decision and in the audit log)');
    else cmd.option('--reason <text>', 'why (optional; kept with the decision and in the audit log)');
    actorCommand(cmd).action(async (promotionId: string, o: Opts) => {
      const v = await ctx.withActor(o.as, (deps, actor) => fn(deps, actor, { promotionId, reason: o.reason ?? null }));
      if (o.json) return ctx.json(presentPromotion(v));
      printOne(ctx, v, o.as);
    });
  }

  actorCommand(
    promotion
      .command('list')
      .description('nominations you may see (yours, your organisation\'s; HR all); --pending: those you may decide (HR: all pending)')
      .option('--pending', 'pending nominations only: those you may decide now (HR and the operator: every pending one)')
      .option('--employee <id>', 'only this employee\'s nominations'),
  ).action(async (o: Opts & { pending?: boolean; employee?: string }) => {
    const list = await ctx.withActor(o.as, (deps, actor) => listPromotions(deps, actor, { pending: !!o.pending, employeeId: o.employee }));
    if (o.json) return ctx.json(list.map(presentPromotion));
    if (list.length === 0) {
      return ctx.io.out(o.pending ? `no pending nomination${o.as ? ` that ${o.as} may decide` : ''}` : 'no nominations');
    }
    ctx.io.out(table(['id', 'employee', 'name', 'level', 'nominated by', 'on', 'status', 'standing', 'rule', 'deciders / decided by'], list.map((v) => [
      v.promotionId, v.employeeId, v.employeeName, `${v.fromLevel}→${v.toLevel}`, v.nominatedBy, v.nominatedOn, v.status,
      shortStanding(v.status === 'pending' ? v.standingNow : v.decisionEvidence ?? v.nominationEvidence),
      v.status === 'pending' ? `${v.ruleNow?.rule ?? ''}${v.ruleNow?.changed ? ' (changed)' : ''}` : v.decisionRule,
      v.status === 'pending' ? decidersCell(v) : v.decidedBy,
    ])));
    const mine = list.filter((v) => v.youMayDecide);
    if (mine.length > 0 && o.as) {
      ctx.io.out('');
      ctx.io.out(`${o.as} may decide ${mine.length === 1 ? 'it' : `${mine.length} of them`}; try next:`);
      ctx.io.out(`  hubday promotion show ${mine[0]!.promotionId} --as ${o.as}`);
      ctx.io.out(`  hubday promotion approve ${mine[0]!.promotionId} --as ${o.as}`);
    }
  });

  actorCommand(
    promotion.command('show <promotion>').description('a nomination: its standing at nomination and now (or at decision), the rule and who may decide'),
  ).action(async (promotionId: string, o: Opts) => {
    const v = await ctx.withActor(o.as, (deps, actor) => showPromotion(deps, actor, { promotionId }));
    if (o.json) return ctx.json(presentPromotion(v));
    printOne(ctx, v, o.as);
  });

}
