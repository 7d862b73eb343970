/**
 * The one migration set, run in order on PGlite and on PostgreSQL alike. Each
 * migration is SQL both accept (PGlite is PostgreSQL 18, the server 15).
 * Every large table carries employee_id (the future distribution column).
 */
import type { Migration } from './migration.js';
import { V2_AUDIT_ROLES } from './v2-audit-roles.js';
import { V3_OUTBOX } from './v3-outbox.js';
import { V4_PROMOTION_DISCIPLINE } from './v4-promotion-discipline.js';
import { V5_EXCEPTIONS_RELOCATION_DISPUTES } from './v5-exceptions-relocation-disputes.js';
import { V6_DIGEST_REFRESH } from './v6-digest-refresh.js';
import { V7_COMPACT_STORAGE } from './v7-compact-storage.js';
import { V8_OUTBOX_PAYLOAD_TEXT } from './v8-outbox-payload-text.js';
import { V9_WEEK_PARTITIONS } from './v9-week-partitions.js';
import { V10_WEEKLY_RECORD } from './v10-weekly-record.js';
import { V1_PRESENCE_DAY_VIEW, v1BadgeEventTable } from './v1-views.js';

export type { Migration } from './migration.js';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    up: `
CREATE TABLE office (
  office_id    text PRIMARY KEY,
  name         text NOT NULL,
  timezone     text NOT NULL,
  country      text NOT NULL,
  subdivision  text,
  work_week    smallint[] NOT NULL DEFAULT '{1,2,3,4,5}',
  ready_from   date,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE employee (
  employee_id      text PRIMARY KEY,
  email            text NOT NULL,
  name             text NOT NULL,
  manager_id       text,
  level            integer NOT NULL,
  job_family       text,
  org              text,
  home_office_id   text NOT NULL REFERENCES office (office_id),
  arrangement      text NOT NULL CHECK (arrangement IN ('office', 'hybrid', 'remote')),
  hire_date        date NOT NULL,
  termination_date date,
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX employee_manager_idx ON employee (manager_id);

-- Raw badge events: append-only, deduplicated by (employee_id, event_id).
${v1BadgeEventTable('badge_event')}
CREATE INDEX badge_event_at_brin ON badge_event USING brin (at);

CREATE TABLE leave (
  employee_id text NOT NULL,
  start_date  date NOT NULL,
  end_date    date NOT NULL,
  kind        text NOT NULL,
  status      text NOT NULL CHECK (status IN ('approved', 'pending', 'rejected', 'cancelled')),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (employee_id, start_date, end_date, kind)
);

CREATE TABLE holiday_override (
  office_id text NOT NULL REFERENCES office (office_id),
  date      date NOT NULL,
  name      text NOT NULL,
  action    text NOT NULL CHECK (action IN ('add', 'remove')),
  PRIMARY KEY (office_id, date)
);

CREATE TABLE policy (
  policy_id      text NOT NULL,
  version        integer NOT NULL,
  effective_from date NOT NULL,
  document       jsonb NOT NULL,
  applied_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (policy_id, version)
);

-- Approved claims of presence (resolved disputes).
CREATE TABLE attestation (
  employee_id text NOT NULL,
  day         date NOT NULL,
  office_id   text NOT NULL,
  reference   text,
  PRIMARY KEY (employee_id, day)
);

CREATE TABLE exception_grant (
  employee_id   text NOT NULL,
  exception_id  text NOT NULL,
  kind          text NOT NULL,
  start_date    date NOT NULL,
  end_date      date NOT NULL,
  effect        text NOT NULL CHECK (effect IN ('exempt', 'reduced')),
  days_per_week smallint,
  status        text NOT NULL DEFAULT 'approved',
  PRIMARY KEY (employee_id, exception_id)
);

CREATE TABLE relocation (
  employee_id      text PRIMARY KEY,
  target_office_id text NOT NULL,
  deadline         date NOT NULL,
  status           text NOT NULL
);

-- Derived: weekly compliance, replaced per employee and week by evaluation. The week's
-- presence days are stored with it (present_days: a JSON array of
-- [date, office_id, source, dwell_minutes, first_ms, last_ms]) and exposed as rows by the
-- presence_day view, so evaluation writes one compact row per employee and week.
CREATE TABLE weekly_compliance (
  employee_id          text NOT NULL,
  week_start           date NOT NULL,
  week                 text NOT NULL,
  policy_id            text,
  policy_version       integer,
  status               text NOT NULL,
  reason               text NOT NULL,
  required             smallint NOT NULL,
  present              smallint NOT NULL,
  available            smallint NOT NULL,
  week_length          smallint NOT NULL,
  policy_days_per_week smallint NOT NULL,
  days_per_week        smallint NOT NULL,
  rule                 text,
  home_office_id       text NOT NULL,
  present_days         json,
  excused              jsonb,
  extra                jsonb,
  PRIMARY KEY (employee_id, week_start)
);
CREATE INDEX weekly_compliance_week_idx ON weekly_compliance (week_start, status);

-- Presence days (derived), one row per employee and local date.
${V1_PRESENCE_DAY_VIEW}

-- Weeks whose badge data changed after they were evaluated (late events): what
-- \`hubday evaluate --changed\` recomputes.
CREATE TABLE dirty_week (
  employee_id text NOT NULL,
  week_start  date NOT NULL,
  PRIMARY KEY (employee_id, week_start)
);

CREATE TABLE evaluation_run (
  run_id      bigserial PRIMARY KEY,
  from_week   date NOT NULL,
  to_week     date NOT NULL,
  employees   integer NOT NULL,
  weeks       integer NOT NULL,
  started_at  timestamptz NOT NULL,
  finished_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE import_run (
  import_id   bigserial PRIMARY KEY,
  kind        text NOT NULL,
  file        text NOT NULL,
  rows_new       integer NOT NULL DEFAULT 0,
  rows_updated   integer NOT NULL DEFAULT 0,
  rows_duplicate integer NOT NULL DEFAULT 0,
  rows_rejected  integer NOT NULL DEFAULT 0,
  finished_at timestamptz NOT NULL DEFAULT now()
);
`,
    down: `
DROP TABLE dirty_week; DROP TABLE import_run; DROP TABLE evaluation_run; DROP VIEW presence_day; DROP TABLE weekly_compliance;
DROP TABLE relocation; DROP TABLE exception_grant; DROP TABLE attestation; DROP TABLE policy;
DROP TABLE holiday_override; DROP TABLE leave; DROP TABLE badge_event; DROP TABLE employee; DROP TABLE office;
`,
  },
  V2_AUDIT_ROLES,
  V3_OUTBOX,
  V4_PROMOTION_DISCIPLINE,
  V5_EXCEPTIONS_RELOCATION_DISPUTES,
  V6_DIGEST_REFRESH,
  V7_COMPACT_STORAGE,
  V8_OUTBOX_PAYLOAD_TEXT,
  V9_WEEK_PARTITIONS,
  V10_WEEKLY_RECORD,
];
