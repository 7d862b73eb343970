import type { Migration } from './migration.js';
import { V7_PRESENCE_DAY_VIEW } from './v7-compact-storage.js';

/**
 * weekly_compliance partitioned by week: each partition holds a range of whole ISO weeks
 * (bounds on Mondays), named weekly_compliance_<from>_<to>_<transaction> by the evaluation that
 * wrote it. A full evaluation of a range that covers its partitions whole writes its records
 * into a fresh table and swaps it in at the end (compliance.repository.ts, startWeekSwap):
 * replacing 4.55 million stored records then costs what writing them into an empty table
 * costs, instead of deleting every row, inserting beside the dead ones, checking each new
 * primary key against the deleted row of the same key, and leaving it all to vacuum.
 *
 * Existing records move into one partition per stored week, so that any later range covers
 * its partitions whole. Readers and writers keep addressing weekly_compliance; the presence_day
 * view is made again over the partitioned table. Down: one plain table again.
 */
export const V9_WEEK_PARTITIONS: Migration = {
  version: 9,
  name: 'week-partitions',
  up: `
DROP VIEW presence_day;
ALTER TABLE weekly_compliance RENAME TO weekly_compliance_v8;
ALTER INDEX weekly_compliance_pkey RENAME TO weekly_compliance_v8_pkey;
ALTER INDEX weekly_compliance_out_idx RENAME TO weekly_compliance_v8_out_idx;
CREATE TABLE weekly_compliance (LIKE weekly_compliance_v8 INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (week_start);
ALTER TABLE weekly_compliance ADD PRIMARY KEY (employee_id, week_start);
CREATE INDEX weekly_compliance_out_idx ON weekly_compliance (week_start) WHERE status = 'non_compliant';
DO $$
DECLARE w date;
BEGIN
  FOR w IN SELECT DISTINCT week_start FROM weekly_compliance_v8 ORDER BY 1 LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF weekly_compliance FOR VALUES FROM (%L) TO (%L)',
                   'weekly_compliance_' || to_char(w, 'YYYYMMDD') || '_' || to_char(w + 7, 'YYYYMMDD') || '_v9', w, w + 7);
  END LOOP;
END $$;
INSERT INTO weekly_compliance SELECT * FROM weekly_compliance_v8;
DROP TABLE weekly_compliance_v8;
${V7_PRESENCE_DAY_VIEW}`,
  down: `
DROP VIEW presence_day;
CREATE TABLE weekly_compliance_v8 (LIKE weekly_compliance INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
INSERT INTO weekly_compliance_v8 SELECT * FROM weekly_compliance;
DROP TABLE weekly_compliance;
ALTER TABLE weekly_compliance_v8 RENAME TO weekly_compliance;
ALTER TABLE weekly_compliance ADD PRIMARY KEY (employee_id, week_start);
CREATE INDEX weekly_compliance_out_idx ON weekly_compliance (week_start) WHERE status = 'non_compliant';
${V7_PRESENCE_DAY_VIEW}`,
};
