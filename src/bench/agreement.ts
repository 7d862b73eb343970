/**
 * The benchmark's correctness check: hubday's weekly present-day counts
 * against the DuckDB baseline's, on the same data, where the rules coincide.
 *
 * hubday's side: presence days with source `badge`, counted per employee and
 * ISO week (exported from the store with one COPY, so memory stays bounded).
 * DuckDB's side: the baseline statement's result. Compared per (employee, ISO
 * week) with a full outer join (a row missing on one side is a disagreement),
 * restricted to employees whose governing policy has minDwellMinutes 0,
 * countOffices any and dayStartsAt 04:00 — in the demo data, everyone whose
 * job family is not `sales` (checked against the policy files) — and to weeks
 * fully inside the evaluated range.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Db } from '../store/db.js';
import { type DuckdbSession, sqlString } from './baselines.js';

export const HUBDAY_WEEKLY_SQL = `SELECT employee_id, date_trunc('week', day)::date AS week_start, count(*) AS days
FROM presence_day WHERE source = 'badge' GROUP BY 1, 2`;

/** Streams hubday's weekly badge present-day counts into a CSV file (no header). */
export async function exportHubdayWeekly(db: Db, file: string): Promise<void> {
  const out = createWriteStream(file);
  try {
    for await (const chunk of db.copyTo(HUBDAY_WEEKLY_SQL)) {
      if (!out.write(chunk)) await once(out, 'drain');
    }
  } finally {
    out.end();
    await finished(out);
  }
}

/** The job families excluded from the check: those of the policies whose presence rules differ from the baseline's. */
export function excludedJobFamilies(policyFiles: readonly string[]): string[] {
  const excluded = new Set<string>();
  for (const file of policyFiles) {
    const p = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> & { scope?: Record<string, unknown[]> };
    const differs =
      (p.minDwellMinutes !== undefined && p.minDwellMinutes !== 0) ||
      (p.countOffices !== undefined && p.countOffices !== 'any') ||
      (p.dayStartsAt !== undefined && p.dayStartsAt !== '04:00');
    if (!differs) continue;
    const families = (p.scope?.jobFamilies ?? []) as string[];
    if (families.length === 0) {
      throw new Error(`the agreement check cannot tell who ${file} governs (its presence rules differ from the baseline's and it is not scoped by job family)`);
    }
    for (const f of families) excluded.add(f);
  }
  return [...excluded].sort();
}

export interface Disagreement {
  employeeId: string;
  weekStart: string;
  hubday: number | null;
  duckdb: number | null;
}

export interface Agreement {
  agreed: number;
  total: number;
  disagreements: Disagreement[];
  excludedJobFamilies: string[];
  weeks: number;
}

/**
 * Compares hubday's export (`hubCsv`) with the DuckDB table or Parquet file
 * `duck` (columns employee_id, week_start, days).
 */
export async function compareWeekly(
  session: DuckdbSession,
  opts: { hubCsv: string; duck: { table: string } | { parquet: string }; employeesCsv: string; policyFiles: readonly string[]; firstMonday: string; lastMonday: string },
): Promise<Agreement> {
  const excluded = excludedJobFamilies(opts.policyFiles);
  const con = session.con;
  const duckSource = 'table' in opts.duck ? opts.duck.table : `read_parquet(${sqlString(opts.duck.parquet)})`;
  const weekFilter = `week_start BETWEEN DATE '${opts.firstMonday}' AND DATE '${opts.lastMonday}'`;
  const familyFilter = excluded.length === 0 ? 'TRUE' : `job_family IS NULL OR job_family NOT IN (${excluded.map(sqlString).join(', ')})`;
  await con.run(`CREATE OR REPLACE TEMP TABLE agreement AS
WITH eligible AS (
  SELECT employee_id FROM read_csv(${sqlString(opts.employeesCsv)}, header = true, all_varchar = true) WHERE ${familyFilter}
),
h AS (
  SELECT employee_id, week_start, days
  FROM read_csv(${sqlString(opts.hubCsv)}, header = false, columns = {'employee_id': 'VARCHAR', 'week_start': 'DATE', 'days': 'BIGINT'})
  WHERE employee_id IN (SELECT employee_id FROM eligible) AND ${weekFilter}
),
d AS (
  SELECT employee_id, week_start::DATE AS week_start, days::BIGINT AS days FROM ${duckSource}
  WHERE employee_id IN (SELECT employee_id FROM eligible) AND ${weekFilter}
)
SELECT coalesce(h.employee_id, d.employee_id) AS employee_id, coalesce(h.week_start, d.week_start) AS week_start,
       h.days AS hubday, d.days AS duckdb
FROM h FULL OUTER JOIN d ON h.employee_id = d.employee_id AND h.week_start = d.week_start`);
  const counts = (await con.runAndReadAll(
    `SELECT count(*) AS total, count(*) FILTER (WHERE hubday IS NOT DISTINCT FROM duckdb) AS agreed FROM agreement`,
  )).getRowObjects()[0]!;
  const rows = (await con.runAndReadAll(
    `SELECT employee_id, week_start::VARCHAR AS week_start, hubday, duckdb FROM agreement
     WHERE hubday IS DISTINCT FROM duckdb ORDER BY employee_id, week_start LIMIT 10`,
  )).getRowObjects();
  await con.run('DROP TABLE agreement');
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const weeks = Math.round((Date.parse(opts.lastMonday) - Date.parse(opts.firstMonday)) / (7 * 86_400_000)) + 1;
  return {
    agreed: Number(counts.agreed),
    total: Number(counts.total),
    disagreements: rows.map((r) => ({ employeeId: String(r.employee_id), weekStart: String(r.week_start), hubday: num(r.hubday), duckdb: num(r.duckdb) })),
    excludedJobFamilies: excluded,
    weeks,
  };
}
