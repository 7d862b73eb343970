import type { Migration } from './migration.js';

/**
 * Promotion nominations and discipline cases.
 *
 * Every table carries employee_id first in its primary key (the future distribution column); ids
 * (P1 for promotions, DC1 for discipline cases, …) come from sequences and are looked up through plain indexes. The evidence a decision
 * or a step rests on is stored with it as jsonb (the weeks with status, present, required and
 * policy; the standing; the dates), never rewritten. discipline_evidence_week holds the weeks a
 * step counted, one row each, so that evaluation can compare them with newly written weekly records
 * in one statement (late data flags the case for review; it never rewrites the evidence). Its seen_*
 * columns are the values last reviewed (the evidence, then whatever a reviewer cleared).
 */
export const V4_PROMOTION_DISCIPLINE: Migration = {
  version: 4,
  name: 'promotion-discipline',
  up: `
CREATE TABLE promotion (
  employee_id         text NOT NULL,
  promotion_id        text NOT NULL,
  nominated_by        text NOT NULL,
  from_level          integer NOT NULL,
  to_level            integer NOT NULL,
  status              text NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'withdrawn')),
  reason              text NOT NULL,
  nominated_at        timestamptz NOT NULL,
  nominated_on        date NOT NULL,
  nomination_evidence jsonb NOT NULL,
  decided_by          text,
  decided_at          timestamptz,
  decided_on          date,
  decision_reason     text,
  decision_rule       text CHECK (decision_rule IN ('skip_level_or_hr', 'vp_or_above')),
  rule_changed        boolean,
  rule_note           text,
  decision_evidence   jsonb,
  PRIMARY KEY (employee_id, promotion_id)
);
-- Ids P1, P2, …; owned by the column so that emptying the store (TRUNCATE … RESTART IDENTITY) restarts them.
CREATE SEQUENCE promotion_seq OWNED BY promotion.promotion_id;
CREATE INDEX promotion_id_idx ON promotion (promotion_id);
CREATE UNIQUE INDEX promotion_one_pending ON promotion (employee_id) WHERE status = 'pending';
CREATE INDEX promotion_pending_idx ON promotion (nominated_at) WHERE status = 'pending';

CREATE TABLE discipline_case (
  employee_id    text NOT NULL,
  case_id        text NOT NULL,
  stage          text NOT NULL CHECK (stage IN ('verbal_warning', 'written_warning', 'termination_eligible', 'closed')),
  opened_by      text NOT NULL,
  opened_at      timestamptz NOT NULL,
  opened_on      date NOT NULL,
  hr_review      jsonb,
  outcome        text CHECK (outcome IN ('resolved', 'withdrawn', 'terminated', 'separated')),
  closed_from    text,
  closed_by      text,
  closed_at      timestamptz,
  closed_on      date,
  close_reason   text,
  close_evidence jsonb,
  needs_review   boolean NOT NULL DEFAULT false,
  review_changes jsonb,
  flagged_at     timestamptz,
  review_cleared jsonb,
  PRIMARY KEY (employee_id, case_id)
);
CREATE SEQUENCE discipline_case_seq OWNED BY discipline_case.case_id;
CREATE INDEX discipline_case_id_idx ON discipline_case (case_id);
CREATE UNIQUE INDEX discipline_one_open ON discipline_case (employee_id) WHERE stage <> 'closed';
CREATE INDEX discipline_needs_review_idx ON discipline_case (case_id) WHERE needs_review;

CREATE TABLE discipline_step (
  employee_id text NOT NULL,
  case_id     text NOT NULL,
  step_no     smallint NOT NULL,
  step        text NOT NULL CHECK (step IN ('verbal_warning', 'written_warning', 'termination_eligible')),
  taken_by    text NOT NULL,
  taken_at    timestamptz NOT NULL,
  taken_on    date NOT NULL,
  reason      text NOT NULL,
  evidence    jsonb NOT NULL,
  ack_kind    text CHECK (ack_kind IN ('acknowledged', 'refused')),
  ack_by      text,
  ack_at      timestamptz,
  ack_on      date,
  ack_reason  text,
  PRIMARY KEY (employee_id, case_id, step_no)
);

CREATE TABLE discipline_evidence_week (
  employee_id   text NOT NULL,
  case_id       text NOT NULL,
  step_no       smallint NOT NULL,
  week_start    date NOT NULL,
  status        text NOT NULL,
  present       smallint NOT NULL,
  required      smallint NOT NULL,
  seen_status   text NOT NULL,
  seen_present  smallint NOT NULL,
  seen_required smallint NOT NULL,
  PRIMARY KEY (employee_id, case_id, step_no, week_start)
);
CREATE INDEX discipline_evidence_week_idx ON discipline_evidence_week (week_start);
`,
  down: `
DROP TABLE discipline_evidence_week; DROP TABLE discipline_step; DROP TABLE discipline_case; DROP TABLE promotion;
`,
};
