/**
 * `hubday discipline warn|escalate|acknowledge|refuse-ack|hr-review|close|clear-review|show|list`:
 * progressive discipline, each step a person's action checked against its preconditions.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { actorCommand, type CliContext } from '../context.js';
import { table } from '../format.js';
import { HubdayError } from '../../errors.js';
import { CLOSE_OUTCOMES, type CloseOutcome } from '../../engine/discipline.js';
import {
  acknowledge, clearReview, closeCase, escalate, hrReview, listCases, refuseAcknowledgement, showCase, warn, type CaseView,
} from '../../use-cases/discipline.js';

type Opts = { as?: string; json?: boolean; reason?: string };

interface EvidenceJson {
  asOf: string; since: string | null; from: string; to: string; needed: number; counted: number;
  weeks: { weekStart: string; week: string | null; status: string; reason?: string | null; present: number; required: number; openDispute: boolean; counted: boolean }[];
  excluded: { weekStart: string }[];
  standing: { goodStanding: boolean; ratio: number | null; tier: string | null };
  daysSincePreviousStep: number | null;
}

/** A case as JSON. */
export function presentCase(v: CaseView): Record<string, unknown> {
  return {
    caseId: v.caseId, employeeId: v.employeeId, name: v.employeeName, stage: v.stage, openedBy: v.openedBy, openedOn: v.openedOn,
    steps: v.steps.map((s) => ({ stepNo: s.stepNo, step: s.step, by: s.takenBy, on: s.takenOn, at: s.takenAt, reason: s.reason, acknowledgement: s.ack, evidence: s.evidence })),
    hrReview: v.hrReview,
    closed: v.outcome ? { outcome: v.outcome, from: v.closedFrom, by: v.closedBy, on: v.closedOn, reason: v.closeReason, evidence: v.closeEvidence } : null,
    needsReview: v.needsReview, reviewChanges: v.reviewChanges, flaggedAt: v.flaggedAt, reviewCleared: v.reviewCleared,
    next: v.stage === 'closed' ? null : { step: v.next.step, blockers: v.next.blockers.map((b) => ({ reason: b.reason, message: b.message })) },
    resolution: v.resolution,
  };
}

function weekText(w: EvidenceJson['weeks'][number]): string {
  const why = w.reason === 'anchor_day_missed' ? ', anchor day missed' : '';
  return `${w.week ?? w.weekStart} ${w.status} ${w.present}/${w.required}${why}${w.openDispute ? ' (open dispute)' : ''}`;
}

function evidenceLine(e: EvidenceJson): string {
  const counted = e.weeks.filter((w) => w.counted);
  return `${e.counted} non-compliant week${e.counted === 1 ? '' : 's'} (${e.needed} needed) ${e.since ? `after the previous step (${e.from} to ${e.to})` : `in the look-back window ${e.from} to ${e.to}`}: ${counted.map(weekText).join(', ') || 'none'}`
    + (e.excluded.length > 0 ? `; left out (open dispute): ${e.excluded.map((x) => x.weekStart).join(', ')}` : '');
}

/** The commands that would move the case on, with who may run them. */
function tryNext(v: CaseView): string[] {
  if (v.stage === 'closed') return [];
  const manager = v.steps[v.steps.length - 1]?.takenBy ?? 'MANAGER';
  const last = v.steps[v.steps.length - 1];
  const lines: string[] = [];
  if (v.needsReview) lines.push(`hubday discipline clear-review ${v.caseId} --note "…" --as ${manager}`);
  if (last && last.ack === null) {
    lines.push(`hubday discipline acknowledge ${v.caseId} --as ${v.employeeId}`);
    lines.push(`hubday discipline refuse-ack ${v.caseId} --reason "…" --as ${manager}`);
  }
  if (v.stage === 'written_warning' && (!v.hrReview || v.hrReview.status !== 'approved' || v.hrReview.forStep !== v.steps.length - 1)) {
    lines.push(`hubday discipline hr-review ${v.caseId} --approve --reason "…" --as HR_ID   (someone with the hr role: hubday role list)`);
  }
  if (v.next.step && v.next.blockers.length === 0) {
    lines.push(v.next.step === 'termination_eligible'
      ? `hubday discipline escalate ${v.caseId} --reason "…" --as ${manager}`
      : `hubday discipline warn ${v.employeeId} --step ${v.next.step} --reason "…" --as ${manager}`);
  }
  if (v.resolution?.eligible) lines.push(`hubday discipline close ${v.caseId} --outcome resolved --reason "…" --as ${manager}`);
  if (v.stage === 'termination_eligible') lines.push(`hubday discipline close ${v.caseId} --outcome terminated --reason "…" --as HR_ID   (someone with the hr role: hubday role list)`);
  return lines;
}

