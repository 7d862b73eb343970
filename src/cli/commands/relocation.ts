/** `hubday relocation …`: assign, accept, decline, complete, cancel, list, show, check-overdue. */
import type { Command } from 'commander';
import { HubdayError } from '../../errors.js';
import { actorCommand, dateArg, type CliContext } from '../context.js';
import { table } from '../format.js';
import {
  type RelocationView, assignRelocation, cancelRelocation, checkOverdueRelocations, completeRelocation, listRelocationsFor, respondRelocation,
  showRelocation,
} from '../../use-cases/relocations.js';
import { RELOCATION_STATUSES, type RelocationStatus } from '../../engine/relocation.js';

function oneLine(r: RelocationView): string {
  return `${r.employeeId} → ${r.targetOfficeId} by ${r.deadline}: ${r.currentStatus}${r.currentStatus !== r.status ? ` (recorded ${r.status})` : ''}`;
}

function reeval(ctx: CliContext, n: number): void {
  if (n > 0) ctx.io.out(`re-evaluated ${n} evaluated week${n === 1 ? '' : 's'}`);
}

export function registerRelocationCommands(program: Command, ctx: CliContext): void {
  const rel = program
    .command('relocation')
    .description('remote staff assigned a hub and a deadline: from the deadline on, the policy applies with the hub as home office')
    .addHelpText('after', `
Statuses: assigned → accepted → relocated; declined; overdue (deadline passed, not relocated); cancelled.
HR or the employee's VP (or above) assigns and cancels; the employee accepts or declines; HR records the move.

Examples:
  hubday relocation assign E100 --hub SEA1 --deadline 2027-03-01 --as HR1
  hubday relocation accept E100 --as E100
  hubday relocation list --overdue --as HR1`);

  actorCommand(
    rel.command('assign <employee>')
      .description('assign a remote employee a hub and a deadline (HR, or their VP or above)')
      .requiredOption('--hub <office>', 'the hub office id')
      .requiredOption('--deadline <date>', 'from this date on the hub is their home office (YYYY-MM-DD, after today)'),
  ).action(async (employeeId: string, o: { hub: string; deadline: string; as?: string; json?: boolean }) => {
    const deadline = dateArg('--deadline', o.deadline);
    const r = await ctx.withActor(o.as, (deps, actor) => assignRelocation(deps, actor, { employeeId, hub: o.hub, deadline }));
    if (o.json) return ctx.json(r);
    ctx.io.out(`assigned ${oneLine(r.relocation)}`);
    ctx.io.out(`from the week of ${r.relocation.hubInForceFrom} on, ${employeeId} is judged at ${r.relocation.targetOfficeId}; they answer with hubday relocation accept|decline ${employeeId} --as ${employeeId}`);
    reeval(ctx, r.reevaluated);
  });

  for (const answer of ['accept', 'decline'] as const) {
    const cmd = rel.command(`${answer} <employee>`).description(`${answer} your relocation (the employee only)`);
    if (answer === 'decline') cmd.option('--note <text>', 'a note for HR (kept out of the audit log)');
    actorCommand(cmd).action(async (employeeId: string, o: { note?: string; as?: string; json?: boolean }) => {
      const r = await ctx.withActor(o.as, (deps, actor) => respondRelocation(deps, actor, { employeeId, answer, note: o.note }));
      if (o.json) return ctx.json(r);
      ctx.io.out(`${answer === 'accept' ? 'accepted' : 'declined'}: ${oneLine(r)}`);
      if (answer === 'decline') ctx.io.out(`the policy still applies at ${r.targetOfficeId} from the week of ${r.hubInForceFrom} unless HR or the VP cancels the relocation`);
    });
  }

  actorCommand(
    rel.command('complete <employee>')
      .description('record that the employee has relocated (HR)')
      .option('--set-home-office', "also make the hub the employee's home office (the work arrangement stays the HRIS's)"),
  ).action(async (employeeId: string, o: { setHomeOffice?: boolean; as?: string; json?: boolean }) => {
    const r = await ctx.withActor(o.as, (deps, actor) => completeRelocation(deps, actor, { employeeId, setHomeOffice: o.setHomeOffice }));
    if (o.json) return ctx.json(r);
    ctx.io.out(`relocated: ${oneLine(r.relocation)}`);
    if (r.relocation.previousHomeOfficeId) ctx.io.out(`home office changed from ${r.relocation.previousHomeOfficeId} to ${r.relocation.targetOfficeId}`);
    reeval(ctx, r.reevaluated);
  });

  actorCommand(
    rel.command('cancel <employee>')
      .description('cancel an open or declined relocation (HR, or the VP or above): the hub no longer applies')
      .option('--reason <text>', 'why (recorded in the audit log)'),
  ).action(async (employeeId: string, o: { reason?: string; as?: string; json?: boolean }) => {
    const r = await ctx.withActor(o.as, (deps, actor) => cancelRelocation(deps, actor, { employeeId, reason: o.reason }));
    if (o.json) return ctx.json(r);
    ctx.io.out(`cancelled: ${oneLine(r.relocation)}`);
    reeval(ctx, r.reevaluated);
  });

  actorCommand(
    rel.command('list')
      .description("relocations you may see: yours and your reports' (HR: everyone's)")
      .option('--overdue', 'only those whose deadline has passed without a move')
      .option('--status <list>', `only these recorded statuses (${RELOCATION_STATUSES.join(', ')})`)
      .option('--employee <id>', "one person's relocation"),
  ).action(async (o: { overdue?: boolean; status?: string; employee?: string; as?: string; json?: boolean }) => {
    const statuses = o.status?.split(',').map((s) => s.trim()).filter(Boolean);
    for (const s of statuses ?? []) if (!(RELOCATION_STATUSES as readonly string[]).includes(s)) throw new HubdayError('invalid_usage', `--status ${s}: one of ${RELOCATION_STATUSES.join(', ')}`);
    const list = await ctx.withActor(o.as, (deps, actor) => listRelocationsFor(deps, actor, { overdue: o.overdue, statuses: statuses as RelocationStatus[] | undefined, employeeId: o.employee }));
    if (o.json) return ctx.json(list);
    if (list.length === 0) return ctx.io.out(o.overdue ? 'no overdue relocations' : 'no relocations');
    ctx.io.out(table(['employee', 'hub', 'deadline', 'status', 'assigned by', 'answered'], list.map((r) => [
      r.employeeId, r.targetOfficeId, r.deadline, r.currentStatus, r.assignedBy, r.respondedAt ? r.respondedAt.slice(0, 10) : null,
    ])));
  });

  actorCommand(rel.command('show <employee>').description('one relocation (the person, their chain, HR; audited when not yourself)'))
    .action(async (employeeId: string, o: { as?: string; json?: boolean }) => {
      const r = await ctx.withActor(o.as, (deps, actor) => showRelocation(deps, actor, { employeeId }));
      if (o.json) return ctx.json(r);
      ctx.io.out(oneLine(r));
      const line = (k: string, v: string | null) => v && ctx.io.out(`  ${k.padEnd(12)}${v}`);
      line('assigned', `by ${r.assignedBy}${r.assignedAt ? ` on ${r.assignedAt.slice(0, 10)}` : ''}`);
      line('answered', r.respondedAt ? `${r.respondedAt.slice(0, 10)}${r.responseNote ? `: ${r.responseNote}` : ''}` : null);
      line('overdue', r.overdueAt ? `recorded ${r.overdueAt.slice(0, 10)}` : r.overdue ? 'yes (not yet recorded by check-overdue)' : null);
      line('completed', r.completedBy ? `by ${r.completedBy} on ${r.completedAt?.slice(0, 10)}` : null);
      line('cancelled', r.cancelledBy ? `by ${r.cancelledBy} on ${r.cancelledAt?.slice(0, 10)}` : null);
      line('hub applies', r.hubInForceFrom ? `from the week of ${r.hubInForceFrom}` : 'no (cancelled)');
    });

  actorCommand(rel.command('check-overdue').description('record status overdue on every relocation whose deadline has passed without a move (HR or the operator; audited)'))
    .action(async (o: { as?: string; json?: boolean }) => {
      const list = await ctx.withActor(o.as, (deps, actor) => checkOverdueRelocations(deps, actor));
      if (o.json) return ctx.json(list);
      if (list.length === 0) return ctx.io.out('no relocation became overdue');
      ctx.io.out(`${list.length} relocation${list.length === 1 ? '' : 's'} now overdue:`);
      for (const r of list) ctx.io.out(`  ${oneLine(r)}`);
    });
}
