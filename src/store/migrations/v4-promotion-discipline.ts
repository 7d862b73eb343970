import type { Migration } from './migration.js';

/** TODO(owner of this workflow): the tables of this workflow. */
export const V4_PROMOTION_DISCIPLINE: Migration = {
  version: 4,
  name: 'promotion-discipline',
  up: `SELECT 1;`,
  down: `SELECT 1;`,
};