function printCase(ctx: CliContext, v: CaseView): void {
  const out = ctx.io.out;
  out(`${v.caseId}: ${v.employeeId}${v.employeeName ? ` ${v.employeeName}` : ''}, ${v.stage}${v.outcome ? ` (${v.outcome}, from ${v.closedFrom}, ${v.closedOn} by ${v.closedBy}: ${v.closeReason})` : ''}${v.needsReview ? ', NEEDS REVIEW' : ''}`);
  for (const s of v.steps) {
    const e = s.evidence as unknown as EvidenceJson;
    out(`  ${s.stepNo}. ${s.step} on ${s.takenOn} by ${s.takenBy}: ${s.reason}`);
    out(`     evidence: ${evidenceLine(e)}`);
    out(`     standing then: ${e.standing.goodStanding ? 'good' : 'NOT good'}${e.standing.ratio === null ? '' : `, ratio ${e.standing.ratio.toFixed(3)}`}${e.standing.tier ? `, tier ${e.standing.tier}` : ''}${e.daysSincePreviousStep !== null ? `; ${e.daysSincePreviousStep} days after the previous step` : ''}`);
    out(`     ${s.ack === null ? 'not acknowledged yet' : s.ack.kind === 'acknowledged' ? `acknowledged by ${s.ack.by} on ${s.ack.on}` : `refused to acknowledge, recorded by ${s.ack.by} on ${s.ack.on}: ${s.ack.reason}`}`);
  }
  if (v.hrReview) out(`  HR review: ${v.hrReview.status} by ${v.hrReview.by} on ${v.hrReview.on}: ${v.hrReview.reason}`);
  if (v.needsReview && v.reviewChanges) {
    out(`  flagged for review${v.flaggedAt ? ` at ${v.flaggedAt.slice(0, 16).replace('T', ' ')}` : ''}: late data changed weeks used as evidence`);
    for (const c of v.reviewChanges) out(`     week of ${c.weekStart} (step ${c.stepNo}): ${c.before.status} ${c.before.present}/${c.before.required} → ${c.after.status} ${c.after.present}/${c.after.required}`);
  }
  if (v.reviewCleared) out(`  last review cleared by ${v.reviewCleared.by} at ${v.reviewCleared.at.slice(0, 16).replace('T', ' ')}: ${v.reviewCleared.note}`);
  if (v.stage !== 'closed') {
    if (v.next.step) {
      out(v.next.blockers.length === 0
        ? `next step: ${v.next.step}, possible now`
        : `next step: ${v.next.step}, not yet:`);
      for (const b of v.next.blockers) out(`  - ${b.reason}: ${b.message}`);
    }
    if (v.resolution) {
      out(v.resolution.eligible
        ? `resolution: ${v.resolution.run} compliant weeks in a row since ${v.resolution.since} (${v.resolution.needed} needed): suggest closing as resolved`
        : `resolution: ${v.resolution.run} of ${v.resolution.needed} compliant weeks in a row since ${v.resolution.since}`);
    }
    const next = tryNext(v);
    if (next.length > 0) {
      out('');
      out('try next:');
      for (const l of next) out(`  ${l}`);
    }
  }
}

function ackState(v: CaseView): string | null {
  const last = v.steps[v.steps.length - 1];
  if (!last) return null;
  return last.ack === null ? 'waiting' : last.ack.kind === 'acknowledged' ? 'acknowledged' : 'refused';
}

