import type { Migration } from './migration.js';

/**
 * The audit log and role grants.
 *
 * audit_entry is append-only and hash-chained: hash = sha256(prev_hash + "\n" + canonical JSON of
 * the entry's other fields; see engine/audit-chain.ts). before/after are stored as the exact
 * canonical JSON text that was hashed (text, not jsonb, so that verification rehashes the bytes
 * written). `subject` is the person concerned (an employee id) or an entity key such as
 * "policy:rto-3"; `entity` names the record changed ("promotion:P7"). Personal details (names,
 * emails, private reasons) are never copied into the log: entries reference ids.
 */
export const V2_AUDIT_ROLES: Migration = {
  version: 2,
  name: 'audit-and-roles',
  up: `
CREATE TABLE audit_entry (
  seq       bigint PRIMARY KEY,
  at        text NOT NULL,
  actor     text NOT NULL,
  action    text NOT NULL,
  subject   text,
  entity    text,
  before    text,
  after     text,
  reason    text,
  prev_hash text NOT NULL,
  hash      text NOT NULL
);
CREATE INDEX audit_entry_subject_idx ON audit_entry (subject, seq);

-- Company-wide roles beyond the org tree (managers and VPs follow from manager links and levels).
CREATE TABLE role_grant (
  employee_id text NOT NULL,
  role        text NOT NULL CHECK (role IN ('hr', 'analyst', 'admin')),
  granted_by  text NOT NULL,
  granted_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (employee_id, role)
);
`,
  down: `DROP TABLE role_grant; DROP TABLE audit_entry;`,
};
