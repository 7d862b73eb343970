/**
 * The outbox worker (`hubday outbox deliver`): claims due messages, sends each by mail over SMTP
 * (nodemailer) and, when a webhook is configured, posts it as signed JSON; records the outcome.
 *
 * Delivery semantics:
 * - A message is claimed (`sending`, attempts + 1) for a lease; several workers claim disjoint
 *   messages (`FOR UPDATE SKIP LOCKED` on PostgreSQL; the embedded store has one connection).
 * - Success of every leg → `sent`. A failure → `failed`, retried after an exponential backoff
 *   (base × 2^(attempts−1), capped), with the error text kept; after `maxAttempts` → `dead`
 *   (an operator can put it back with `hubday outbox retry ID`).
 * - Each leg (mail, webhook) is recorded as soon as it succeeds, so a retry redoes only the leg
 *   that failed: a message is never mailed twice because its webhook failed.
 * - A worker that dies between sending and recording leaves the message `sending`; when the lease
 *   expires it is sent again (at least once, in that one window). Mail carries a stable
 *   Message-ID and the webhook a stable X-Hubday-Delivery id so that receivers can drop the copy.
 *
 * Configuration is passed in (the CLI reads HUBDAY_SMTP_* and HUBDAY_WEBHOOK_* from the
 * environment); time comes from deps.clock.
 */
import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Deps } from './deps.js';
import type { Actor } from '../engine/org.js';
import {
  claimDueOutbox, markOutboxFailed, markOutboxLegs, markOutboxSent, type OutboxChannel, type OutboxMessage,
} from '../store/outbox.repository.js';
import { HubdayError } from '../errors.js';
import { mayManageOutbox, refreshStaleDigests } from './digests.js';

export interface SmtpConfig {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  user?: string;
  password?: string;
  /** The sender, e.g. `hubday <hubday@example.com>`. */
  from: string;
  /** Connection, greeting and socket timeout (default 30 s). */
  timeoutMs?: number;
}

export interface WebhookConfig {
  url: string;
  /** The shared secret of the HMAC-SHA256 signature. */
  secret: string;
  timeoutMs?: number;
}

export interface DeliveryConfig {
  smtp?: SmtpConfig;
  webhook?: WebhookConfig;
}

export interface DeliverOptions {
  /** At most this many messages in this pass (default 100). */
  limit?: number;
  /** Attempts before a message is `dead` (default 10). */
  maxAttempts?: number;
  /** The first retry's delay (default 2 minutes); doubled at each further attempt. */
  baseDelayMs?: number;
  /** The longest delay between two attempts (default 6 hours). */
  maxDelayMs?: number;
  /** Messages claimed at a time (default 10). */
  batch?: number;
}

export const DELIVERY_DEFAULTS = { limit: 100, maxAttempts: 10, baseDelayMs: 120_000, maxDelayMs: 6 * 3_600_000, batch: 10 } as const;

export interface DeliveryResult {
  id: number;
  kind: string;
  to: string;
  attempts: number;
  status: 'sent' | 'failed' | 'dead';
  error?: string;
  nextAttemptAt?: string;
}

export interface DeliverySummary {
  claimed: number;
  sent: number;
  failed: number;
  dead: number;
  results: DeliveryResult[];
}

/** The delay before the next attempt after `attempts` failed ones: base × 2^(attempts−1), at most max. */
export function backoffMs(attempts: number, baseDelayMs: number = DELIVERY_DEFAULTS.baseDelayMs, maxDelayMs: number = DELIVERY_DEFAULTS.maxDelayMs): number {
  const exp = Math.min(Math.max(attempts - 1, 0), 40);
  return Math.min(maxDelayMs, baseDelayMs * 2 ** exp);
}

/** The signature header value for a webhook body sent at `timestamp` (Unix seconds): HMAC-SHA256 of `${timestamp}.${body}`. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The JSON a webhook receives for a message. */
export function webhookBody(m: OutboxMessage): string {
  return JSON.stringify({
    id: m.id, kind: m.kind, dedupeKey: m.dedupeKey, recipientId: m.recipientId, to: m.to, subject: m.subject, text: m.text,
    createdAt: m.createdAt, payload: m.payload,
  });
}

function messageIdOf(m: OutboxMessage): string {
  return `<outbox-${m.id}.${createHmac('sha256', 'hubday').update(m.dedupeKey).digest('hex').slice(0, 16)}@hubday>`;
}

function errorText(e: unknown): string {
  if (e instanceof Error) {
    const resp = (e as { response?: string }).response;
    return (resp && !e.message.includes(resp) ? `${e.message}: ${resp}` : e.message).replace(/\s+/g, ' ').trim();
  }
  return String(e);
}

