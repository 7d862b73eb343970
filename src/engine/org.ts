/**
 * Who may do what, by role and by place in the org tree (DESIGN "Privacy and security"): pure
 * functions of an actor and the management chain of the person concerned.
 */

export type Role = 'hr' | 'analyst' | 'admin';
export const ROLES: readonly Role[] = ['hr', 'analyst', 'admin'];

/**
 * Who is acting. `person`: an employee (with any company-wide roles granted to them);
 * `operator`: the CLI run without `--as` by whoever holds the store (recorded as "operator",
 * allowed administration and reads, never a person's decision); `system`: hubday itself
 * (evaluation, the outbox worker).
 */
export interface Actor {
  id: string;
  kind: 'person' | 'operator' | 'system';
  roles: readonly Role[];
}

export const OPERATOR: Actor = { id: 'operator', kind: 'operator', roles: [] };

/** One person in a management chain. */
export interface ChainLink {
  employeeId: string;
  level: number;
  managerId: string | null;
}

/**
 * The management chain of a person: `chain[0]` is the person, `chain[1]` their manager, and so
 * on up to the root. Built by the store, cut at any cycle.
 */
export type Chain = readonly ChainLink[];

export function hasRole(actor: Actor, role: Role): boolean {
  return actor.roles.includes(role);
}

export function isHr(actor: Actor): boolean {
  return actor.kind === 'person' && hasRole(actor, 'hr');
}

/** Who sees every employee's workflow lists: HR, the operator and hubday itself (others see their subtree). */
export function seesEveryone(actor: Actor): boolean {
  return actor.kind !== 'person' || isHr(actor);
}

/** The person's direct manager (null for the root). */
export function managerOf(chain: Chain): string | null {
  return chain[1]?.employeeId ?? null;
}

/** The manager's manager. */
export function skipLevelOf(chain: Chain): string | null {
  return chain[2]?.employeeId ?? null;
}

/** True when `personId` is a strict ancestor of chain[0] (the person is in their subtree). */
export function isAncestor(chain: Chain, personId: string): boolean {
  for (let i = 1; i < chain.length; i++) if (chain[i]!.employeeId === personId) return true;
  return false;
}

/** The distance up the chain to `personId` (1 = manager), or -1. */
export function ancestorDistance(chain: Chain, personId: string): number {
  for (let i = 1; i < chain.length; i++) if (chain[i]!.employeeId === personId) return i;
  return -1;
}

/** The person's VP: the nearest strict ancestor whose level is at least `vpLevel` (DESIGN "Employee"). */
export function vpOf(chain: Chain, vpLevel: number): string | null {
  for (let i = 1; i < chain.length; i++) if (chain[i]!.level >= vpLevel) return chain[i]!.employeeId;
  return null;
}

/** True when `personId` is the person's VP or an ancestor above the VP. */
export function isVpOrAbove(chain: Chain, vpLevel: number, personId: string): boolean {
  const vp = vpOf(chain, vpLevel);
  if (vp === null) return false;
  const vpAt = ancestorDistance(chain, vp);
  const at = ancestorDistance(chain, personId);
  return at >= vpAt && at > 0;
}

/**
 * May the actor read the person's attendance? Themself; anyone above them in the tree (a
 * manager their subtree, a VP their org); HR; the operator. Analysts see aggregates only.
 */
export function canViewAttendance(actor: Actor, chain: Chain): boolean {
  if (actor.kind === 'operator' || actor.kind === 'system') return true;
  const personId = chain[0]?.employeeId;
  if (actor.id === personId) return true;
  if (hasRole(actor, 'hr')) return true;
  return isAncestor(chain, actor.id);
}

/** Reads of another person's attendance are audited (DESIGN "Privacy and security"). */
export function isReadOfAnother(actor: Actor, personId: string): boolean {
  return actor.kind !== 'system' && actor.id !== personId;
}
