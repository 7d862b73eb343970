/**
 * Reads of a person's attendance as an actor: authorised by role and place in the org tree,
 * and recorded in the audit log when the reader is someone else (DESIGN "Privacy and security").
 * The CLI's compliance, standing and team commands go through these.
 */
import type { Deps } from './deps.js';
import type { LocalDate, IsoWeek } from '../engine/dates.js';
import { canViewAttendance, type Actor } from '../engine/org.js';
import { HubdayError } from '../errors.js';
import { auditReads, authorizeView, chainOf } from './actor.js';
import { getCompliance, type ComplianceReport } from './get-compliance.js';
import { getStanding } from './get-standing.js';
import { getTeam, type TeamReport } from './get-team.js';

export async function viewCompliance(deps: Deps, actor: Actor, opts: { employeeId: string; from: LocalDate; to: LocalDate }): Promise<ComplianceReport> {
  await authorizeView(deps, actor, opts.employeeId, `compliance ${opts.from}..${opts.to}`);
  return getCompliance(deps, opts);
}

export async function viewStanding(deps: Deps, actor: Actor, opts: { employeeId: string; asOf?: LocalDate }): Promise<Awaited<ReturnType<typeof getStanding>>> {
  await authorizeView(deps, actor, opts.employeeId, `standing${opts.asOf ? ` as of ${opts.asOf}` : ''}`);
  return getStanding(deps, opts);
}

/** The manager themself, anyone above them, HR and the operator may read a team; each member's read is audited. */
export async function viewTeam(deps: Deps, actor: Actor, opts: { managerId: string; week: IsoWeek; monday: LocalDate; indirect: boolean }): Promise<TeamReport> {
  const chain = await chainOf(deps.db, opts.managerId);
  if (!canViewAttendance(actor, chain)) {
    throw new HubdayError('forbidden', `${actor.id} may not read ${opts.managerId}'s team: only the manager, their management chain and HR may`, [], 'not_in_reporting_line');
  }
  const team = await getTeam(deps, opts);
  await auditReads(deps, actor, team.members.map((m) => m.employeeId), `team ${opts.managerId} ${opts.week}`);
  return team;
}
