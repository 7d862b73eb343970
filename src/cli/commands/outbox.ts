/**
 * `hubday outbox list|show|deliver|retry` and `hubday digest --week W`: the outbox of messages
 * (manager digests, notices) and its delivery worker. SMTP and webhook settings come from the
 * environment, read here only and passed to the use case.
 */
import type { Command } from 'commander';
import { actorCommand, intArg, type CliContext } from '../context.js';
import { table } from '../format.js';
import { HubdayError } from '../../errors.js';
import { parseIsoWeek } from '../../engine/dates.js';
import { deliverOutbox, type DeliveryConfig, type DeliverySummary, DELIVERY_DEFAULTS } from '../../use-cases/deliver-outbox.js';
import { listOutbox, showOutbox, retryOutbox } from '../../use-cases/outbox-messages.js';
import { enqueueDigestsForWeek, describeDigestRun } from '../../use-cases/digests.js';
import { OUTBOX_STATUSES, type OutboxMessage, type OutboxStatus } from '../../store/outbox.repository.js';

const ENV_HELP = `
Delivery settings (environment):
  HUBDAY_SMTP_HOST       SMTP server host (required for mail)
  HUBDAY_SMTP_PORT       port (default 587, or 465 with HUBDAY_SMTP_SECURE=true)
  HUBDAY_SMTP_SECURE     true: TLS from the start (port 465); false (default): STARTTLS when offered
  HUBDAY_SMTP_USER       user name, when the server needs a login
  HUBDAY_SMTP_PASSWORD   password for HUBDAY_SMTP_USER
  HUBDAY_SMTP_FROM       the sender, e.g. "hubday <hubday@example.com>" (required for mail)
  HUBDAY_WEBHOOK_URL     optional: also POST every message as JSON to this URL
  HUBDAY_WEBHOOK_SECRET  the HMAC-SHA256 key of the X-Hubday-Signature header (required with the URL)`;

