import { emptyForBulkLoad, type Db } from './db.js';
import type { Employee, Arrangement } from '../engine/types.js';
import type { LocalDate } from '../engine/dates.js';
import { csvLine, chunkLines } from './csv-text.js';
import { copyRows, type CopyRow } from './copy-rows.js';

/** The employee → office foreign key (its name as migration 1 created it). */
const OFFICE_FK = 'employee_home_office_id_fkey';

const COLUMNS = 'employee_id, email, name, manager_id, level, job_family, org, home_office_id, arrangement, hire_date, termination_date';

interface EmployeeRowDb {
  employee_id: string; email: string; name: string; manager_id: string | null; level: number; job_family: string | null; org: string | null;
  home_office_id: string; arrangement: Arrangement; hire_date: string; termination_date: string | null;
}

function toEmployee(r: EmployeeRowDb): Employee {
  return {
    employeeId: r.employee_id,
    email: r.email,
    name: r.name,
    managerId: r.manager_id,
    level: Number(r.level),
    jobFamily: r.job_family,
    org: r.org,
    homeOfficeId: r.home_office_id,
    arrangement: r.arrangement,
    hireDate: r.hire_date as LocalDate,
    terminationDate: r.termination_date as LocalDate | null,
  };
}

/** An employee of a COPY row of COLUMNS (PostgreSQL's text: dates 'YYYY-MM-DD', the level in decimal): what toEmployee makes of the same row. */
function employeeOfCopy(f: CopyRow): Employee {
  return {
    employeeId: f[0]!,
    email: f[1]!,
    name: f[2]!,
    managerId: f[3],
    level: Number(f[4]),
    jobFamily: f[5],
    org: f[6],
    homeOfficeId: f[7]!,
    arrangement: f[8] as Arrangement,
    hireDate: f[9] as LocalDate,
    terminationDate: f[10] as LocalDate | null,
  };
}

/**
 * Every employee, by id. Read by COPY: at 350,000 people node-postgres' row objects cost the main
 * thread about a second. The columns after the name repeat from person to person (managers,
 * offices, orgs, dates…): the people share their strings.
 */
export async function listEmployees(db: Db): Promise<Employee[]> {
  const out: Employee[] = [];
  await copyRows(db, `SELECT ${COLUMNS} FROM employee ORDER BY employee_id`, (f) => out.push(employeeOfCopy(f)), { shared: [3, 4, 5, 6, 7, 8, 9, 10] });
  return out;
}

export async function getEmployees(db: Db, ids: readonly string[]): Promise<Employee[]> {
  if (ids.length === 0) return [];
  return (await db.query<EmployeeRowDb>(`SELECT ${COLUMNS} FROM employee WHERE employee_id = ANY($1::text[]) ORDER BY employee_id`, [ids])).map(toEmployee);
}

export async function getEmployee(db: Db, id: string): Promise<Employee | null> {
  return (await getEmployees(db, [id]))[0] ?? null;
}

/** All (employee, manager) links, for reference checks and the org tree. */
export async function managerLinks(db: Db): Promise<Map<string, string | null>> {
  const rows = await db.query<{ employee_id: string; manager_id: string | null }>('SELECT employee_id, manager_id FROM employee');
  return new Map(rows.map((r) => [r.employee_id, r.manager_id]));
}

/** The ids of the manager's reports: direct, or the whole subtree with `indirect`. */
export async function reportIds(db: Db, managerId: string, indirect: boolean): Promise<string[]> {
  if (!indirect) {
    return (await db.query<{ employee_id: string }>('SELECT employee_id FROM employee WHERE manager_id = $1 ORDER BY employee_id', [managerId])).map((r) => r.employee_id);
  }
  const rows = await db.query<{ employee_id: string }>(
    `WITH RECURSIVE sub(employee_id, depth) AS (
       SELECT employee_id, 1 FROM employee WHERE manager_id = $1
       UNION
       SELECT e.employee_id, s.depth + 1 FROM employee e JOIN sub s ON e.manager_id = s.employee_id WHERE s.depth < 64
     )
     SELECT DISTINCT employee_id FROM sub WHERE employee_id <> $1 ORDER BY employee_id`,
    [managerId],
  );
  return rows.map((r) => r.employee_id);
}

/**
 * Upserts employees by id (unique across `batches`), taking the batches as they come (a file of any
 * size in bounded memory): through a staging table (one COPY, one statement), or, into an empty
 * table (a first import), with one COPY straight in. Once every batch is written, `settle` (when
 * given) returns the ids to leave out after all (checks that needed the whole file: the manager
 * links), or throws, and the transaction writes nothing. Call it in a transaction (the table stays
 * locked against other writers until it ends).
 */
export async function upsertEmployees(
  db: Db, batches: AsyncIterable<readonly Employee[]> | Iterable<readonly Employee[]>, settle?: () => readonly string[],
): Promise<{ inserted: number; updated: number }> {
  async function* lines(): AsyncGenerator<string> {
    for await (const batch of batches) {
      for (const e of batch) yield csvLine([e.employeeId, e.email, e.name, e.managerId, e.level, e.jobFamily, e.org, e.homeOfficeId, e.arrangement, e.hireDate, e.terminationDate]);
    }
  }
  const leftOut = async (table: string): Promise<number> => {
    const ids = settle?.() ?? [];
    return ids.length === 0 ? 0 : (await db.run(`DELETE FROM ${table} WHERE employee_id = ANY($1::text[])`, [ids])).rowCount;
  };
  if (await emptyForBulkLoad(db, 'employee')) {
    // The foreign key to office is checked once for the whole file, with one join, rather than by
    // a trigger per row (at 350,000 people: about a second). Within the transaction: all or nothing.
    await db.exec(`ALTER TABLE employee DROP CONSTRAINT ${OFFICE_FK}`);
    const copied = await db.copyFrom('employee', COLUMNS.split(', '), chunkLines(lines()));
    const removed = await leftOut('employee');
    await db.exec(`ALTER TABLE employee ADD CONSTRAINT ${OFFICE_FK} FOREIGN KEY (home_office_id) REFERENCES office (office_id)`);
    return { inserted: copied - removed, updated: 0 };
  }
  await db.exec(`CREATE TEMP TABLE employee_stage (LIKE employee INCLUDING DEFAULTS) ON COMMIT DROP`);
  await db.copyFrom('employee_stage', COLUMNS.split(', '), chunkLines(lines()));
  await leftOut('employee_stage');
  const rows = await db.query<{ inserted: number; updated: number }>(
    `WITH up AS (
       INSERT INTO employee (${COLUMNS})
       SELECT ${COLUMNS} FROM employee_stage
       ON CONFLICT (employee_id) DO UPDATE SET email = EXCLUDED.email, name = EXCLUDED.name, manager_id = EXCLUDED.manager_id,
         level = EXCLUDED.level, job_family = EXCLUDED.job_family, org = EXCLUDED.org, home_office_id = EXCLUDED.home_office_id,
         arrangement = EXCLUDED.arrangement, hire_date = EXCLUDED.hire_date, termination_date = EXCLUDED.termination_date, updated_at = now()
       RETURNING (xmax = 0) AS ins)
     SELECT count(*) FILTER (WHERE ins)::int AS inserted, count(*) FILTER (WHERE NOT ins)::int AS updated FROM up`,
  );
  await db.exec('DROP TABLE employee_stage');
  return { inserted: Number(rows[0]!.inserted), updated: Number(rows[0]!.updated) };
}
