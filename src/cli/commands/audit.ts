/** `hubday audit verify` and `hubday audit show`. */
import type { Command } from 'commander';
import { actorCommand, intArg, type CliContext } from '../context.js';
import { parseHead, showAudit, verifyAudit } from '../../use-cases/audit-log.js';
import { table } from '../format.js';
import { HubdayError } from '../../errors.js';
import type { AuditEntry } from '../../audit/chain.js';

function presentEntry(e: AuditEntry): Record<string, unknown> {
  return {
    seq: e.seq, at: e.at, actor: e.actor, action: e.action, subject: e.subject, entity: e.entity,
    before: e.before === null ? null : JSON.parse(e.before), after: e.after === null ? null : JSON.parse(e.after),
    reason: e.reason, prevHash: e.prevHash, hash: e.hash,
  };
}

function brief(text: string | null, max = 60): string {
  if (text === null) return '';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function registerAuditCommands(program: Command, ctx: CliContext): void {
  const audit = program.command('audit').description('the append-only, hash-chained audit log: every change, decision and read of another person\'s attendance');

  audit
    .command('verify')
    .description('recompute the whole hash chain and name the first broken entry (exit 1 when broken)')
    .option('--expect-head <seq:hash>', 'also check that this earlier head (as printed by a previous verify) is still in the log unchanged: detects a truncated end')
    .option('--json', 'print as JSON')
    .action(async (o: { expectHead?: string; json?: boolean }) => {
      const expectHead = o.expectHead === undefined ? undefined : parseHead(o.expectHead);
      const r = await ctx.withDeps((deps) => verifyAudit(deps, { expectHead }));
      if (o.json) ctx.json(r);
      else if (r.ok) {
        ctx.io.out(`audit log intact: ${r.checked} entries verified`);
        ctx.io.out(`head ${r.head.seq}:${r.head.hash}`);
        ctx.io.out('(keep the head somewhere else; "hubday audit verify --expect-head SEQ:HASH" later also detects removed newest entries)');
      }
      if (!r.ok) {
        throw new HubdayError('conflict', `audit log BROKEN at entry ${r.firstBroken!.seq}: ${r.firstBroken!.message} (${r.checked - 1} entries before it verified)`);
      }
    });

  actorCommand(
    audit
      .command('show')
      .description('audit entries, oldest first, filtered by subject (a person or "policy:ID"), actor or action')
      .option('--subject <id>', 'the person or entity the entries are about')
      .option('--actor <id>', 'who acted')
      .option('--action <code>', 'an action code such as promotion.approved, or a prefix ending in "." such as promotion.')
      .option('--limit <n>', 'at most this many (the newest)', '200'),
  ).action(async (o: { subject?: string; actor?: string; action?: string; limit: string; as?: string; json?: boolean }) => {
    const limit = intArg('--limit', o.limit, 1, 1_000_000);
    const entries = await ctx.withActor(o.as, (deps, actor) => showAudit(deps, actor, { subject: o.subject, actor: o.actor, action: o.action, limit }));
    if (o.json) return ctx.json(entries.map(presentEntry));
    if (entries.length === 0) return ctx.io.out('no audit entries match');
    ctx.io.out(table(['seq', 'at (UTC)', 'actor', 'action', 'subject', 'entity', 'change', 'reason'], entries.map((e) => [
      e.seq, e.at.replace('T', ' ').slice(0, 19), e.actor, e.action, e.subject, e.entity, brief(e.after ?? e.before), brief(e.reason, 40),
    ]), new Set([0])));
  });
}
