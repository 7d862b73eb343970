/** `hubday standing EMPLOYEE [--as-of DATE]`: standing and tier over the policy's window. */
import type { Deps } from './deps.js';
import { type LocalDate } from '../engine/dates.js';
import type { Standing } from '../engine/types.js';
import { computeStanding, standingWindow } from '../engine/standing.js';
import { resolvePolicy, DEFAULT_STANDING } from '../engine/policy.js';
import { scopeSubjectOf } from '../engine/compliance.js';
import { getEmployee } from '../store/employee.repository.js';
import { listPolicies } from '../store/policy.repository.js';
import { relocationsByEmployee } from '../store/hr.repository.js';
import { weeklyRecordsFor } from './weekly-records.js';
import { HubdayError } from '../errors.js';

export async function getStanding(deps: Deps, opts: { employeeId: string; asOf?: LocalDate }): Promise<Standing & { name: string }> {
  const employee = await getEmployee(deps.db, opts.employeeId);
  if (!employee) throw new HubdayError('not_found', `unknown employee "${opts.employeeId}"`);
  const asOf = opts.asOf ?? deps.clock.today();
  // The standing parameters are those of the policy that judges the window's latest week.
  const lastMonday = standingWindow(asOf, 1).mondays[0]!;
  const relocation = (await relocationsByEmployee(deps.db, [employee.employeeId])).get(employee.employeeId) ?? null;
  const policy = resolvePolicy(await listPolicies(deps.db), scopeSubjectOf(employee, relocation, lastMonday), lastMonday);
  const params = policy?.standing ?? DEFAULT_STANDING;
  const { mondays } = standingWindow(asOf, params.windowWeeks);
  const weeks = (await weeklyRecordsFor(deps, [employee.employeeId], mondays)).get(employee.employeeId) ?? [];
  const standing = computeStanding(employee.employeeId, asOf, weeks, params, policy ? { id: policy.id, version: policy.version } : null);
  return { ...standing, name: employee.name };
}