export async function deliverOutbox(deps: Deps, actor: Actor, config: DeliveryConfig, opts: DeliverOptions = {}): Promise<DeliverySummary> {
  if (!mayManageOutbox(actor)) {
    throw new HubdayError('forbidden', `${actor.id} may not run the outbox worker: only the operator, admins and HR may`, [], 'not_admin_or_hr');
  }
  if (!config.smtp && !config.webhook) {
    throw new HubdayError('invalid_usage', 'no delivery is configured: set HUBDAY_SMTP_HOST and HUBDAY_SMTP_FROM (and HUBDAY_SMTP_PORT, HUBDAY_SMTP_USER, HUBDAY_SMTP_PASSWORD as needed)');
  }
  const limit = opts.limit ?? DELIVERY_DEFAULTS.limit;
  const maxAttempts = opts.maxAttempts ?? DELIVERY_DEFAULTS.maxAttempts;
  const baseDelayMs = opts.baseDelayMs ?? DELIVERY_DEFAULTS.baseDelayMs;
  const maxDelayMs = opts.maxDelayMs ?? DELIVERY_DEFAULTS.maxDelayMs;
  const batch = Math.max(1, Math.min(opts.batch ?? DELIVERY_DEFAULTS.batch, limit));
  const smtpTimeout = config.smtp?.timeoutMs ?? 30_000;
  const webhookTimeout = config.webhook?.timeoutMs ?? 30_000;
  // A claim lasts long enough for the whole batch to time out twice over; then another worker may take over.
  const leaseMs = batch * (smtpTimeout + webhookTimeout) * 2 + 60_000;
  const channels: OutboxChannel[] = [...(config.smtp ? ['mail' as const] : []), ...(config.webhook ? ['webhook' as const] : [])];

  const transport = config.smtp
    ? nodemailer.createTransport({
      host: config.smtp.host, port: config.smtp.port, secure: config.smtp.secure,
      auth: config.smtp.user ? { user: config.smtp.user, pass: config.smtp.password ?? '' } : undefined,
      connectionTimeout: smtpTimeout, greetingTimeout: smtpTimeout, socketTimeout: smtpTimeout,
    })
    : null;

  // Digests of weeks re-evaluated in part since they were written are rebuilt first.
  await refreshStaleDigests(deps);
  const summary: DeliverySummary = { claimed: 0, sent: 0, failed: 0, dead: 0, results: [] };
  try {
    while (summary.claimed < limit) {
      const claimed = await claimDueOutbox(deps.db, { now: deps.clock.now(), limit: Math.min(batch, limit - summary.claimed), leaseMs, channels });
      if (claimed.length === 0) break;
      summary.claimed += claimed.length;
      for (const m of claimed) {
        let error: string | null = null;
        let leg = 'smtp';
        try {
          if (m.channel === 'mail' && m.mailedAt === null) {
            await transport!.sendMail({
              from: config.smtp!.from, to: m.to, subject: m.subject, text: m.text, messageId: messageIdOf(m),
              headers: { 'X-Hubday-Kind': m.kind, 'X-Hubday-Dedupe-Key': m.dedupeKey },
            });
            await markOutboxLegs(deps.db, m.id, { mailedAt: deps.clock.now() });
          }
          if (config.webhook && m.postedAt === null) {
            leg = 'webhook';
            await postWebhook(config.webhook, m, deps.clock.now(), webhookTimeout);
            await markOutboxLegs(deps.db, m.id, { postedAt: deps.clock.now() });
          }
        } catch (e) {
          error = `${leg}: ${errorText(e)}`;
        }
        const now = deps.clock.now();
        if (error === null) {
          await markOutboxSent(deps.db, m.id, now);
          summary.sent++;
          summary.results.push({ id: m.id, kind: m.kind, to: m.to, attempts: m.attempts, status: 'sent' });
        } else if (m.attempts >= maxAttempts) {
          await markOutboxFailed(deps.db, m.id, now, error, null);
          summary.dead++;
          summary.results.push({ id: m.id, kind: m.kind, to: m.to, attempts: m.attempts, status: 'dead', error });
        } else {
          const next = new Date(now.getTime() + backoffMs(m.attempts, baseDelayMs, maxDelayMs));
          await markOutboxFailed(deps.db, m.id, now, error, next);
          summary.failed++;
          summary.results.push({ id: m.id, kind: m.kind, to: m.to, attempts: m.attempts, status: 'failed', error, nextAttemptAt: next.toISOString() });
        }
      }
    }
  } finally {
    transport?.close();
  }
  return summary;
}

async function postWebhook(w: WebhookConfig, m: OutboxMessage, now: Date, timeoutMs: number): Promise<void> {
  const body = webhookBody(m);
  const timestamp = String(Math.floor(now.getTime() / 1000));
  let res: Response;
  try {
    res = await fetch(w.url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'hubday-outbox',
        'X-Hubday-Delivery': String(m.id),
        'X-Hubday-Kind': m.kind,
        'X-Hubday-Timestamp': timestamp,
        'X-Hubday-Signature': webhookSignature(w.secret, timestamp, body),
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new Error(errorText((e as { cause?: unknown }).cause ?? e));
  }
  // Drain the body so that the connection is released.
  const text = await res.text().catch(() => '');
  if (res.status < 200 || res.status > 299) throw new Error(`HTTP ${res.status}${text ? ` ${text.slice(0, 200)}` : ''}`);
}
