import type { Migration } from './migration.js';
import { V7_PRESENCE_DAY_VIEW } from './v7-compact-storage.js';

/**
 * The facts of a stored weekly record other than its key and status, in `weekly_record.facts`,
 * separated by U+001D, in this order (1-based, as split_part counts). Nulls are empty. The first six
 * are those of the home office and the policy, which most of an employee's records share: the
 * writer copies them as one run of bytes (compliance.repository.ts, writeWeeklyTuple).
 */
export const FACT_FIELDS = [
  'home_office_id', 'policy_id', 'policy_version', 'week_length', 'policy_days_per_week', 'rule',
  'reason', 'present', 'required', 'available', 'days_per_week', 'excused', 'extra', 'present_days',
] as const;

/** The facts text of the given fields, in FACT_FIELDS' order (the others empty): for SQL and tests that write records by hand. */
export function factsText(fields: Partial<Record<(typeof FACT_FIELDS)[number], string | number>>): string {
  return FACT_FIELDS.map((f) => String(fields[f] ?? '')).join('\u001d');
}

const at = (name: (typeof FACT_FIELDS)[number]) => `split_part(facts, E'\\x1d', ${FACT_FIELDS.indexOf(name) + 1})`;

/**
 * The weekly records as readers know them (the columns of weekly_compliance up to migration 9),
 * decoded from weekly_record. `week` is the ISO week of week_start, computed rather than stored.
 */
export const WEEKLY_COMPLIANCE_VIEW = `
CREATE VIEW weekly_compliance AS
SELECT employee_id,
       week_start,
       to_char(week_start, 'IYYY-"W"IW') AS week,
       nullif(${at('policy_id')}, '') AS policy_id,
       nullif(${at('policy_version')}, '')::integer AS policy_version,
       status,
       ${at('reason')} AS reason,
       ${at('required')}::smallint AS required,
       ${at('present')}::smallint AS present,
       ${at('available')}::smallint AS available,
       ${at('week_length')}::smallint AS week_length,
       ${at('policy_days_per_week')}::smallint AS policy_days_per_week,
       ${at('days_per_week')}::smallint AS days_per_week,
       nullif(${at('rule')}, '') AS rule,
       ${at('home_office_id')} AS home_office_id,
       nullif(${at('excused')}, '') AS excused,
       nullif(${at('extra')}, '') AS extra,
       nullif(${at('present_days')}, '') AS present_days
FROM weekly_record;
`;

/**
 * Each partition of `parent` made again, empty, as a partition of `into` with the same bounds;
 * named `intoPrefix` + what followed `prefix` in the old name (its weeks and transaction).
 */
function partitionsLike(parent: string, prefix: string, into: string, intoPrefix: string): string {
  return `
DO $$
DECLARE p record;
BEGIN
  FOR p IN SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
           FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '${parent}'::regclass LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF ${into} %s', '${intoPrefix}' || substr(p.name, ${prefix.length + 1}), p.bound);
  END LOOP;
END $$;`;
}

/**
 * Weekly records in four columns: the key (employee_id, week_start), the status (which the
 * partial index of weeks out of compliance filters on) and `facts`, the other fields in one
 * text (FACT_FIELDS). The server's cost of writing a record is mostly per row and per column,
 * not per byte: 4.55 million records of 4 columns ingest for about a quarter less server CPU
 * than of 18 (2026-12-05, thirteenth session, BENCHMARKS.md). Readers keep `weekly_compliance`,
 * now a view with the same columns; writers address `weekly_record` (still partitioned by week).
 */
export const V10_WEEKLY_RECORD: Migration = {
  version: 10,
  name: 'weekly-record',
  up: `
DROP VIEW presence_day;
ALTER TABLE weekly_compliance RENAME TO weekly_compliance_v9;
ALTER INDEX weekly_compliance_pkey RENAME TO weekly_compliance_v9_pkey;
ALTER INDEX weekly_compliance_out_idx RENAME TO weekly_compliance_v9_out_idx;
CREATE TABLE weekly_record (
  employee_id text NOT NULL,
  week_start  date NOT NULL,
  status      text NOT NULL,
  facts       text NOT NULL,
  PRIMARY KEY (employee_id, week_start)
) PARTITION BY RANGE (week_start);
CREATE INDEX weekly_record_out_idx ON weekly_record (week_start) WHERE status = 'non_compliant';
${partitionsLike('weekly_compliance_v9', 'weekly_compliance', 'weekly_record', 'weekly_record')}
INSERT INTO weekly_record (employee_id, week_start, status, facts)
SELECT employee_id, week_start, status,
       concat_ws(E'\\x1d', home_office_id, coalesce(policy_id, ''), coalesce(policy_version::text, ''), week_length, policy_days_per_week, coalesce(rule, ''),
                 reason, present, required, available, days_per_week, coalesce(excused, ''), coalesce(extra, ''), coalesce(present_days, ''))
FROM weekly_compliance_v9;
DROP TABLE weekly_compliance_v9;
${WEEKLY_COMPLIANCE_VIEW}
${V7_PRESENCE_DAY_VIEW}`,
  down: `
DROP VIEW presence_day;
ALTER VIEW weekly_compliance RENAME TO weekly_compliance_v10;
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
  excused              text,
  extra                text,
  present_days         text,
  PRIMARY KEY (employee_id, week_start)
) PARTITION BY RANGE (week_start);
CREATE INDEX weekly_compliance_out_idx ON weekly_compliance (week_start) WHERE status = 'non_compliant';
${partitionsLike('weekly_record', 'weekly_record', 'weekly_compliance', 'weekly_compliance')}
INSERT INTO weekly_compliance SELECT * FROM weekly_compliance_v10;
DROP VIEW weekly_compliance_v10;
DROP TABLE weekly_record;
${V7_PRESENCE_DAY_VIEW}`,
};
