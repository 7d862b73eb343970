/** Loads what every evaluation needs once: offices, policies, the holiday calendar and badge-reader outages. */
import type { Deps } from './deps.js';
import type { Context } from '../engine/compliance.js';
import type { Office, Policy } from '../engine/types.js';
import type { Outage } from '../engine/disputes.js';
import { type LocalDate, addDays } from '../engine/dates.js';
import { buildHolidayLookup, type HolidayOverride } from '../calendar/public-holidays.js';
import { listOffices, listHolidayOverrides } from '../store/office.repository.js';
import { listPolicies } from '../store/policy.repository.js';
import { outagesBetween } from '../store/hr.repository.js';
import { outageLookup } from '../engine/disputes.js';

/** The context as plain data (what an evaluation worker thread receives). */
export interface ContextData {
  offices: Office[];
  overrides: HolidayOverride[];
  policies: Policy[];
  outages: Outage[];
  from: LocalDate;
  to: LocalDate;
}

export async function loadContextData(deps: Deps, from: LocalDate, to: LocalDate): Promise<ContextData> {
  // One after another: deps.db may be a transaction (one connection), where queries cannot overlap.
  const offices = await listOffices(deps.db);
  const overrides = await listHolidayOverrides(deps.db);
  const policies = await listPolicies(deps.db);
  const outages = await outagesBetween(deps.db, addDays(from, -7), addDays(to, 14));
  return { offices, overrides, policies: [...policies], outages, from, to };
}

export function buildContext(d: ContextData): Context {
  return {
    offices: new Map(d.offices.map((o) => [o.officeId, o])),
    policies: d.policies,
    holidays: buildHolidayLookup(d.offices, d.overrides, addDays(d.from, -7), addDays(d.to, 14)),
    ...(d.outages.length > 0 ? { outages: outageLookup(d.outages) } : {}),
  };
}

export async function loadContext(deps: Deps, from: LocalDate, to: LocalDate): Promise<Context> {
  return buildContext(await loadContextData(deps, from, to));
}
