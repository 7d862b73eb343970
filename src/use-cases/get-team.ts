/** `hubday team MANAGER --week W [--indirect]`: the manager's reports and their status that week. */
import type { Deps } from './deps.js';
import { type LocalDate, type IsoWeek } from '../engine/dates.js';
import type { WeekStatus } from '../engine/types.js';
import { getEmployee, getEmployees, reportIds } from '../store/employee.repository.js';
import { weeklyRecordsFor } from './weekly-records.js';
import { HubdayError } from '../errors.js';

export interface TeamMember {
  employeeId: string;
  name: string;
  managerId: string | null;
  status: WeekStatus;
  required: number;
  present: number;
  available: number;
  explanation: string;
}

export interface TeamReport {
  managerId: string;
  managerName: string;
  week: IsoWeek;
  weekStart: LocalDate;
  indirect: boolean;
  members: TeamMember[];
}

export async function getTeam(deps: Deps, opts: { managerId: string; week: IsoWeek; monday: LocalDate; indirect: boolean }): Promise<TeamReport> {
  const manager = await getEmployee(deps.db, opts.managerId);
  if (!manager) throw new HubdayError('not_found', `unknown employee "${opts.managerId}"`);
  const ids = await reportIds(deps.db, manager.employeeId, opts.indirect);
  const people = new Map((await getEmployees(deps.db, ids)).map((e) => [e.employeeId, e]));
  const records = await weeklyRecordsFor(deps, ids, [opts.monday]);
  const members: TeamMember[] = [];
  for (const id of ids) {
    const rec = records.get(id)?.[0];
    const person = people.get(id);
    if (!rec || !person) continue;
    members.push({
      employeeId: id, name: person.name, managerId: person.managerId, status: rec.status, required: rec.required, present: rec.present,
      available: rec.available, explanation: rec.explanation,
    });
  }
  return { managerId: manager.employeeId, managerName: manager.name, week: opts.week, weekStart: opts.monday, indirect: opts.indirect, members };
}
