import type { Migration } from './migration.js';

/**
 * The outbox: messages written in the same transaction as the change that causes them (manager
 * digests after an evaluation, exception-expiry notices, …) and delivered later by a worker
 * (`hubday outbox deliver`). `dedupe_key` makes enqueueing exactly-once (`digest:M1:2026-W47`).
 *
 * status: `pending` (never tried), `sending` (claimed by a worker until next_attempt_at, the
 * lease; a crashed worker's claim expires and is retried), `sent`, `failed` (will retry at
 * next_attempt_at), `dead` (gave up after the maximum attempts), `cancelled` (withdrawn before
 * delivery: a digest whose week no longer has anyone out of compliance after a re-run).
 *
 * A mail message (`channel = 'mail'`) is also posted to the webhook when one is configured:
 * mailed_at and posted_at record each leg so that a retry only redoes the leg that failed.
 * `recipient_id` is the person the message is for (an employee id; null for integrations).
 */
export const V3_OUTBOX: Migration = {
  version: 3,
  name: 'outbox',
  up: `
CREATE TABLE outbox (
  id              bigserial PRIMARY KEY,
  kind            text NOT NULL,
  dedupe_key      text NOT NULL UNIQUE,
  channel         text NOT NULL DEFAULT 'mail' CHECK (channel IN ('mail', 'webhook')),
  recipient_id    text,
  recipient       text NOT NULL,
  subject         text NOT NULL,
  body            text NOT NULL,
  payload         jsonb NOT NULL,
  status          text NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dead', 'cancelled')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  last_error      text,
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  mailed_at       timestamptz,
  posted_at       timestamptz,
  sent_at         timestamptz
);
-- What a worker claims: due messages in order.
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at, id) WHERE status IN ('pending', 'failed', 'sending');
CREATE INDEX outbox_recipient_idx ON outbox (recipient_id, id);
CREATE INDEX outbox_kind_status_idx ON outbox (kind, status, id);
`,
  down: `DROP TABLE outbox;`,
};
