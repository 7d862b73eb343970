/**
 * listEmployees and leaveByEmployee read by COPY: the same values, in the same order, as the row
 * queries they replace (kept here as they were), on tricky text and on both stores.
 */
import assert from 'node:assert/strict';
import { forEachStore } from '../testing/stores.js';
import type { Db } from './db.js';
import { migrate } from './migrate.js';
import type { Employee } from '../engine/types.js';
import type { LocalDate } from '../engine/dates.js';
import { listEmployees } from './employee.repository.js';
import { leaveByEmployee, type LeaveRecord } from './hr.repository.js';

/** listEmployees as it was: node-postgres row objects. */
async function listEmployeesByQuery(db: Db): Promise<Employee[]> {
  const rows = await db.query<Record<string, string | number | null>>(
    'SELECT employee_id, email, name, manager_id, level, job_family, org, home_office_id, arrangement, hire_date, termination_date FROM employee ORDER BY employee_id',
  );
  return rows.map((r) => ({
    employeeId: r.employee_id, email: r.email, name: r.name, managerId: r.manager_id, level: Number(r.level), jobFamily: r.job_family, org: r.org,
    homeOfficeId: r.home_office_id, arrangement: r.arrangement, hireDate: r.hire_date, terminationDate: r.termination_date,
  }) as Employee);
}

/** leaveByEmployee (of every employee) as it was. */
async function leaveByQuery(db: Db, from: LocalDate, to: LocalDate): Promise<Map<string, LeaveRecord[]>> {
  const rows = await db.query<Record<string, string>>(
    `SELECT employee_id, start_date, end_date, kind, status FROM leave WHERE start_date <= $2::date AND end_date >= $1::date ORDER BY employee_id, start_date`,
    [from, to],
  );
  const out = new Map<string, LeaveRecord[]>();
  for (const r of rows) {
    let list = out.get(r.employee_id!);
    if (!list) out.set(r.employee_id!, (list = []));
    list.push({ employeeId: r.employee_id!, startDate: r.start_date as LocalDate, endDate: r.end_date as LocalDate, kind: r.kind!, status: r.status as LeaveRecord['status'] });
  }
  return out;
}

/** Employees whose text needs quoting, is empty, is NULL or is not ASCII; levels of several digits; dates near the edges. */
const PEOPLE: unknown[][] = [
  ['E1', 'e1@example.com', 'Ada Byron', null, 5, 'software_engineering', 'Retail', 'SEA1', 'hybrid', '2020-02-03', null],
  ['E2', 'e2@example.com', 'Smith, Jo', 'E1', 12, '', null, 'L,N "1"', 'office', '1999-12-31', '2026-11-20'],
  ['E3', 'e3@example.com', 'Rémi "Le Grand"\nDurand 😀', 'E1', 0, null, '', 'SEA1', 'remote', '0044-03-15 BC', '9999-12-31'],
  ['E,4', 'e4@example.com', '  spaced  ', '', -3, ' ', '\\.', 'L,N "1"', 'hybrid', '2026-01-01', 'infinity'],
  ['', 'empty-id@example.com', '中文 名字', 'E,4', 123456, 'a\r\nb', 'Org "Q"', 'SEA1', 'office', '2026-02-28', '2026-03-01'],
];

/** Leave of several people, some overlapping the window and some not, kinds that need quoting. */
const LEAVE: string[][] = [
  ['E1', '2026-08-20', '2026-08-25', 'pto', 'approved'],
  ['E1', '2026-09-01', '2026-09-02', 'sick, short', 'pending'],
  ['E1', '2026-12-01', '2026-12-05', 'pto', 'approved'], // after the window
  ['E2', '2026-01-01', '2026-08-23', 'pto', 'approved'], // ends the day before
  ['E2', '2026-11-29', '2026-12-31', 'parental "long"', 'approved'],
  ['E,4', '2026-08-01', '2027-01-31', 'sabbatical\nyear', 'cancelled'],
  ['', '2026-10-10', '2026-10-10', '', 'rejected'],
  ['E3', '2026-10-01', '2026-10-03', 'congé ✓', 'approved'],
  ['E3', '2026-09-01', '2026-09-03', 'pto', 'approved'],
];

async function seed(db: Db): Promise<void> {
  await migrate(db);
  await db.query(`INSERT INTO office (office_id, name, timezone, country) SELECT unnest($1::text[]), 'Office', 'UTC', 'US'`, [['SEA1', 'L,N "1"']]);
  for (const p of PEOPLE) {
    await db.query(
      `INSERT INTO employee (employee_id, email, name, manager_id, level, job_family, org, home_office_id, arrangement, hire_date, termination_date)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::date, $11::date)`,
      p,
    );
  }
  for (const l of LEAVE) await db.query('INSERT INTO leave (employee_id, start_date, end_date, kind, status) VALUES ($1, $2::date, $3::date, $4, $5)', l);
}

forEachStore('listEmployees by COPY returns what the row query returned', async (_t, db) => {
  await migrate(db);
  assert.deepEqual(await listEmployees(db), []);
  await seed(db);
  const expected = await listEmployeesByQuery(db);
  assert.equal(expected.length, PEOPLE.length);
  // NULL and '' stay apart; dates as PostgreSQL writes them, BC and far-future ones included.
  assert.equal(expected.find((e) => e.employeeId === 'E3')!.hireDate, '0044-03-15 BC');
  assert.deepEqual(await listEmployees(db), expected);
});

forEachStore('leaveByEmployee by COPY returns what the row query returned, grouped alike', async (_t, db) => {
  await seed(db);
  const from = '2026-08-24' as LocalDate;
  const to = '2026-11-29' as LocalDate;
  const expected = await leaveByQuery(db, from, to);
  const got = await leaveByEmployee(db, from, to);
  assert.deepEqual([...got.keys()], [...expected.keys()]);
  assert.deepEqual(got, expected);
  assert.deepEqual(got.get('E3')!.map((l) => l.startDate), ['2026-09-01', '2026-10-01']);
  assert.equal(got.get('E2')!.length, 1);
  // Given ids, the parameterised statement gives the same records.
  const some = await leaveByEmployee(db, from, to, ['E,4', 'E1', '']);
  assert.deepEqual(some, new Map([...expected].filter(([id]) => ['E,4', 'E1', ''].includes(id))));
  assert.deepEqual(await leaveByEmployee(db, '2030-01-01' as LocalDate, '2030-12-31' as LocalDate), new Map());
  await assert.rejects(leaveByEmployee(db, "2026-01-01' OR true --" as LocalDate, to), /not a date/);
});
