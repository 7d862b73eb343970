/** Loads what every evaluation needs once: offices, policies and the holiday calendar. */
import type { Deps } from './deps.js';
import type { Context } from '../engine/compliance.js';
import { type LocalDate, addDays } from '../engine/dates.js';
import { buildHolidayLookup } from '../calendar/public-holidays.js';
import { listOffices, listHolidayOverrides } from '../store/office.repository.js';
import { listPolicies } from '../store/policy.repository.js';

export async function loadContext(deps: Deps, from: LocalDate, to: LocalDate): Promise<Context> {
  const [offices, overrides, policies] = await Promise.all([listOffices(deps.db), listHolidayOverrides(deps.db), listPolicies(deps.db)]);
  return {
    offices: new Map(offices.map((o) => [o.officeId, o])),
    policies,
    holidays: buildHolidayLookup(offices, overrides, addDays(from, -7), addDays(to, 14)),
  };
}
