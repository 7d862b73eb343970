/** `hubday exception …`: request, approve, deny, withdraw, revoke, list, show, notify-expiring. */
import type { Command } from 'commander';
import { HubdayError } from '../../errors.js';
import { actorCommand, dateArg, intArg, type CliContext } from '../context.js';
import { table } from '../format.js';
import {
  type ExceptionView, decideException, listExceptionsFor, pendingForApprover, requestException, revokeException, sendExpiryNotices, showException,
  withdrawException,
} from '../../use-cases/exceptions.js';
import { EXCEPTION_STATUSES, KNOWN_EXCEPTION_KINDS, type ExceptionStatus } from '../../engine/exceptions.js';

export function effectText(x: Pick<ExceptionView, 'effect' | 'daysPerWeek'>): string {
  return x.effect === 'exempt' ? 'exempt' : `${x.daysPerWeek} day${x.daysPerWeek === 1 ? '' : 's'}/week`;
}

function oneLine(x: ExceptionView): string {
  return `${x.exceptionId} ${x.kind} for ${x.employeeId}: ${effectText(x)}, ${x.startDate} to ${x.endDate}, ${x.status}${x.active ? ' (active today)' : ''}`;
}

function details(ctx: CliContext, x: ExceptionView): void {
  const out = (k: string, v: string | null | undefined) => {
    if (v !== null && v !== undefined) ctx.io.out(`  ${k.padEnd(16)}${v}`);
  };
  ctx.io.out(oneLine(x));
  out('who decides', x.approver);
  out('requested', `by ${x.requestedBy}${x.requestedAt ? ` at ${x.requestedAt.slice(0, 16).replace('T', ' ')} UTC` : ''}`);
  if (x.decidedBy) out(x.status === 'denied' ? 'denied' : 'decided', `by ${x.decidedBy}${x.decidedAt ? ` at ${x.decidedAt.slice(0, 16).replace('T', ' ')} UTC` : ''}`);
  if (x.revokedBy) out('revoked', `by ${x.revokedBy}, from ${x.revokedFrom}`);
  if (x.status === 'approved' || x.status === 'revoked') out('in force until', x.inForceUntil ?? 'never (revoked before it began)');
  if (x.expiryNotifiedAt) out('expiry notice', `sent ${x.expiryNotifiedAt.slice(0, 10)}`);
  if (x.visibility === 'full') {
    out('reason', x.reason ?? '—');
    out('decision note', x.decisionNote);
    out('revoke reason', x.revokeReason);
    ctx.io.out('  (the reason and notes are private: only the employee and HR can read them)');
  } else ctx.io.out('  (the reason is private to the employee and HR)');
}

function statusesArg(value: string | undefined): ExceptionStatus[] | undefined {
  if (value === undefined) return undefined;
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of list) {
    if (!(EXCEPTION_STATUSES as readonly string[]).includes(s)) throw new HubdayError('invalid_usage', `--status ${s}: one of ${EXCEPTION_STATUSES.join(', ')}`);
  }
  return list as ExceptionStatus[];
}

