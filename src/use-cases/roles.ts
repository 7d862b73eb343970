/** Company-wide roles (hr, analyst, admin): granted and revoked by an admin or the operator, audited. */
import type { Deps } from './deps.js';
import { hasRole, ROLES, type Actor, type Role } from '../engine/org.js';
import { HubdayError } from '../errors.js';
import { audited, chainOf } from './actor.js';
import { deleteRoleGrant, insertRoleGrant, listRoleGrants, type RoleGrant } from '../store/org.repository.js';

function checkRole(role: string): Role {
  if (!(ROLES as readonly string[]).includes(role)) throw new HubdayError('invalid_usage', `unknown role "${role}": roles are ${ROLES.join(', ')}`);
  return role as Role;
}

function requireAdmin(actor: Actor): void {
  if (actor.kind === 'operator' || hasRole(actor, 'admin')) return;
  throw new HubdayError('forbidden', `${actor.id} may not change roles: only an admin (role admin) or the store operator may`, [], 'not_an_admin');
}

export async function grantRole(deps: Deps, actor: Actor, input: { employeeId: string; role: string }): Promise<{ changed: boolean }> {
  const role = checkRole(input.role);
  requireAdmin(actor);
  await chainOf(deps.db, input.employeeId);
  return audited(deps, async (tx, audit) => {
    const changed = await insertRoleGrant(tx, input.employeeId, role, actor.id);
    if (changed) audit({ actor: actor.id, action: 'role.granted', subject: input.employeeId, after: { role } });
    return { changed };
  });
}

export async function revokeRole(deps: Deps, actor: Actor, input: { employeeId: string; role: string }): Promise<{ changed: boolean }> {
  const role = checkRole(input.role);
  requireAdmin(actor);
  return audited(deps, async (tx, audit) => {
    const changed = await deleteRoleGrant(tx, input.employeeId, role);
    if (changed) audit({ actor: actor.id, action: 'role.revoked', subject: input.employeeId, before: { role } });
    return { changed };
  });
}

export async function listRoles(deps: Deps): Promise<RoleGrant[]> {
  return listRoleGrants(deps.db);
}
