import type { Migration } from './migration.js';

/**
 * The outbox payload as JSON text rather than jsonb: the store only keeps and hands back what
 * hubday wrote (JSON.stringify), nothing queries inside it, and converting to jsonb was most of
 * the cost of queueing an evaluation's digests (350,000 people: 42,615 digests, about 0.7 s of
 * the server's time). Existing payloads keep their content (jsonb's text form).
 */
export const V8_OUTBOX_PAYLOAD_TEXT: Migration = {
  version: 8,
  name: 'outbox-payload-text',
  up: `ALTER TABLE outbox ALTER COLUMN payload TYPE text USING payload::text;`,
  down: `ALTER TABLE outbox ALTER COLUMN payload TYPE jsonb USING payload::jsonb;`,
};
