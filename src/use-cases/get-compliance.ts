/** `hubday compliance EMPLOYEE --from --to`: one weekly record per ISO week overlapping the range. */
import type { Deps } from './deps.js';
import { type LocalDate, mondaysBetween } from '../engine/dates.js';
import type { WeeklyRecord } from '../engine/types.js';
import { getEmployee } from '../store/employee.repository.js';
import { weeklyRecordsFor } from './weekly-records.js';
import { HubdayError } from '../errors.js';

export interface ComplianceReport {
  employeeId: string;
  name: string;
  from: LocalDate;
  to: LocalDate;
  weeks: WeeklyRecord[];
}

export async function getCompliance(deps: Deps, opts: { employeeId: string; from: LocalDate; to: LocalDate }): Promise<ComplianceReport> {
  if (opts.to < opts.from) throw new HubdayError('invalid_usage', `--to ${opts.to} is before --from ${opts.from}`);
  const employee = await getEmployee(deps.db, opts.employeeId);
  if (!employee) throw new HubdayError('not_found', `unknown employee "${opts.employeeId}"`);
  const mondays = mondaysBetween(opts.from, opts.to);
  if (mondays.length > 530) throw new HubdayError('invalid_usage', 'the range is longer than ten years');
  const weeks = (await weeklyRecordsFor(deps, [employee.employeeId], mondays)).get(employee.employeeId) ?? [];
  return { employeeId: employee.employeeId, name: employee.name, from: opts.from, to: opts.to, weeks };
}
