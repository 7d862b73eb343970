import type { Migration } from './migration.js';

/**
 * Exceptions, relocation, disputes and badge-reader outages.
 * (The owner of this workflow extends these tables; the dispute columns below are relied on by
 * discipline and promotion, which refuse to use a week with an open dispute as evidence.)
 */
export const V5_EXCEPTIONS_RELOCATION_DISPUTES: Migration = {
  version: 5,
  name: 'exceptions-relocation-disputes',
  up: `
CREATE TABLE dispute (
  dispute_id  text PRIMARY KEY,
  employee_id text NOT NULL,
  day         date NOT NULL,
  office_id   text NOT NULL,
  reason      text NOT NULL,
  status      text NOT NULL CHECK (status IN ('open', 'approved', 'rejected', 'withdrawn')),
  opened_by   text NOT NULL,
  opened_at   timestamptz NOT NULL
);
CREATE INDEX dispute_employee_idx ON dispute (employee_id, day);
`,
  down: `DROP TABLE dispute;`,
};