export function registerDisciplineCommands(program: Command, ctx: CliContext): void {
  const discipline = program
    .command('discipline')
    .description('progressive discipline cases: verbal warning → written warning → termination eligible → closed; every step a person\'s action with its evidence')
    .addHelpText('after', `
Every step is taken by the employee's manager (or anyone above them) or HR, never automatically,
and only when its preconditions hold: enough non-compliant weeks since the previous step (weeks
with an open dispute left out), the minimum wait, the previous step acknowledged (or its refusal
recorded), no active exception, no pending review flag, and before termination eligibility an
approved HR review (the escalation by someone other than the reviewer). The policy's "discipline"
section sets the numbers. Late data that changes a week used as evidence flags the case for
review; the evidence itself is never rewritten.

Examples:
  hubday discipline warn E100 --step verbal_warning --reason "two weeks at one day; discussed 1:1" --as M1
  hubday discipline acknowledge DC1 --as E100
  hubday discipline list --as M1
  hubday discipline show DC1 --as E100`);

  actorCommand(
    discipline
      .command('warn <employee>')
      .description('record a verbal warning (opens a case) or a written warning')
      .addOption(new Option('--step <step>', 'the warning').choices(['verbal_warning', 'written_warning']).makeOptionMandatory())
      .requiredOption('--reason <text>', 'what was said and why (kept with the step and in the audit log)'),
  ).action(async (employeeId: string, o: Opts & { step: 'verbal_warning' | 'written_warning' }) => {
    const v = await ctx.withActor(o.as, (deps, actor) => warn(deps, actor, { employeeId, step: o.step, reason: o.reason ?? '' }));
    if (o.json) return ctx.json(presentCase(v));
    printCase(ctx, v);
  });

  actorCommand(
    discipline
      .command('escalate <case>')
      .description('make a case termination eligible (after the written warning and an approved HR review)')
      .addOption(new Option('--to <stage>', 'the stage').choices(['termination_eligible']).default('termination_eligible'))
      .requiredOption('--reason <text>', 'why (kept with the step and in the audit log)'),
  ).action(async (caseId: string, o: Opts) => {
    const v = await ctx.withActor(o.as, (deps, actor) => escalate(deps, actor, { caseId, reason: o.reason ?? '' }));
    if (o.json) return ctx.json(presentCase(v));
    printCase(ctx, v);
  });

  actorCommand(discipline.command('acknowledge <case>').description('the employee acknowledges the latest step of their case'))
    .action(async (caseId: string, o: Opts) => {
      const v = await ctx.withActor(o.as, (deps, actor) => acknowledge(deps, actor, { caseId }));
      if (o.json) return ctx.json(presentCase(v));
      printCase(ctx, v);
    });

  actorCommand(
    discipline
      .command('refuse-ack <case>')
      .description('record that the employee declined to acknowledge the latest step (the manager or HR, with a reason)')
      .requiredOption('--reason <text>', 'what happened: when, who was present'),
  ).action(async (caseId: string, o: Opts) => {
    const v = await ctx.withActor(o.as, (deps, actor) => refuseAcknowledgement(deps, actor, { caseId, reason: o.reason ?? '' }));
    if (o.json) return ctx.json(presentCase(v));
    printCase(ctx, v);
  });

  actorCommand(
    discipline
      .command('hr-review <case>')
      .description('HR reviews a written warning before termination eligibility (someone other than who recorded it)')
      .option('--approve', 'the case may be escalated')
      .option('--reject', 'the case may not be escalated')
      .requiredOption('--reason <text>', 'the review\'s conclusion'),
  ).action(async (caseId: string, o: Opts & { approve?: boolean; reject?: boolean }) => {
    if (!!o.approve === !!o.reject) throw new HubdayError('invalid_usage', 'give exactly one of --approve and --reject');
    const v = await ctx.withActor(o.as, (deps, actor) => hrReview(deps, actor, { caseId, approve: !!o.approve, reason: o.reason ?? '' }));
    if (o.json) return ctx.json(presentCase(v));
    printCase(ctx, v);
  });

  actorCommand(
    discipline
      .command('close <case>')
      .description('close a case: resolved (after the compliant weeks the policy asks), withdrawn (HR), terminated (from termination eligible), separated (the employee left)')
      .addOption(new Option('--outcome <outcome>', 'how the case ends').choices([...CLOSE_OUTCOMES]).makeOptionMandatory())
      .requiredOption('--reason <text>', 'why (kept with the case and in the audit log)'),
  ).action(async (caseId: string, o: Opts & { outcome: CloseOutcome }) => {
    const v = await ctx.withActor(o.as, (deps, actor) => closeCase(deps, actor, { caseId, outcome: o.outcome, reason: o.reason ?? '' }));
    if (o.json) return ctx.json(presentCase(v));
    printCase(ctx, v);
  });

  actorCommand(
    discipline
      .command('clear-review <case>')
      .description('clear a review flag (late data changed a week used as evidence) with a note; the evidence stays as it was')
      .requiredOption('--note <text>', 'what was reviewed and concluded'),
  ).action(async (caseId: string, o: Opts & { note: string }) => {
    const v = await ctx.withActor(o.as, (deps, actor) => clearReview(deps, actor, { caseId, note: o.note }));
    if (o.json) return ctx.json(presentCase(v));
    printCase(ctx, v);
  });

  actorCommand(discipline.command('show <case>').description('a case: its steps with their evidence, acknowledgements, review, what the next step needs, and a resolution suggestion'))
    .action(async (caseId: string, o: Opts) => {
      const v = await ctx.withActor(o.as, (deps, actor) => showCase(deps, actor, { caseId }));
      if (o.json) return ctx.json(presentCase(v));
      printCase(ctx, v);
    });

  actorCommand(
    discipline
      .command('list')
      .description('cases you may read (your own, your organisation\'s; HR all), newest first')
      .option('--employee <id>', 'only this employee\'s cases')
      .option('--open', 'open cases only')
      .option('--needs-review', 'only cases flagged for review'),
  ).action(async (o: Opts & { employee?: string; open?: boolean; needsReview?: boolean }) => {
    const list = await ctx.withActor(o.as, (deps, actor) => listCases(deps, actor, { employeeId: o.employee, open: !!o.open, needsReview: !!o.needsReview }));
    if (o.json) return ctx.json(list.map(presentCase));
    if (list.length === 0) return ctx.io.out('no discipline cases');
    ctx.io.out(table(['case', 'employee', 'name', 'stage', 'since', 'ack', 'next step', 'blocked by', 'resolve', 'review'], list.map((v) => {
      const last = v.steps[v.steps.length - 1];
      return [
        v.caseId, v.employeeId, v.employeeName, v.stage === 'closed' ? `closed: ${v.outcome}` : v.stage, v.stage === 'closed' ? v.closedOn : last?.takenOn ?? null, ackState(v),
        v.stage === 'closed' ? null : v.next.step, v.stage === 'closed' ? null : v.next.blockers.length === 0 ? (v.next.step ? 'ready' : null) : v.next.blockers.map((b) => b.reason).join(', '),
        v.resolution ? `${v.resolution.run}/${v.resolution.needed}${v.resolution.eligible ? ' suggest' : ''}` : null,
        v.needsReview ? 'NEEDS REVIEW' : null,
      ];
    })));
    const suggest = list.filter((v) => v.resolution?.eligible);
    const waiting = list.filter((v) => v.stage !== 'closed' && ackState(v) === 'waiting');
    const flagged = list.filter((v) => v.needsReview);
    const lines = [
      ...suggest.slice(0, 2).map((v) => `hubday discipline close ${v.caseId} --outcome resolved --reason "…" --as ${o.as ?? v.steps[v.steps.length - 1]!.takenBy}`),
      ...waiting.slice(0, 1).map((v) => `hubday discipline acknowledge ${v.caseId} --as ${v.employeeId}`),
      ...flagged.slice(0, 1).map((v) => `hubday discipline show ${v.caseId}${o.as ? ` --as ${o.as}` : ''}`),
    ];
    if (lines.length > 0) {
      ctx.io.out('');
      if (suggest.length > 0) ctx.io.out(`${suggest.length} case${suggest.length === 1 ? '' : 's'} eligible to close as resolved (hubday only suggests it; a person records it).`);
      ctx.io.out('try next:');
      for (const l of lines) ctx.io.out(`  ${l}`);
    }
  });
}
