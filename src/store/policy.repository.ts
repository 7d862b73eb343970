import type { Db } from './db.js';
import type { Policy } from '../engine/types.js';
import { parsePolicyDocument, policyToDocument, type PolicyDraft } from '../engine/policy.js';

/** Adds a new version of the policy (1 when the id is new) and returns it. */
export async function addPolicyVersion(db: Db, draft: PolicyDraft): Promise<Policy> {
  const rows = await db.query<{ version: number }>(
    'SELECT coalesce(max(version), 0) + 1 AS version FROM policy WHERE policy_id = $1',
    [draft.id],
  );
  const policy: Policy = { ...draft, version: Number(rows[0]!.version) };
  const { version: _v, ...document } = policyToDocument(policy);
  await db.query('INSERT INTO policy (policy_id, version, effective_from, document) VALUES ($1, $2, $3, $4::jsonb)', [
    policy.id, policy.version, policy.effectiveFrom, JSON.stringify(document),
  ]);
  return policy;
}

export async function listPolicies(db: Db): Promise<Policy[]> {
  const rows = await db.query<{ policy_id: string; version: number; document: unknown }>(
    'SELECT policy_id, version, document FROM policy ORDER BY policy_id, version',
  );
  return rows.map((r) => {
    const parsed = parsePolicyDocument(r.document);
    if (!parsed.ok) throw new Error(`stored policy ${r.policy_id} v${r.version} no longer validates: ${parsed.errors.map((e) => `${e.path}: ${e.reason}`).join('; ')}`);
    return { ...parsed.policy, version: Number(r.version) };
  });
}
