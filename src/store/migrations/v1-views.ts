/**
 * SQL of migration 1 that a later migration's `down` must recreate exactly: kept once
 * here so that the two cannot drift apart.
 */

/** Presence days (derived), one row per employee and local date, from the JSON of migration 1. */
export const V1_PRESENCE_DAY_VIEW = `
CREATE VIEW presence_day AS
SELECT w.employee_id,
       (d ->> 0)::date AS day,
       d ->> 1 AS office_id,
       to_timestamp((d ->> 4)::float8 / 1000) AS first_at,
       to_timestamp((d ->> 5)::float8 / 1000) AS last_at,
       (d ->> 3)::integer AS dwell_minutes,
       d ->> 2 AS source
FROM weekly_compliance w, json_array_elements(w.present_days) d;
`;

/** The badge event table of migration 1 (under another name while a `down` rebuilds it). */
export function v1BadgeEventTable(name: string): string {
  return `CREATE TABLE ${name} (
  employee_id text NOT NULL,
  event_id    text NOT NULL,
  office_id   text NOT NULL,
  at          timestamptz NOT NULL,
  direction   text CHECK (direction IN ('in', 'out')),
  import_id   bigint,
  PRIMARY KEY (employee_id, event_id)
);`;
}
