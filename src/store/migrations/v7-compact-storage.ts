import type { Migration } from './migration.js';
import { V1_PRESENCE_DAY_VIEW, v1BadgeEventTable } from './v1-views.js';

/** The presence_day view over the packed present_days text (since migration 7). */
export const V7_PRESENCE_DAY_VIEW = `
CREATE VIEW presence_day AS
SELECT w.employee_id,
       split_part(d, E'\\x1f', 1)::date AS day,
       split_part(d, E'\\x1f', 2) AS office_id,
       to_timestamp(nullif(split_part(d, E'\\x1f', 5), '')::float8 / 1000) AS first_at,
       to_timestamp(nullif(split_part(d, E'\\x1f', 6), '')::float8 / 1000) AS last_at,
       nullif(split_part(d, E'\\x1f', 4), '')::integer AS dwell_minutes,
       split_part(d, E'\\x1f', 3) AS source
FROM weekly_compliance w, string_to_table(w.present_days, E'\\x1e') AS d;
`;

/**
 * Badge events stored compactly: one row per employee and UTC week (Monday of the
 * week of the instant) holding that week's events as text, instead of one row
 * per event with a unique index. A 50,000-person quarter is 650,000 rows instead
 * of 3.1 million, which is what makes import and evaluation fast on both stores.
 *
 * `data` holds the events sorted by (instant, event id, office, direction), separated
 * by U+001E; each event is `offsetMs U+001F direction U+001F officeId U+001F eventId`,
 * offsetMs counted from the week's Monday 00:00 UTC, direction `i`, `o` or empty.
 * Ids never contain control characters (the import refuses them), so the separators
 * are unambiguous. Event ids are unique per employee and week (the idempotency key).
 *
 * The view `badge_event` shows the same events one per row, for SQL readers.
 * `badge_week_total` counts the events per week (weeks that hold events at all,
 * which lets an import skip looking for stored events where there are none).
 *
 * Weekly records get lighter to write: `present_days` becomes text, one present day
 * per U+001E-separated item, `date U+001F officeId U+001F source U+001F dwellMinutes
 * U+001F firstMs U+001F lastMs [U+001F reference]` (empty = null); the view
 * `presence_day` decodes it as before. `excused` and `extra` hold their JSON as text
 * (nothing queries inside them), and the index on (week_start, status) becomes a partial
 * index of the weeks out of compliance (what the digests read): a fifth of the entries to
 * maintain on every evaluation.
 */
export const V7_COMPACT_STORAGE: Migration = {
  version: 7,
  name: 'compact-storage',
  up: `
CREATE TABLE badge_week (
  employee_id text NOT NULL,
  week_start  date NOT NULL,
  n           integer NOT NULL,
  data        text NOT NULL,
  PRIMARY KEY (employee_id, week_start)
);

CREATE TABLE badge_week_total (
  week_start date PRIMARY KEY,
  events     bigint NOT NULL
);

INSERT INTO badge_week (employee_id, week_start, n, data)
SELECT employee_id, week_start, count(*)::int,
       string_agg(((extract(epoch FROM at) * 1000)::int8 - (week_start - DATE '1970-01-01')::int8 * 86400000)::text
                  || E'\\x1f' || CASE direction WHEN 'in' THEN 'i' WHEN 'out' THEN 'o' ELSE '' END
                  || E'\\x1f' || office_id || E'\\x1f' || event_id,
                  E'\\x1e' ORDER BY at, event_id COLLATE "C", office_id COLLATE "C", direction COLLATE "C")
FROM (SELECT *, date_trunc('week', at AT TIME ZONE 'UTC')::date AS week_start FROM badge_event) e
GROUP BY employee_id, week_start;

INSERT INTO badge_week_total (week_start, events) SELECT week_start, sum(n) FROM badge_week GROUP BY week_start;

DROP TABLE badge_event;

CREATE VIEW badge_event AS
SELECT w.employee_id,
       split_part(e, E'\\x1f', 4) AS event_id,
       split_part(e, E'\\x1f', 3) AS office_id,
       to_timestamp(((w.week_start - DATE '1970-01-01')::int8 * 86400000 + split_part(e, E'\\x1f', 1)::int8)::float8 / 1000) AS at,
       CASE split_part(e, E'\\x1f', 2) WHEN 'i' THEN 'in' WHEN 'o' THEN 'out' END AS direction
FROM badge_week w, string_to_table(w.data, E'\\x1e') AS e;

DROP VIEW presence_day;
DROP INDEX weekly_compliance_week_idx;
ALTER TABLE weekly_compliance ADD COLUMN present_days_text text;
UPDATE weekly_compliance w SET present_days_text = (
  SELECT string_agg((d ->> 0) || E'\\x1f' || (d ->> 1) || E'\\x1f' || (d ->> 2) || E'\\x1f' || coalesce(d ->> 3, '')
                    || E'\\x1f' || coalesce(d ->> 4, '') || E'\\x1f' || coalesce(d ->> 5, '')
                    || CASE WHEN d ->> 6 IS NULL THEN '' ELSE E'\\x1f' || (d ->> 6) END, E'\\x1e' ORDER BY i)
  FROM json_array_elements(w.present_days) WITH ORDINALITY AS x(d, i))
WHERE present_days IS NOT NULL;
ALTER TABLE weekly_compliance DROP COLUMN present_days;
ALTER TABLE weekly_compliance RENAME COLUMN present_days_text TO present_days;
ALTER TABLE weekly_compliance ALTER COLUMN excused TYPE text USING excused::text, ALTER COLUMN extra TYPE text USING extra::text;
CREATE INDEX weekly_compliance_out_idx ON weekly_compliance (week_start) WHERE status = 'non_compliant';

${V7_PRESENCE_DAY_VIEW}`,
  down: `
DROP VIEW presence_day;
ALTER TABLE weekly_compliance ADD COLUMN present_days_json json;
UPDATE weekly_compliance w SET present_days_json = (
  SELECT json_agg(json_build_array(split_part(d, E'\\x1f', 1), split_part(d, E'\\x1f', 2), split_part(d, E'\\x1f', 3),
                  nullif(split_part(d, E'\\x1f', 4), '')::int, nullif(split_part(d, E'\\x1f', 5), '')::int8, nullif(split_part(d, E'\\x1f', 6), '')::int8)
                  ORDER BY i)
  FROM string_to_table(w.present_days, E'\\x1e') WITH ORDINALITY AS x(d, i))
WHERE present_days IS NOT NULL;
ALTER TABLE weekly_compliance DROP COLUMN present_days;
ALTER TABLE weekly_compliance RENAME COLUMN present_days_json TO present_days;
ALTER TABLE weekly_compliance ALTER COLUMN excused TYPE jsonb USING excused::jsonb, ALTER COLUMN extra TYPE jsonb USING extra::jsonb;
DROP INDEX weekly_compliance_out_idx;
CREATE INDEX weekly_compliance_week_idx ON weekly_compliance (week_start, status);
${V1_PRESENCE_DAY_VIEW}

${v1BadgeEventTable('badge_event_v1')}
INSERT INTO badge_event_v1 (employee_id, event_id, office_id, at, direction)
SELECT employee_id, event_id, office_id, at, direction FROM badge_event ON CONFLICT DO NOTHING;
DROP VIEW badge_event;
ALTER TABLE badge_event_v1 RENAME TO badge_event;
ALTER INDEX badge_event_v1_pkey RENAME TO badge_event_pkey;
CREATE INDEX badge_event_at_brin ON badge_event USING brin (at);
DROP TABLE badge_week_total;
DROP TABLE badge_week;
`,
};
