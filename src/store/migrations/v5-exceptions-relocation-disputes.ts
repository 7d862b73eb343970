import type { Migration } from './migration.js';

/** TODO(owner of this workflow): the tables of this workflow. */
export const V5_EXCEPTIONS_RELOCATION_DISPUTES: Migration = {
  version: 5,
  name: 'exceptions-relocation-disputes',
  up: `SELECT 1;`,
  down: `SELECT 1;`,
};
