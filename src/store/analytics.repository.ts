/** Aggregates over weekly records (set-based), for overviews. */
import { notAPartition, type Db } from './db.js';
import type { LocalDate } from '../engine/dates.js';

export interface GroupRow {
  group: string;
  judged: number;
  compliant: number;
  nonCompliant: number;
  other: number;
}

/** Judged (compliant + non_compliant) and other records per org or home office, for the weeks in [from, to]. */
export async function complianceByGroup(db: Db, by: 'org' | 'office', from: LocalDate, to: LocalDate): Promise<GroupRow[]> {
  const col = by === 'org' ? "coalesce(e.org, '(none)')" : 'w.home_office_id';
  const rows = await db.query<{ grp: string; judged: number; compliant: number; non_compliant: number; other: number; people: number }>(
    `SELECT ${col} AS grp,
            count(*) FILTER (WHERE w.status IN ('compliant', 'non_compliant'))::int AS judged,
            count(*) FILTER (WHERE w.status = 'compliant')::int AS compliant,
            count(*) FILTER (WHERE w.status = 'non_compliant')::int AS non_compliant,
            count(*) FILTER (WHERE w.status NOT IN ('compliant', 'non_compliant'))::int AS other
     FROM weekly_compliance w JOIN employee e ON e.employee_id = w.employee_id
     WHERE w.week_start BETWEEN $1::date AND $2::date
     GROUP BY 1 ORDER BY 1`,
    [from, to],
  );
  return rows.map((r) => ({ group: r.grp, judged: Number(r.judged), compliant: Number(r.compliant), nonCompliant: Number(r.non_compliant), other: Number(r.other) }));
}

export async function statusCounts(db: Db, weekStart: LocalDate): Promise<Record<string, number>> {
  const rows = await db.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM weekly_compliance WHERE week_start = $1::date GROUP BY status ORDER BY status',
    [weekStart],
  );
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

export async function storeCounts(db: Db): Promise<{ employees: number; offices: number; events: number; policies: number }> {
  const r = (await db.query<{ employees: number; offices: number; events: number; policies: number }>(
    `SELECT (SELECT count(*) FROM employee)::int8 AS employees, (SELECT count(*) FROM office)::int8 AS offices,
            (SELECT coalesce(sum(events), 0) FROM badge_week_total)::int8 AS events, (SELECT count(*) FROM policy)::int8 AS policies`,
  ))[0]!;
  return { employees: Number(r.employees), offices: Number(r.offices), events: Number(r.events), policies: Number(r.policies) };
}

/** Empties every table (for `hubday demo --reset`). */
/**
 * Empties every table of the store (`demo --reset`), the audit log included: a new demo company
 * starts a new chain. Tables are found in the catalogue, so every workflow's tables are covered.
 */
export async function resetStore(db: Db): Promise<void> {
  const rows = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'schema_migration'
       -- Partitions are emptied with their parent.
       AND ${notAPartition('table_name')}
     ORDER BY table_name`,
  );
  if (rows.length > 0) await db.exec(`TRUNCATE ${rows.map((r) => `"${r.table_name}"`).join(', ')} RESTART IDENTITY`);
}
