import type { Migration } from './migration.js';

/** TODO(owner of this workflow): the tables of this workflow. */
export const V3_OUTBOX: Migration = {
  version: 3,
  name: 'outbox',
  up: `SELECT 1;`,
  down: `SELECT 1;`,
};
