/** Loads what every evaluation needs once: offices, policies, the holiday calendar and badge-reader outages. */
import type { Deps } from './deps.js';
import type { Context } from '../engine/compliance.js';
import { type LocalDate, addDays } from '../engine/dates.js';
import { buildHolidayLookup } from '../calendar/public-holidays.js';
import { listOffices, listHolidayOverrides } from '../store/office.repository.js';
import { listPolicies } from '../store/policy.repository.js';
import { outagesBetween } from '../store/hr.repository.js';
import { outageLookup } from '../engine/disputes.js';

export async function loadContext(deps: Deps, from: LocalDate, to: LocalDate): Promise<Context> {
  // One after another: deps.db may be a transaction (one connection), where queries cannot overlap.
  const offices = await listOffices(deps.db);
  const overrides = await listHolidayOverrides(deps.db);
  const policies = await listPolicies(deps.db);
  const outages = await outagesBetween(deps.db, addDays(from, -7), addDays(to, 14));
  return {
    offices: new Map(offices.map((o) => [o.officeId, o])),
    policies,
    holidays: buildHolidayLookup(offices, overrides, addDays(from, -7), addDays(to, 14)),
    ...(outages.length > 0 ? { outages: outageLookup(outages) } : {}),
  };
}
