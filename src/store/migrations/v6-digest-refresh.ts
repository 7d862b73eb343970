import type { Migration } from './migration.js';

/**
 * Weeks whose digests must be rebuilt before the next delivery: a partial re-evaluation
 * (`evaluate --changed`, a workflow step) marks the week here instead of rebuilding every
 * manager's digest inside its own transaction, so that it stays fast at company scale.
 */
export const V6_DIGEST_REFRESH: Migration = {
  version: 6,
  name: 'digest-refresh',
  up: `
CREATE TABLE digest_refresh (
  week_start   date PRIMARY KEY,
  requested_at timestamptz NOT NULL DEFAULT now()
);
`,
  down: `DROP TABLE digest_refresh;`,
};
