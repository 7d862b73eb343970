/** The org tree as management chains, and company-wide role grants. */
import type { Db } from './db.js';
import type { Chain, Role } from '../engine/org.js';

/**
 * The management chain of each given employee (person first, then manager, … root), in one
 * recursive statement. A manager link that loops back, or a self-link, ends the chain.
 */
export async function managementChains(db: Db, ids: readonly string[]): Promise<Map<string, Chain>> {
  const out = new Map<string, Chain>();
  if (ids.length === 0) return out;
  const rows = await db.query<{ start_id: string; depth: number; employee_id: string; level: number; manager_id: string | null }>(
    `WITH RECURSIVE up(start_id, depth, employee_id, level, manager_id, path) AS (
       SELECT e.employee_id, 0, e.employee_id, e.level, e.manager_id, ARRAY[e.employee_id]
       FROM employee e WHERE e.employee_id = ANY($1::text[])
       UNION ALL
       SELECT up.start_id, up.depth + 1, m.employee_id, m.level, m.manager_id, up.path || m.employee_id
       FROM up JOIN employee m ON m.employee_id = up.manager_id
       WHERE up.depth < 64 AND NOT (m.employee_id = ANY(up.path))
     )
     SELECT start_id, depth, employee_id, level, manager_id FROM up ORDER BY start_id, depth`,
    [ids],
  );
  for (const r of rows) {
    let chain = out.get(r.start_id) as { employeeId: string; level: number; managerId: string | null }[] | undefined;
    if (!chain) out.set(r.start_id, (chain = []));
    chain.push({ employeeId: r.employee_id, level: Number(r.level), managerId: r.manager_id === r.employee_id ? null : r.manager_id });
  }
  return out;
}

/** One person's chain, or null when there is no such employee. */
export async function managementChain(db: Db, id: string): Promise<Chain | null> {
  return (await managementChains(db, [id])).get(id) ?? null;
}

export async function rolesOf(db: Db, id: string): Promise<Role[]> {
  const rows = await db.query<{ role: Role }>('SELECT role FROM role_grant WHERE employee_id = $1 ORDER BY role', [id]);
  return rows.map((r) => r.role);
}

export interface RoleGrant {
  employeeId: string;
  role: Role;
  grantedBy: string;
  grantedAt: string;
}

export async function listRoleGrants(db: Db): Promise<RoleGrant[]> {
  const rows = await db.query<{ employee_id: string; role: Role; granted_by: string; granted_at: Date | string }>(
    'SELECT employee_id, role, granted_by, granted_at FROM role_grant ORDER BY role, employee_id',
  );
  return rows.map((r) => ({ employeeId: r.employee_id, role: r.role, grantedBy: r.granted_by, grantedAt: new Date(r.granted_at).toISOString() }));
}

/** Grants a role; false when it was already held. */
export async function insertRoleGrant(db: Db, id: string, role: Role, by: string): Promise<boolean> {
  const r = await db.run('INSERT INTO role_grant (employee_id, role, granted_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [id, role, by]);
  return r.rowCount > 0;
}

/** Revokes a role; false when it was not held. */
export async function deleteRoleGrant(db: Db, id: string, role: Role): Promise<boolean> {
  const r = await db.run('DELETE FROM role_grant WHERE employee_id = $1 AND role = $2', [id, role]);
  return r.rowCount > 0;
}

/**
 * The ids of a person and everyone below them in the org tree, as a SQL fragment selecting
 * `employee_id` (the actor's id is parameter `$n`).
 */
export function subtreeSql(param: string): string {
  return `(WITH RECURSIVE sub(employee_id, depth) AS (
     SELECT ${param}::text, 0
     UNION
     SELECT e.employee_id, s.depth + 1 FROM employee e JOIN sub s ON e.manager_id = s.employee_id WHERE s.depth < 64
   ) SELECT employee_id FROM sub)`;
}
