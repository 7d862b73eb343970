/**
 * Who is acting, and the two things every workflow use case does with it: check a read of a
 * person's data, and record changes in the audit log in the same transaction as the change.
 */
import type { Deps } from './deps.js';
import type { Db } from '../store/db.js';
import { HubdayError } from '../errors.js';
import { OPERATOR, canViewAttendance, isReadOfAnother, type Actor, type Chain } from '../engine/org.js';
import { managementChain, rolesOf } from '../store/org.repository.js';
import { appendAuditEntries } from '../store/audit.repository.js';
import type { AuditDraft } from '../audit/chain.js';

/**
 * The actor for an id given with `--as` (an employee id, with the roles granted to them), or the
 * operator when none is given.
 */
export async function resolveActor(deps: Deps, id: string | undefined | null): Promise<Actor> {
  if (id === undefined || id === null || id === '' || id === 'operator') return OPERATOR;
  const rows = await deps.db.query<{ employee_id: string }>('SELECT employee_id FROM employee WHERE employee_id = $1', [id]);
  if (rows.length === 0) throw new HubdayError('not_found', `--as ${id}: no employee has this id`);
  return { id, kind: 'person', roles: await rolesOf(deps.db, id) };
}

/** The person's management chain, or not_found. */
export async function chainOf(db: Db, employeeId: string): Promise<Chain> {
  const chain = await managementChain(db, employeeId);
  if (!chain) throw new HubdayError('not_found', `no employee ${employeeId}`);
  return chain;
}

/**
 * Checks that the actor may read the person's attendance and, when it is someone else's, records
 * the read (`attendance.viewed`) so that the person can see who looked. Returns the chain.
 */
export async function authorizeView(deps: Deps, actor: Actor, employeeId: string, what: string): Promise<Chain> {
  const chain = await chainOf(deps.db, employeeId);
  if (!canViewAttendance(actor, chain)) {
    throw new HubdayError('forbidden', `${actor.id} may not read ${employeeId}'s attendance: only the person, their management chain and HR may`, [], 'not_in_reporting_line');
  }
  await auditReads(deps, actor, [employeeId], what);
  return chain;
}

/** Records the actor's reads of other people's attendance (`attendance.viewed`, one entry per person read). */
export async function auditReads(deps: Deps, actor: Actor, employeeIds: readonly string[], view: string): Promise<void> {
  const drafts = [...new Set(employeeIds)].filter((id) => isReadOfAnother(actor, id)).map((id) => ({ actor: actor.id, action: 'attendance.viewed', subject: id, after: { view } }));
  if (drafts.length > 0) await deps.db.transaction((tx) => appendAuditEntries(tx, drafts, deps.clock.now()));
}

/**
 * Runs a change in one transaction; the audit entries it collects with `audit(…)` are appended
 * in that same transaction, so the change and its record commit or vanish together.
 */
export async function audited<T>(deps: Deps, fn: (tx: Db, audit: (entry: AuditDraft) => void) => Promise<T>): Promise<T> {
  return deps.db.transaction(async (tx) => {
    const drafts: AuditDraft[] = [];
    const result = await fn(tx, (e) => drafts.push(e));
    await appendAuditEntries(tx, drafts, deps.clock.now());
    return result;
  });
}
