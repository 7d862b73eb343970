/** A small, hand-checkable company as CSV files, for use-case and CLI tests. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const OFFICES_CSV = `office_id,name,timezone,country,subdivision,work_week,ready_from
SEA1,Seattle,America/Los_Angeles,US,WA,Mon-Fri,
LON1,London,Europe/London,GB,ENG,Mon-Fri,
TLV1,Tel Aviv,Asia/Jerusalem,IL,,Sun-Thu,
NEW1,Austin South,America/Chicago,US,TX,,2026-12-01
`;

export const EMPLOYEES_CSV = `employee_id,email,name,manager_id,level,job_family,org,home_office_id,arrangement,hire_date,termination_date
V1,v1@example.com,Vera Vance,,10,product,Retail,SEA1,hybrid,2015-01-05,
M1,m1@example.com,Mina Moss,V1,7,software_engineering,Retail,SEA1,hybrid,2018-03-01,
E100,e100@example.com,Ada Byron,M1,5,software_engineering,Retail,SEA1,hybrid,2020-02-03,
E101,e101@example.com,Rémi Durand,M1,5,software_engineering,Retail,SEA1,remote,2021-06-01,
E102,e102@example.com,Noa Levi,M1,4,software_engineering,Retail,TLV1,hybrid,2026-11-18,
E103,e103@example.com,"Smith, Jo",M1,5,sales,Retail,LON1,office,2019-01-07,2026-11-20
E104,e104@example.com,Kai Austin,M1,5,sales,Retail,NEW1,hybrid,2019-01-07,
`;

/** Week 2026-W47 (Nov 16–22) and the Thanksgiving week 2026-W48 (Nov 23–29). */
export const BADGES_CSV = `event_id,employee_id,office_id,timestamp,direction
a1,E100,SEA1,2026-11-16T16:30:00Z,in
a2,E100,SEA1,2026-11-17T01:00:00Z,out
a3,E100,SEA1,2026-11-17T16:30:00Z,in
a4,E100,SEA1,2026-11-18T01:00:00Z,out
a5,E100,LON1,2026-11-19T09:00:00Z,in
a6,E100,LON1,2026-11-19T17:00:00Z,out
b1,E100,SEA1,2026-11-24T16:00:00Z,in
b2,E100,SEA1,2026-11-24T23:45:00Z,out
c1,E103,LON1,2026-11-16T09:00:00+00:00,in
c2,E103,LON1,2026-11-17T09:00:00Z,in
`;

export const LEAVE_CSV = `employee_id,start_date,end_date,kind,status
E103,2026-11-18,2026-11-19,pto,approved
M1,2026-11-16,2026-11-27,parental,approved
`;

export const HOLIDAYS_CSV = `office_id,date,name,action
LON1,2026-11-20,Company day,add
`;

export const POLICY_JSON = JSON.stringify({
  id: 'rto-3', name: 'Three days a week', effectiveFrom: '2025-01-06',
  scope: { orgs: [], levels: [], jobFamilies: [], offices: [], arrangements: ['office', 'hybrid'] },
  daysPerWeek: 3, holidayRule: 'proportional', minDwellMinutes: 0,
  standing: { windowWeeks: 12, minRatio: 0.75 },
}, null, 2);

export interface FixtureFiles {
  dir: string;
  offices: string;
  employees: string;
  badges: string;
  leave: string;
  holidays: string;
  policy: string;
  write(name: string, content: string): string;
}

export function writeFixtures(overrides: Partial<Record<'offices' | 'employees' | 'badges' | 'leave' | 'holidays' | 'policy', string>> = {}): FixtureFiles {
  const dir = mkdtempSync(join(tmpdir(), 'hubday-fx-'));
  const write = (name: string, content: string) => {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  };
  return {
    dir,
    offices: write('offices.csv', overrides.offices ?? OFFICES_CSV),
    employees: write('employees.csv', overrides.employees ?? EMPLOYEES_CSV),
    badges: write('badges.csv', overrides.badges ?? BADGES_CSV),
    leave: write('leave.csv', overrides.leave ?? LEAVE_CSV),
    holidays: write('holidays.csv', overrides.holidays ?? HOLIDAYS_CSV),
    policy: write('rto-3.json', overrides.policy ?? POLICY_JSON),
    write,
  };
}
