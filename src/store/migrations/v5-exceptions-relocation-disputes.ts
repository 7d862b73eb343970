import type { Migration } from './migration.js';

/**
 * Exceptions, relocation, disputes and badge-reader outages.
 *
 * - `exception_grant` (v1) gains its request and decision columns. Evaluation reads the rows with
 *   status `approved` (and the in-force part of `revoked` ones: up to the day before
 *   `revoked_from`). `reason`, `decision_note` and `revoke_reason` are private to the employee
 *   and HR; they are never copied into the audit log.
 * - `relocation` (v1, one row per employee: the current assignment) gains who assigned it, the
 *   employee's answer and its completion.
 * - `dispute`: an employee's claim about a day. The columns (employee_id, day, status) with
 *   status `open` are relied on by discipline and promotion, which refuse to use a week with an
 *   open dispute as evidence. At most one open dispute per employee and day.
 * - `outage`: badge-reader outages declared by HR per office (a small reference table).
 */
export const V5_EXCEPTIONS_RELOCATION_DISPUTES: Migration = {
  version: 5,
  name: 'exceptions-relocation-disputes',
  up: `
ALTER TABLE exception_grant
  ADD COLUMN requested_by       text,
  ADD COLUMN requested_at       timestamptz,
  ADD COLUMN reason             text,
  ADD COLUMN decided_by         text,
  ADD COLUMN decided_at         timestamptz,
  ADD COLUMN decision_note      text,
  ADD COLUMN revoked_by         text,
  ADD COLUMN revoked_at         timestamptz,
  ADD COLUMN revoked_from       date,
  ADD COLUMN revoke_reason      text,
  ADD COLUMN withdrawn_at       timestamptz,
  ADD COLUMN expiry_notified_at timestamptz;
ALTER TABLE exception_grant ADD CONSTRAINT exception_grant_status_check
  CHECK (status IN ('pending', 'approved', 'denied', 'withdrawn', 'revoked'));
CREATE UNIQUE INDEX exception_grant_id_idx ON exception_grant (exception_id);
-- Ids X1, X2, …; owned by the column so that emptying the store (TRUNCATE … RESTART IDENTITY) restarts them.
CREATE SEQUENCE exception_seq OWNED BY exception_grant.exception_id;
CREATE INDEX exception_grant_status_idx ON exception_grant (status, end_date);

ALTER TABLE relocation
  ADD COLUMN assigned_by    text,
  ADD COLUMN assigned_at    timestamptz,
  ADD COLUMN responded_at   timestamptz,
  ADD COLUMN response_note  text,
  ADD COLUMN overdue_at     timestamptz,
  ADD COLUMN completed_by   text,
  ADD COLUMN completed_at   timestamptz,
  ADD COLUMN previous_home_office_id text,
  ADD COLUMN cancelled_by   text,
  ADD COLUMN cancelled_at   timestamptz;

CREATE TABLE dispute (
  dispute_id  text PRIMARY KEY,
  employee_id text NOT NULL,
  day         date NOT NULL,
  office_id   text NOT NULL,
  reason      text NOT NULL,
  status      text NOT NULL CHECK (status IN ('open', 'approved', 'rejected', 'withdrawn')),
  opened_by   text NOT NULL,
  opened_at   timestamptz NOT NULL,
  other_reviewer boolean NOT NULL DEFAULT false,
  reviewed_by    text,
  reviewed_at    timestamptz,
  review_note    text,
  withdrawn_at   timestamptz
);
CREATE INDEX dispute_employee_idx ON dispute (employee_id, day);
CREATE UNIQUE INDEX dispute_one_open_idx ON dispute (employee_id, day) WHERE status = 'open';
CREATE INDEX dispute_status_idx ON dispute (status);
CREATE SEQUENCE dispute_seq OWNED BY dispute.dispute_id;

CREATE TABLE outage (
  outage_id     text PRIMARY KEY,
  office_id     text NOT NULL,
  start_date    date NOT NULL,
  end_date      date NOT NULL,
  reason        text NOT NULL,
  status        text NOT NULL CHECK (status IN ('active', 'cancelled')),
  declared_by   text NOT NULL,
  declared_at   timestamptz NOT NULL,
  cancelled_by  text,
  cancelled_at  timestamptz,
  cancel_reason text
);
CREATE INDEX outage_office_idx ON outage (office_id, start_date);
CREATE SEQUENCE outage_seq OWNED BY outage.outage_id;
`,
  down: `
DROP TABLE outage;
DROP TABLE dispute;
ALTER TABLE relocation
  DROP COLUMN assigned_by, DROP COLUMN assigned_at, DROP COLUMN responded_at, DROP COLUMN response_note, DROP COLUMN overdue_at,
  DROP COLUMN completed_by, DROP COLUMN completed_at, DROP COLUMN previous_home_office_id, DROP COLUMN cancelled_by, DROP COLUMN cancelled_at;
DROP SEQUENCE exception_seq;
DROP INDEX exception_grant_status_idx; DROP INDEX exception_grant_id_idx;
ALTER TABLE exception_grant DROP CONSTRAINT exception_grant_status_check;
ALTER TABLE exception_grant
  DROP COLUMN requested_by, DROP COLUMN requested_at, DROP COLUMN reason, DROP COLUMN decided_by, DROP COLUMN decided_at,
  DROP COLUMN decision_note, DROP COLUMN revoked_by, DROP COLUMN revoked_at, DROP COLUMN revoked_from, DROP COLUMN revoke_reason,
  DROP COLUMN withdrawn_at, DROP COLUMN expiry_notified_at;
`,
};
