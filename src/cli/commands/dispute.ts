/** `hubday dispute …` (claims about a day) and `hubday outage …` (badge-reader outages). */
import type { Command } from 'commander';
import { actorCommand, dateArg, type CliContext } from '../context.js';
import { table } from '../format.js';
import {
  type DisputeView, cancelOutage, declareOutage, listDisputesFor, listOutagesFor, openDispute, resolveDispute, showDispute, withdrawDispute,
} from '../../use-cases/disputes.js';
import type { OutageRecord } from '../../store/dispute.repository.js';
import { mondayOf } from '../../engine/dates.js';

function oneLine(d: DisputeView): string {
  return `${d.disputeId}: ${d.employeeId} at ${d.officeId} on ${d.day}, ${d.status}${d.otherReviewer ? ' (reviewer other than the manager)' : ''}`;
}

function outageLine(o: OutageRecord): string {
  return `${o.outageId}: ${o.officeId} ${o.startDate === o.endDate ? o.startDate : `${o.startDate} to ${o.endDate}`}, ${o.status} — ${o.reason}`;
}

export function registerDisputeCommands(program: Command, ctx: CliContext): void {
  const dis = program
    .command('dispute')
    .description('claims about a day the badge data does not show; an approved claim becomes an attested present day')
    .addHelpText('after', `
The employee opens a claim for a past day; their manager, someone above the manager, or HR approves
or rejects it (with --other-reviewer, not the direct manager). Approval re-evaluates the week.

Examples:
  hubday dispute open E100 --date 2026-11-18 --office SEA1 --reason "badge reader down" --as E100
  hubday dispute list --to-review --as M1
  hubday dispute approve D1 --as M1`);

  actorCommand(
    dis.command('open <employee>')
      .description('claim you were at an office on a past day (the employee only)')
      .requiredOption('--date <date>', 'the day (YYYY-MM-DD, before today)')
      .requiredOption('--office <office>', 'where you were')
      .requiredOption('--reason <text>', 'why the badge data misses it, e.g. "badge reader down"')
      .option('--other-reviewer', 'ask for a reviewer other than your manager (HR or someone above your manager)'),
  ).action(async (employeeId: string, o: { date: string; office: string; reason: string; otherReviewer?: boolean; as?: string; json?: boolean }) => {
    const day = dateArg('--date', o.date);
    const d = await ctx.withActor(o.as, (deps, actor) => openDispute(deps, actor, { employeeId, day, officeId: o.office, reason: o.reason, otherReviewer: o.otherReviewer }));
    if (o.json) return ctx.json(d);
    ctx.io.out(`opened ${oneLine(d)}`);
    ctx.io.out(`while it is open, the week of ${mondayOf(d.day)} is not used as evidence for a warning or a promotion refusal`);
  });

  actorCommand(
    dis.command('approve <id>')
      .description('approve a claim: the day becomes an attestation and the week is re-evaluated')
      .option('--note <text>', 'a note for the employee'),
  ).action(async (id: string, o: { note?: string; as?: string; json?: boolean }) => {
    const r = await ctx.withActor(o.as, (deps, actor) => resolveDispute(deps, actor, { disputeId: id, decision: 'approve', note: o.note }));
    if (o.json) return ctx.json(r);
    ctx.io.out(`approved ${oneLine(r.dispute)}`);
    ctx.io.out(`${r.dispute.day} is now a present day (source attestation, reference ${r.dispute.disputeId})${r.reevaluated > 0 ? `; re-evaluated ${r.reevaluated} week${r.reevaluated === 1 ? '' : 's'}` : ''}`);
  });

  actorCommand(
    dis.command('reject <id>')
      .description('reject a claim; the day stays as it is')
      .requiredOption('--reason <text>', 'why (the employee reads it)'),
  ).action(async (id: string, o: { reason: string; as?: string; json?: boolean }) => {
    const r = await ctx.withActor(o.as, (deps, actor) => resolveDispute(deps, actor, { disputeId: id, decision: 'reject', note: o.reason }));
    if (o.json) return ctx.json(r);
    ctx.io.out(`rejected ${oneLine(r.dispute)}: ${r.dispute.reviewNote}`);
  });

  actorCommand(dis.command('withdraw <id>').description('withdraw your open claim'))
    .action(async (id: string, o: { as?: string; json?: boolean }) => {
      const d = await ctx.withActor(o.as, (deps, actor) => withdrawDispute(deps, actor, { disputeId: id }));
      if (o.json) return ctx.json(d);
      ctx.io.out(`withdrew ${oneLine(d)}`);
    });

  actorCommand(
    dis.command('list')
      .description("claims you may see: yours and your reports' (HR: everyone's)")
      .option('--employee <id>', "one person's claims (audited when not yourself)")
      .option('--open', 'only open claims')
      .option('--to-review', 'only open claims you may resolve'),
  ).action(async (o: { employee?: string; open?: boolean; toReview?: boolean; as?: string; json?: boolean }) => {
    const list = await ctx.withActor(o.as, (deps, actor) => listDisputesFor(deps, actor, { employeeId: o.employee, open: o.open, toReview: o.toReview }));
    if (o.json) return ctx.json(list);
    if (list.length === 0) return ctx.io.out('no disputes');
    ctx.io.out(table(['id', 'employee', 'day', 'office', 'status', 'reviewer', 'reason'], list.map((d) => [
      d.disputeId, d.employeeId, d.day, d.officeId, d.status, d.reviewedBy ?? (d.otherReviewer ? '(not the manager)' : null), d.reason,
    ])));
  });

  actorCommand(dis.command('show <id>').description('one claim (the person, their chain, HR; audited when not yourself)'))
    .action(async (id: string, o: { as?: string; json?: boolean }) => {
      const d = await ctx.withActor(o.as, (deps, actor) => showDispute(deps, actor, { disputeId: id }));
      if (o.json) return ctx.json(d);
      ctx.io.out(oneLine(d));
      ctx.io.out(`  reason      ${d.reason}`);
      ctx.io.out(`  opened      ${d.openedAt.slice(0, 16).replace('T', ' ')} UTC by ${d.openedBy}`);
      if (d.reviewedBy) ctx.io.out(`  ${d.status.padEnd(12)}by ${d.reviewedBy}${d.reviewedAt ? ` at ${d.reviewedAt.slice(0, 16).replace('T', ' ')} UTC` : ''}${d.reviewNote ? `: ${d.reviewNote}` : ''}`);
      if (d.attestation) ctx.io.out(`  attestation ${d.attestation.day} at ${d.attestation.officeId} (reference ${d.attestation.reference})`);
    });

  // Badge-reader outages
  const out = program
    .command('outage')
    .description('badge-reader outages declared by HR: the days are excused for everyone whose home office it is, like a holiday')
    .addHelpText('after', `
Examples:
  hubday outage declare --office SEA1 --from 2026-11-18 --to 2026-11-18 --reason "turnstile firmware crash" --as HR1
  hubday outage list
  hubday outage cancel O1 --as HR1`);

  actorCommand(
    out.command('declare')
      .description('declare an outage (HR): the evaluated weeks of the office\'s people are re-evaluated at once')
      .requiredOption('--office <office>', 'the office')
      .requiredOption('--from <date>', 'first day (YYYY-MM-DD)')
      .requiredOption('--to <date>', 'last day (YYYY-MM-DD, at most 31 days)')
      .requiredOption('--reason <text>', 'what happened (shown in the weeks\' explanations)'),
  ).action(async (o: { office: string; from: string; to: string; reason: string; as?: string; json?: boolean }) => {
    const input = { officeId: o.office, from: dateArg('--from', o.from), to: dateArg('--to', o.to), reason: o.reason };
    const r = await ctx.withActor(o.as, (deps, actor) => declareOutage(deps, actor, input));
    if (o.json) return ctx.json(r);
    ctx.io.out(`declared ${outageLine(r.outage)}`);
    ctx.io.out(`re-evaluated ${r.reevaluated} evaluated week${r.reevaluated === 1 ? '' : 's'} of ${r.employees} ${r.employees === 1 ? 'person' : 'people'}`);
  });

  out.command('list')
    .description('outages (active ones; --all for cancelled too)')
    .option('--office <office>', 'one office')
    .option('--all', 'include cancelled outages')
    .option('--json', 'print as JSON')
    .option('--as <employee>', 'who is asking (outages are readable by anyone)')
    .action(async (o: { office?: string; all?: boolean; as?: string; json?: boolean }) => {
      const list = await ctx.withActor(o.as, (deps, actor) => listOutagesFor(deps, actor, { officeId: o.office, includeCancelled: o.all }));
      if (o.json) return ctx.json(list);
      if (list.length === 0) return ctx.io.out('no outages');
      ctx.io.out(table(['id', 'office', 'from', 'to', 'status', 'declared by', 'reason'], list.map((x) => [x.outageId, x.officeId, x.startDate, x.endDate, x.status, x.declaredBy, x.reason])));
    });

  actorCommand(
    out.command('cancel <id>')
      .description('cancel an outage (HR): its days are no longer excused; the weeks are re-evaluated')
      .option('--reason <text>', 'why'),
  ).action(async (id: string, o: { reason?: string; as?: string; json?: boolean }) => {
    const r = await ctx.withActor(o.as, (deps, actor) => cancelOutage(deps, actor, { outageId: id, reason: o.reason }));
    if (o.json) return ctx.json(r);
    ctx.io.out(`cancelled ${outageLine(r.outage)}`);
    ctx.io.out(`re-evaluated ${r.reevaluated} evaluated week${r.reevaluated === 1 ? '' : 's'} of ${r.employees} ${r.employees === 1 ? 'person' : 'people'}`);
  });
}