/** The delivery configuration from the environment, or a usage error that says what to set. */
export function deliveryConfigFromEnv(env: Record<string, string | undefined>): DeliveryConfig {
  const v = (name: string) => {
    const x = env[name]?.trim();
    return x === undefined || x === '' ? undefined : x;
  };
  const config: DeliveryConfig = {};
  const host = v('HUBDAY_SMTP_HOST');
  if (host !== undefined) {
    const secureText = (v('HUBDAY_SMTP_SECURE') ?? 'false').toLowerCase();
    if (!['true', 'false', '1', '0', 'yes', 'no'].includes(secureText)) {
      throw new HubdayError('invalid_usage', `HUBDAY_SMTP_SECURE must be true or false, got "${env.HUBDAY_SMTP_SECURE}"`);
    }
    const secure = ['true', '1', 'yes'].includes(secureText);
    const portText = v('HUBDAY_SMTP_PORT');
    const port = portText === undefined ? (secure ? 465 : 587) : Number(portText);
    if (!/^\d+$/.test(portText ?? String(port)) || port < 1 || port > 65535) {
      throw new HubdayError('invalid_usage', `HUBDAY_SMTP_PORT must be a port number from 1 to 65535, got "${portText}"`);
    }
    const from = v('HUBDAY_SMTP_FROM');
    if (from === undefined) throw new HubdayError('invalid_usage', 'HUBDAY_SMTP_FROM is not set: the sender of the mail, e.g. HUBDAY_SMTP_FROM="hubday <hubday@example.com>"');
    const user = v('HUBDAY_SMTP_USER');
    const password = env.HUBDAY_SMTP_PASSWORD;
    if (user !== undefined && (password === undefined || password === '')) {
      throw new HubdayError('invalid_usage', 'HUBDAY_SMTP_USER is set but HUBDAY_SMTP_PASSWORD is not: set both to log in, or neither');
    }
    config.smtp = { host, port, secure, from, ...(user !== undefined ? { user, password } : {}) };
  }
  const url = v('HUBDAY_WEBHOOK_URL');
  if (url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new HubdayError('invalid_usage', `HUBDAY_WEBHOOK_URL is not a URL: "${url}"`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new HubdayError('invalid_usage', `HUBDAY_WEBHOOK_URL must be an http(s) URL, got "${url}"`);
    const secret = env.HUBDAY_WEBHOOK_SECRET;
    if (secret === undefined || secret === '') {
      throw new HubdayError('invalid_usage', 'HUBDAY_WEBHOOK_URL is set but HUBDAY_WEBHOOK_SECRET is not: webhooks are always signed; set a shared secret');
    }
    config.webhook = { url, secret };
  }
  if (!config.smtp && !config.webhook) {
    throw new HubdayError('invalid_usage', 'SMTP is not configured: set HUBDAY_SMTP_HOST and HUBDAY_SMTP_FROM (and HUBDAY_SMTP_PORT, HUBDAY_SMTP_USER, HUBDAY_SMTP_PASSWORD as needed); see hubday outbox deliver --help');
  }
  return config;
}

/** A message as JSON (the body and payload only with `full`). */
export function presentOutboxMessage(m: OutboxMessage, full = false): Record<string, unknown> {
  return {
    id: m.id, kind: m.kind, dedupeKey: m.dedupeKey, channel: m.channel, recipientId: m.recipientId, to: m.to, subject: m.subject,
    status: m.status, attempts: m.attempts, nextAttemptAt: ['pending', 'failed', 'sending'].includes(m.status) ? m.nextAttemptAt : null,
    lastError: m.lastError, createdAt: m.createdAt, mailedAt: m.mailedAt, postedAt: m.postedAt, sentAt: m.sentAt,
    ...(full ? { text: m.text, payload: m.payload } : {}),
  };
}

const when = (iso: string | null) => (iso === null ? null : `${iso.replace('T', ' ').slice(0, 16)}`);

function brief(text: string | null, max = 50): string | null {
  if (text === null) return null;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** When: sent at, or the next attempt, or the last change. */
function whenOf(m: OutboxMessage): string | null {
  if (m.status === 'sent') return when(m.sentAt);
  if (m.status === 'pending') return `due ${when(m.nextAttemptAt)}`;
  if (m.status === 'failed') return `retry ${when(m.nextAttemptAt)}`;
  if (m.status === 'sending') return `lease ${when(m.nextAttemptAt)}`;
  return when(m.updatedAt);
}

function countsLine(c: Record<OutboxStatus, number>): string {
  return OUTBOX_STATUSES.map((s) => `${c[s]} ${s}`).join(', ');
}

function summaryLine(s: DeliverySummary): string {
  if (s.claimed === 0) return 'nothing due: no pending message, and no failed one whose next attempt has come';
  return `delivery pass: ${s.claimed} message${s.claimed === 1 ? '' : 's'}: ${s.sent} sent, ${s.failed} failed (will retry), ${s.dead} dead (gave up)`;
}

export function registerOutboxCommands(program: Command, ctx: CliContext): void {
  const outbox = program
    .command('outbox')
    .description('messages waiting to be delivered or delivered (manager digests, notices) and the delivery worker');

  actorCommand(
    outbox
      .command('list')
      .description('messages, newest first, with their delivery state (yours only unless you are the operator, an admin or HR)')
      .option('--status <status>', `only this status: ${OUTBOX_STATUSES.join(', ')}`)
      .option('--kind <kind>', 'only this kind, e.g. digest.weekly')
      .option('--recipient <employee>', 'only messages for this person')
      .option('--limit <n>', 'at most this many', '50'),
  ).action(async (o: { status?: string; kind?: string; recipient?: string; limit: string; as?: string; json?: boolean }) => {
    if (o.status !== undefined && !OUTBOX_STATUSES.includes(o.status as OutboxStatus)) {
      throw new HubdayError('invalid_usage', `--status must be one of ${OUTBOX_STATUSES.join(', ')}, got "${o.status}"`);
    }
    const limit = intArg('--limit', o.limit, 1, 100_000);
    const r = await ctx.withActor(o.as, (deps, actor) => listOutbox(deps, actor, {
      status: o.status as OutboxStatus | undefined, kind: o.kind, recipientId: o.recipient, limit,
    }));
    if (o.json) return ctx.json({ scope: r.scope, counts: r.counts, messages: r.messages.map((m) => presentOutboxMessage(m)) });
    ctx.io.out(`outbox${r.scope === 'own' ? ' (your messages)' : ''}${o.kind ? ` ${o.kind}` : ''}: ${countsLine(r.counts)}`);
    if (r.messages.length === 0) return ctx.io.out('no messages match');
    ctx.io.out(table(['id', 'kind', 'key', 'to', 'status', 'tries', 'when (UTC)', 'last error'], r.messages.map((m) => [
      m.id, m.kind, m.dedupeKey, m.to, m.status, m.attempts, whenOf(m), brief(m.lastError),
    ]), new Set([0, 5])));
    if (r.messages.length === limit) ctx.io.out(`(the newest ${limit}; --limit N for more)`);
  });

  actorCommand(outbox.command('show <id>').description('one message: its delivery state, the text as mailed and the webhook payload'))
    .action(async (idText: string, o: { as?: string; json?: boolean }) => {
      const id = intArg('id', idText, 1, Number.MAX_SAFE_INTEGER);
      const m = await ctx.withActor(o.as, (deps, actor) => showOutbox(deps, actor, id));
      if (o.json) return ctx.json(presentOutboxMessage(m, true));
      const lines = [
        `message ${m.id}  ${m.kind}  ${m.dedupeKey}`,
        `status:   ${m.status}${m.attempts === 0 ? ' (not tried yet)' : ` after ${m.attempts} attempt${m.attempts === 1 ? '' : 's'}`}${m.status === 'pending' || m.status === 'failed' ? `; ${m.status === 'pending' ? 'due' : 'next attempt'} ${when(m.nextAttemptAt)} UTC` : ''}`,
        `created:  ${when(m.createdAt)} UTC${m.sentAt ? `; sent ${when(m.sentAt)} UTC` : ''}${m.mailedAt ? `; mailed ${when(m.mailedAt)}` : ''}${m.postedAt ? `; webhook ${when(m.postedAt)}` : ''}`,
        ...(m.lastError ? [`error:    ${m.lastError}`] : []),
        `to:       ${m.to}${m.recipientId ? ` (${m.recipientId})` : ''} by ${m.channel}`,
        `subject:  ${m.subject}`,
        '',
        m.text.trimEnd(),
      ];
      ctx.io.out(lines.join('\n'));
    });

  actorCommand(
    outbox
      .command('deliver')
      .description('run the delivery worker: send the due messages by mail (and to the webhook when configured), record sent, failed (retried with backoff) or dead')
      .option('--limit <n>', 'at most this many messages per pass', String(DELIVERY_DEFAULTS.limit))
      .option('--max-attempts <n>', 'attempts before a message is dead', String(DELIVERY_DEFAULTS.maxAttempts))
      .option('--watch', 'keep running: a pass every --interval seconds until Ctrl-C (or --passes)')
      .option('--interval <seconds>', 'seconds between passes with --watch', '30')
      .option('--passes <n>', 'with --watch, stop after this many passes')
      .addHelpText('after', ENV_HELP),
  ).action(async (o: { limit: string; maxAttempts: string; watch?: boolean; interval: string; passes?: string; as?: string; json?: boolean }) => {
    const limit = intArg('--limit', o.limit, 1, 100_000);
    const maxAttempts = intArg('--max-attempts', o.maxAttempts, 1, 100);
    const interval = intArg('--interval', o.interval, 1, 86_400);
    const passes = o.passes === undefined ? (o.watch ? Infinity : 1) : intArg('--passes', o.passes, 1, 1_000_000);
    const config = deliveryConfigFromEnv(ctx.io.env);
    if (!config.smtp) ctx.io.err('note: SMTP is not configured (HUBDAY_SMTP_HOST): only webhook messages are delivered; mail waits');
    const total: DeliverySummary = { claimed: 0, sent: 0, failed: 0, dead: 0, results: [] };
    await ctx.withActor(o.as, async (deps, actor) => {
      let stop = false;
      let wake: (() => void) | null = null;
      const onSignal = () => {
        stop = true;
        wake?.();
      };
      if (o.watch) {
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
      }
      try {
        for (let pass = 0; pass < passes && !stop; pass++) {
          if (pass > 0) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, interval * 1000);
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
            });
            wake = null;
            if (stop) break;
          }
          const s = await deliverOutbox(deps, actor, config, { limit, maxAttempts });
          total.claimed += s.claimed;
          total.sent += s.sent;
          total.failed += s.failed;
          total.dead += s.dead;
          for (const r of s.results) total.results.push(r);
          if (!o.json && (!o.watch || s.claimed > 0)) {
            ctx.io.out(`${o.watch ? `${new Date().toISOString().slice(0, 19)}Z ` : ''}${summaryLine(s)}`);
            for (const r of s.results.filter((x) => x.status !== 'sent')) {
              ctx.io.out(`  #${r.id} ${r.to}: ${r.status} after attempt ${r.attempts}: ${r.error}${r.nextAttemptAt ? `; next attempt ${when(r.nextAttemptAt)} UTC` : '; hubday outbox retry ' + r.id + ' to try again'}`);
            }
          }
        }
      } finally {
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
      }
    });
    if (o.json) return ctx.json(total);
    if (o.watch) ctx.io.out(`stopped: ${total.sent} sent, ${total.failed} failed, ${total.dead} dead in all`);
  });

  actorCommand(outbox.command('retry <id>').description('put a dead, failed or cancelled message back in the queue, due now (audited)'))
    .action(async (idText: string, o: { as?: string; json?: boolean }) => {
      const id = intArg('id', idText, 1, Number.MAX_SAFE_INTEGER);
      const m = await ctx.withActor(o.as, (deps, actor) => retryOutbox(deps, actor, id));
      if (o.json) return ctx.json(presentOutboxMessage(m));
      ctx.io.out(`message ${m.id} (${m.dedupeKey}) is pending again after ${m.attempts} attempts; the next hubday outbox deliver sends it`);
    });

  actorCommand(
    program
      .command('digest')
      .description("write the managers' digests of a complete, evaluated week to the outbox (evaluation does it for the week just ended); exactly once per manager and week")
      .requiredOption('--week <week>', 'ISO week, e.g. 2026-W47'),
  ).action(async (o: { week: string; as?: string; json?: boolean }) => {
    const w = parseIsoWeek(o.week);
    if (!w) throw new HubdayError('invalid_usage', `--week must be an ISO week like 2026-W47, got "${o.week}"`);
    const s = await ctx.withActor(o.as, (deps, actor) => enqueueDigestsForWeek(deps, actor, { week: w.week, monday: w.monday }));
    if (o.json) return ctx.json(s);
    ctx.io.out(describeDigestRun(s));
  });
}
