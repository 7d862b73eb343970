/**
 * Demo: manager digests. The demo's evaluation already wrote the digests of the week just ended
 * to the outbox (through the after-evaluation hook, like any evaluation); this seeder reports
 * them and says how to read and deliver them.
 */
import type { DemoSeeder } from './seed-context.js';
import { findOutbox, countOutboxByStatus } from '../store/outbox.repository.js';
import { DIGEST_KIND } from '../use-cases/digests.js';

export const seedDigestsDemo: DemoSeeder = async (deps) => {
  const counts = await countOutboxByStatus(deps.db, DIGEST_KIND);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  if (total === 0) return ['digests: nobody was out of compliance in the week just ended, so no manager digest was written'];
  const [latest] = await findOutbox(deps.db, { kind: DIGEST_KIND, limit: 1 });
  const week = latest!.dedupeKey.split(':').pop();
  return [
    `digests: ${total} manager digests of ${week} in the outbox (${counts.pending} pending), one per manager with someone out of compliance`,
    `npx hubday outbox list --kind ${DIGEST_KIND}`,
    `npx hubday outbox show ${latest!.id}   (the mail as ${latest!.recipientId} will read it)`,
    `npx hubday outbox list --as ${latest!.recipientId}   (a manager sees only their own digests)`,
    'deliver to a local mail catcher (e.g. Mailpit on port 1025), then look at its inbox:',
    'HUBDAY_SMTP_HOST=127.0.0.1 HUBDAY_SMTP_PORT=1025 HUBDAY_SMTP_FROM="hubday <hubday@example.com>" npx hubday outbox deliver',
  ];
};
