/**
 * The outbox table (migration v3): messages enqueued in the caller's transaction, exactly once
 * per dedupe key, and claimed, marked sent or failed by the delivery worker
 * (use-cases/deliver-outbox.ts). Set-based: one statement per batch of messages.
 */
import { sqlFilter } from './sql-filter.js';
import type { Db } from './db.js';
import { csvLine, chunkLines } from './csv-text.js';

export type OutboxChannel = 'mail' | 'webhook';
export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'dead' | 'cancelled';
export const OUTBOX_STATUSES: readonly OutboxStatus[] = ['pending', 'sending', 'sent', 'failed', 'dead', 'cancelled'];

export interface OutboxDraft {
  /** A stable dotted code: `digest.weekly`, `exception.expiring`, … */
  kind: string;
  /** Unique across the outbox: a second draft with the same key is not enqueued again. */
  dedupeKey: string;
  /** `mail` (default; also posted to the webhook when one is configured) or `webhook` only. */
  channel?: OutboxChannel;
  /** The employee the message is for (null for an integration). */
  recipientId: string | null;
  /** The mail address (for `webhook`, a free label such as the integration's name). */
  to: string;
  subject: string;
  /** The plain-text body. */
  text: string;
  /** Structured content (what the webhook receives): ids, codes and numbers, no private reasons. */
  payload: unknown;
}

export interface OutboxMessage {
  id: number;
  kind: string;
  dedupeKey: string;
  channel: OutboxChannel;
  recipientId: string | null;
  to: string;
  subject: string;
  text: string;
  payload: unknown;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  mailedAt: string | null;
  postedAt: string | null;
  sentAt: string | null;
}

interface Row {
  id: number; kind: string; dedupe_key: string; channel: OutboxChannel; recipient_id: string | null; recipient: string;
  subject: string; body: string; payload: unknown; status: OutboxStatus; attempts: number; next_attempt_at: string;
  last_error: string | null; created_at: string; updated_at: string; mailed_at: string | null; posted_at: string | null;
  sent_at: string | null;
}

const COLUMNS = `id, kind, dedupe_key, channel, recipient_id, recipient, subject, body, payload, status, attempts,
  next_attempt_at, last_error, created_at, updated_at, mailed_at, posted_at, sent_at`;

/** The payload column holds JSON text (migration v8); before it, jsonb that the driver parsed. */
function payloadOf(v: unknown): unknown {
  return typeof v === 'string' ? JSON.parse(v) : v;
}

function toMessage(r: Row): OutboxMessage {
  return {
    id: Number(r.id), kind: r.kind, dedupeKey: r.dedupe_key, channel: r.channel, recipientId: r.recipient_id, to: r.recipient,
    subject: r.subject, text: r.body, payload: payloadOf(r.payload), status: r.status, attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at, lastError: r.last_error, createdAt: r.created_at, updatedAt: r.updated_at,
    mailedAt: r.mailed_at, postedAt: r.posted_at, sentAt: r.sent_at,
  };
}

export interface EnqueueResult {
  /** Messages new to the outbox. */
  inserted: number;
  /** Messages already there, not yet delivered, whose content was replaced (refresh: true only). */
  refreshed: number;
  /** Messages already there and left as they were (delivered, in flight, or identical). */
  kept: number;
}

export interface EnqueueOptions {
  /** The enqueue time (created_at, and when the first attempt is due); default: the database's now(). */
  at?: Date;
  /**
   * When a dedupe key exists and its message is not delivered yet (`pending`, `failed` or
   * `cancelled`), replace its subject, body and payload with the new draft's (a cancelled one
   * becomes pending again). Sent, dead and in-flight (`sending`) messages are never touched.
   */
  refresh?: boolean;
}

const BATCH = 500;

/** Inserts messages in the caller's transaction; a dedupeKey already present is left as is (exactly once). Returns how many were new. */
export async function enqueueOutbox(tx: Db, messages: readonly OutboxDraft[], at?: Date): Promise<number> {
  return (await enqueueOutboxMessages(tx, messages, at ? { at } : {})).inserted;
}