export function registerExceptionCommands(program: Command, ctx: CliContext): void {
  const ex = program
    .command('exception')
    .description('exceptions to the office-days policy: accommodation, remote_role, relocation_pending, caregiving, temporary, …')
    .addHelpText('after', `
Who decides: accommodation and caregiving HR; remote_role the employee's VP or above (HR when they have
no VP); relocation_pending, temporary and any other kind HR or the VP or above. Never the employee,
never whoever requested it. The reason is private to the employee and HR.

Examples:
  hubday exception request E100 --kind accommodation --from 2026-12-01 --to 2027-05-31 --days-per-week 1 --reason "…" --as E100
  hubday exception approve X1 --as HR1 --note "letter on file"
  hubday exception list --pending --as HR1`);

  actorCommand(
    ex.command('request <employee>')
      .description('request an exception (the employee, anyone above them, or HR)')
      .requiredOption('--kind <kind>', `${KNOWN_EXCEPTION_KINDS.join(', ')}, or another snake_case kind`)
      .requiredOption('--from <date>', 'first day (YYYY-MM-DD)')
      .requiredOption('--to <date>', 'last day (YYYY-MM-DD, inclusive)')
      .option('--exempt', 'no office days required (the week is exempt)')
      .option('--days-per-week <n>', 'a reduced requirement: this many days a week instead of the policy\'s')
      .requiredOption('--reason <text>', 'why (private: only the employee and HR can read it; never in the audit log)'),
  ).action(async (employeeId: string, o: { kind: string; from: string; to: string; exempt?: boolean; daysPerWeek?: string; reason: string; as?: string; json?: boolean }) => {
    if (!!o.exempt === (o.daysPerWeek !== undefined)) throw new HubdayError('invalid_usage', 'give exactly one of --exempt or --days-per-week N');
    const input = {
      employeeId, kind: o.kind, from: dateArg('--from', o.from), to: dateArg('--to', o.to),
      effect: o.exempt ? ('exempt' as const) : ('reduced' as const),
      daysPerWeek: o.daysPerWeek === undefined ? null : intArg('--days-per-week', o.daysPerWeek, 0, 6), reason: o.reason,
    };
    const x = await ctx.withActor(o.as, (deps, actor) => requestException(deps, actor, input));
    if (o.json) return ctx.json(x);
    ctx.io.out(`requested ${oneLine(x)}`);
    ctx.io.out(`decided by ${x.approver}: hubday exception approve ${x.exceptionId} --as APPROVER`);
  });

  for (const decision of ['approve', 'deny'] as const) {
    actorCommand(
      ex.command(`${decision} <id>`)
        .description(`${decision} a pending request (HR or the VP or above, by kind; never the employee or the requester)`)
        .option('--note <text>', 'a note on the decision (private like the reason)'),
    ).action(async (id: string, o: { note?: string; as?: string; json?: boolean }) => {
      const r = await ctx.withActor(o.as, (deps, actor) => decideException(deps, actor, { exceptionId: id, decision, note: o.note }));
      if (o.json) return ctx.json(r);
      ctx.io.out(`${decision === 'approve' ? 'approved' : 'denied'} ${oneLine(r.exception)}`);
      if (r.reevaluated > 0) ctx.io.out(`re-evaluated ${r.reevaluated} evaluated week${r.reevaluated === 1 ? '' : 's'}`);
    });
  }

  actorCommand(ex.command('withdraw <id>').description('withdraw a pending request (the employee or the requester)'))
    .action(async (id: string, o: { as?: string; json?: boolean }) => {
      const x = await ctx.withActor(o.as, (deps, actor) => withdrawException(deps, actor, { exceptionId: id }));
      if (o.json) return ctx.json(x);
      ctx.io.out(`withdrew ${oneLine(x)}`);
    });

  actorCommand(
    ex.command('revoke <id>')
      .description('end an approved exception from today (never retroactively; by someone who could approve it)')
      .requiredOption('--reason <text>', 'why (private to the employee and HR)'),
  ).action(async (id: string, o: { reason: string; as?: string; json?: boolean }) => {
    const r = await ctx.withActor(o.as, (deps, actor) => revokeException(deps, actor, { exceptionId: id, reason: o.reason }));
    if (o.json) return ctx.json(r);
    ctx.io.out(`revoked ${oneLine(r.exception)}`);
    ctx.io.out(r.exception.inForceUntil ? `it applied until ${r.exception.inForceUntil}; from ${r.exception.revokedFrom} the policy applies as usual` : 'it never took effect');
    if (r.reevaluated > 0) ctx.io.out(`re-evaluated ${r.reevaluated} evaluated week${r.reevaluated === 1 ? '' : 's'}`);
  });

  actorCommand(
    ex.command('list')
      .description('exceptions you may see: yours and your reports\' (HR: everyone\'s); never the private reasons')
      .option('--employee <id>', 'one person\'s exceptions (audited when not yourself)')
      .option('--pending', 'only pending requests')
      .option('--active', 'only those in force today')
      .option('--status <list>', `only these statuses (${EXCEPTION_STATUSES.join(', ')})`)
      .option('--to-decide', 'only pending requests you may decide'),
  ).action(async (o: { employee?: string; pending?: boolean; active?: boolean; status?: string; toDecide?: boolean; as?: string; json?: boolean }) => {
    const list = await ctx.withActor(o.as, (deps, actor) => o.toDecide
      ? pendingForApprover(deps, actor)
      : listExceptionsFor(deps, actor, { employeeId: o.employee, pending: o.pending, active: o.active, statuses: statusesArg(o.status) }));
    if (o.json) return ctx.json(list);
    if (list.length === 0) return ctx.io.out('no exceptions');
    ctx.io.out(table(['id', 'employee', 'kind', 'effect', 'from', 'to', 'status', 'active', 'requested by', 'decided by'], list.map((x) => [
      x.exceptionId, x.employeeId, x.kind, effectText(x), x.startDate, x.endDate, x.status, x.active ? 'yes' : '', x.requestedBy, x.decidedBy,
    ])));
  });

  actorCommand(ex.command('show <id>').description('one exception; the private reason only for the employee and HR (audited when not yourself)'))
    .action(async (id: string, o: { as?: string; json?: boolean }) => {
      const x = await ctx.withActor(o.as, (deps, actor) => showException(deps, actor, { exceptionId: id }));
      if (o.json) return ctx.json(x);
      details(ctx, x);
    });

  ex.command('notify-expiring')
    .description('send the expiry notices due today (approved exceptions ending within exceptions.expiryNoticeDays, default 14) through the outbox, once per exception')
    .option('--as-of <date>', 'the day to count from (default: today)')
    .option('--json', 'print as JSON')
    .action(async (o: { asOf?: string; json?: boolean }) => {
      const asOf = o.asOf === undefined ? undefined : dateArg('--as-of', o.asOf);
      const r = await ctx.withDeps((deps) => sendExpiryNotices(deps, { asOf }));
      if (o.json) return ctx.json(r);
      ctx.io.out(r.notified.length === 0
        ? 'no exception needs an expiry notice'
        : `queued ${r.messages} expiry notice${r.messages === 1 ? '' : 's'} for ${r.notified.length} exception${r.notified.length === 1 ? '' : 's'} (${r.notified.join(', ')}); deliver with hubday outbox deliver`);
    });
}