/** Columns a COPY of new messages fills, `kind` first (a CSV record never starts with `\.`). */
const NEW_COLUMNS = [
  'kind', 'dedupe_key', 'channel', 'recipient_id', 'recipient', 'subject', 'body', 'payload', 'status', 'attempts',
  'next_attempt_at', 'created_at', 'updated_at',
] as const;

/**
 * Any constant of our own for pg_advisory_xact_lock: enqueuers take it in turn (see below).
 * 0x68756264 is "hubd".
 */
const ENQUEUE_LOCK = 0x68756264;

/**
 * enqueueOutbox with the details, and optionally refreshing undelivered messages (see EnqueueOptions).
 *
 * Messages whose key is new (all of them, the first time a week's digests are written: 42,615 at
 * the `large` benchmark size) are written with one COPY; those whose key is already in the outbox
 * go through an upsert, 500 to a statement. Enqueuers take a transaction-level advisory lock in
 * turn, so that a key found absent stays absent until this transaction ends: a second enqueuer of
 * the same key waits, then finds it and keeps it (exactly once, never a duplicate-key error).
 */
export async function enqueueOutboxMessages(tx: Db, messages: readonly OutboxDraft[], opts: EnqueueOptions = {}): Promise<EnqueueResult> {
  const result: EnqueueResult = { inserted: 0, refreshed: 0, kept: 0 };
  // One draft per key (the last wins), so one statement never sees a key twice.
  const byKey = new Map<string, OutboxDraft>();
  for (const m of messages) byKey.set(m.dedupeKey, m);
  if (byKey.size === 0) return result;
  await tx.query('SELECT pg_advisory_xact_lock($1)', [ENQUEUE_LOCK]);
  const keys = [...byKey.keys()].sort(byCodeUnit);
  const present = new Set((await tx.query<{ dedupe_key: string }>(
    'SELECT dedupe_key FROM outbox WHERE dedupe_key = ANY($1::text[])', [keys],
  )).map((r) => r.dedupe_key));
  // The enqueue time: the given one, or the transaction's now() as the upsert below would take it.
  const at = opts.at ? opts.at.toISOString() : (await tx.query<{ now: string }>('SELECT now()::text AS now'))[0]!.now;
  const fresh = keys.filter((k) => !present.has(k)).map((k) => byKey.get(k)!);
  if (fresh.length > 0) {
    // In key order, as the upsert inserts (ids follow the keys).
    // Lines made as the COPY asks for them: the server ingests a chunk while the next is made.
    function* lines(): Generator<string> {
      for (const m of fresh) {
        yield csvLine([m.kind, m.dedupeKey, m.channel ?? 'mail', m.recipientId, m.to, m.subject, m.text, payloadText(m), 'pending', 0, at, at, at]);
      }
    }
    result.inserted = await tx.copyFrom('outbox', NEW_COLUMNS, chunkLines(lines()));
  }
  const known = keys.filter((k) => present.has(k)).map((k) => byKey.get(k)!);
  if (known.length > 0) await upsertKnown(tx, known, at, opts.refresh === true, result);
  result.kept = byKey.size - result.inserted - result.refreshed;
  return result;
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The payload's JSON text (the column is text since migration v8). */
function payloadText(m: OutboxDraft): string {
  return m.payload === undefined || m.payload === null ? 'null' : JSON.stringify(m.payload);
}

/** Messages whose key is already in the outbox: refreshed (when asked and still undelivered) or kept. */
async function upsertKnown(tx: Db, drafts: readonly OutboxDraft[], at: string, refresh: boolean, result: EnqueueResult): Promise<void> {
  const onConflict = refresh
    ? `DO UPDATE SET subject = EXCLUDED.subject, body = EXCLUDED.body, payload = EXCLUDED.payload,
         recipient = EXCLUDED.recipient, recipient_id = EXCLUDED.recipient_id,
         status = CASE WHEN outbox.status = 'cancelled' THEN 'pending' ELSE outbox.status END,
         updated_at = EXCLUDED.updated_at
       WHERE outbox.status IN ('pending', 'failed', 'cancelled')
         AND (outbox.status = 'cancelled' OR outbox.body IS DISTINCT FROM EXCLUDED.body
              OR outbox.subject IS DISTINCT FROM EXCLUDED.subject OR outbox.payload IS DISTINCT FROM EXCLUDED.payload
              OR outbox.recipient IS DISTINCT FROM EXCLUDED.recipient)`
    : 'DO NOTHING';
  const sql = `WITH src AS (
       SELECT * FROM json_to_recordset($1::json) AS x(kind text, dedupe_key text, channel text, recipient_id text,
         recipient text, subject text, body text, payload text)
     ), up AS (
       INSERT INTO outbox (kind, dedupe_key, channel, recipient_id, recipient, subject, body, payload, status, attempts,
                           next_attempt_at, created_at, updated_at)
       SELECT kind, dedupe_key, channel, recipient_id, recipient, subject, body, payload, 'pending', 0,
              $2::timestamptz, $2::timestamptz, $2::timestamptz
       FROM src ORDER BY dedupe_key
       ON CONFLICT (dedupe_key) ${onConflict}
       RETURNING (xmax = 0) AS ins)
     SELECT count(*) FILTER (WHERE ins)::int AS inserted, count(*) FILTER (WHERE NOT ins)::int AS refreshed FROM up`;
  const rowsOf = (i: number) => JSON.stringify(drafts.slice(i, i + BATCH).map((m) => ({
    kind: m.kind, dedupe_key: m.dedupeKey, channel: m.channel ?? 'mail', recipient_id: m.recipientId, recipient: m.to,
    subject: m.subject, body: m.text, payload: payloadText(m),
  })));
  // One statement at a time on the connection, but the next batch's JSON is built while the
  // server runs the current one.
  let rows = rowsOf(0);
  for (let i = 0; i < drafts.length; i += BATCH) {
    const running = tx.query<{ inserted: number; refreshed: number }>(sql, [rows, at]);
    // A rejection is awaited just below; never unhandled meanwhile.
    running.catch(() => undefined);
    if (i + BATCH < drafts.length) rows = rowsOf(i + BATCH);
    const res = await running;
    result.inserted += Number(res[0]!.inserted);
    result.refreshed += Number(res[0]!.refreshed);
  }
}

/**
 * Cancels the undelivered messages (`pending` or `failed`) among these dedupe keys: what a re-run
 * does to a digest whose week no longer has anyone out of compliance. Returns how many.
 */
export async function cancelOutbox(tx: Db, dedupeKeys: readonly string[], at: Date): Promise<number> {
  if (dedupeKeys.length === 0) return 0;
  const res = await tx.run(
    `UPDATE outbox SET status = 'cancelled', updated_at = $2 WHERE dedupe_key = ANY($1::text[]) AND status IN ('pending', 'failed')`,
    [dedupeKeys, at.toISOString()],
  );
  return res.rowCount;
}

/** Dedupe keys of undelivered messages (pending or failed) of a kind, matching a LIKE pattern. */
export async function undeliveredKeys(db: Db, kind: string, likePattern: string): Promise<string[]> {
  const rows = await db.query<{ dedupe_key: string }>(
    `SELECT dedupe_key FROM outbox WHERE kind = $1 AND status IN ('pending', 'failed') AND dedupe_key LIKE $2 ORDER BY dedupe_key`,
    [kind, likePattern]);
  return rows.map((r) => r.dedupe_key);
}

export interface ClaimOptions {
  now: Date;
  limit: number;
  /** How long a claim holds before another worker may take the message over (a crashed worker). */
  leaseMs: number;
  /** Channels this worker can deliver. */
  channels: readonly OutboxChannel[];
}

/**
 * Claims up to `limit` due messages for this worker, in one statement: `pending` and `failed`
 * ones whose next attempt is due, and `sending` ones whose lease expired (a worker died
 * mid-send). They become `sending`, attempts + 1, leased until now + leaseMs. On PostgreSQL,
 * `FOR UPDATE SKIP LOCKED` lets several workers claim disjoint sets at the same time.
 */
export async function claimDueOutbox(db: Db, o: ClaimOptions): Promise<OutboxMessage[]> {
  const now = o.now.toISOString();
  const lease = new Date(o.now.getTime() + o.leaseMs).toISOString();
  const rows = await db.query<Row>(
    `UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = $3, updated_at = $1
     WHERE id IN (
       SELECT id FROM outbox
       WHERE status IN ('pending', 'failed', 'sending') AND next_attempt_at <= $1 AND channel = ANY($4::text[])
       ORDER BY next_attempt_at, id
       LIMIT $2
       FOR UPDATE SKIP LOCKED)
     RETURNING ${COLUMNS}`,
    [now, o.limit, lease, o.channels],
  );
  return rows.map(toMessage).sort((a, b) => a.id - b.id);
}

/** Records the legs delivered so far (mailed_at / posted_at) of a claimed message. */
export async function markOutboxLegs(db: Db, id: number, legs: { mailedAt?: Date; postedAt?: Date }): Promise<void> {
  await db.query(
    `UPDATE outbox SET mailed_at = coalesce(mailed_at, $2), posted_at = coalesce(posted_at, $3) WHERE id = $1`,
    [id, legs.mailedAt?.toISOString() ?? null, legs.postedAt?.toISOString() ?? null],
  );
}

/** Marks a claimed message sent. */
export async function markOutboxSent(db: Db, id: number, at: Date): Promise<void> {
  await db.query(
    `UPDATE outbox SET status = 'sent', sent_at = $2, updated_at = $2, last_error = NULL, next_attempt_at = $2
     WHERE id = $1 AND status = 'sending'`,
    [id, at.toISOString()],
  );
}

/** Marks a claimed message failed (retry at nextAttemptAt) or dead (nextAttemptAt null). */
export async function markOutboxFailed(db: Db, id: number, at: Date, error: string, nextAttemptAt: Date | null): Promise<void> {
  await db.query(
    `UPDATE outbox SET status = $3, last_error = $4, updated_at = $2, next_attempt_at = coalesce($5, next_attempt_at)
     WHERE id = $1 AND status = 'sending'`,
    [id, at.toISOString(), nextAttemptAt ? 'failed' : 'dead', error.slice(0, 2000), nextAttemptAt?.toISOString() ?? null],
  );
}

/** Puts a dead, failed or cancelled message back to pending, due now (an operator's retry). */
export async function requeueOutbox(db: Db, id: number, at: Date): Promise<OutboxMessage | undefined> {
  const rows = await db.query<Row>(
    `UPDATE outbox SET status = 'pending', next_attempt_at = $2, updated_at = $2
     WHERE id = $1 AND status IN ('dead', 'failed', 'cancelled') RETURNING ${COLUMNS}`,
    [id, at.toISOString()],
  );
  return rows[0] ? toMessage(rows[0]) : undefined;
}

export interface OutboxFilter {
  status?: OutboxStatus;
  kind?: string;
  recipientId?: string;
  /** Messages whose dedupe key starts with this. */
  keyPrefix?: string;
  limit?: number;
}

/** Messages matching a filter, newest first. */
export async function findOutbox(db: Db, f: OutboxFilter = {}): Promise<OutboxMessage[]> {
  const { clause, params, add } = sqlFilter();
  if (f.status !== undefined) add('status = ?', f.status);
  if (f.kind !== undefined) add('kind = ?', f.kind);
  if (f.recipientId !== undefined) add('recipient_id = ?', f.recipientId);
  if (f.keyPrefix !== undefined) add('starts_with(dedupe_key, ?)', f.keyPrefix);
  params.push(f.limit ?? 100);
  const rows = await db.query<Row>(
    `SELECT ${COLUMNS} FROM outbox ${clause()} ORDER BY id DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map(toMessage);
}

/** One message by id. */
export async function getOutboxMessage(db: Db, id: number): Promise<OutboxMessage | undefined> {
  const rows = await db.query<Row>(`SELECT ${COLUMNS} FROM outbox WHERE id = $1`, [id]);
  return rows[0] ? toMessage(rows[0]) : undefined;
}

/** How many messages per status (all statuses present, zero when none). */
export async function countOutboxByStatus(db: Db, kind?: string): Promise<Record<OutboxStatus, number>> {
  const rows = await db.query<{ status: OutboxStatus; n: number }>(
    `SELECT status, count(*)::int AS n FROM outbox ${kind !== undefined ? 'WHERE kind = $1' : ''} GROUP BY status`,
    kind !== undefined ? [kind] : [],
  );
  const out = Object.fromEntries(OUTBOX_STATUSES.map((s) => [s, 0])) as Record<OutboxStatus, number>;
  for (const r of rows) out[r.status] = Number(r.n);
  return out;
}
