/** `hubday policy apply FILE`: validates a policy document and adds it as a new version. */
import { appendAuditEntries } from '../store/audit.repository.js';
import { readFileSync } from 'node:fs';
import type { Deps } from './deps.js';
import { parsePolicyDocument, policyToDocument, type PolicyDraft } from '../engine/policy.js';
import type { Policy } from '../engine/types.js';
import { addPolicyVersion, listPolicies } from '../store/policy.repository.js';
import { hasRole, type Actor } from '../engine/org.js';
import { HubdayError, formatProblem, type InputProblem } from '../errors.js';

/** Line and column (1-based) of a character offset. */
function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset));
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** Best-effort location of a field named by a JSON path such as "standing.minRatio" or "scope.levels[1]". */
function locate(text: string, path: string): { line: number; column: number } {
  const key = path.replace(/\[\d+\]$/, '').split('.').pop() ?? '';
  const at = key ? text.indexOf(`"${key}"`) : -1;
  return at >= 0 ? position(text, at) : { line: 1, column: 1 };
}

export function readPolicyFile(file: string): PolicyDraft {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (e) {
    throw new HubdayError('invalid_input', `${file}: cannot read the file: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const m = /position (\d+)/.exec(msg);
    const { line, column } = m ? position(text, Number(m[1])) : { line: 1, column: 1 };
    const p: InputProblem = { file, line, column, reason: `not valid JSON: ${msg.replace(/ in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '')}` };
    throw new HubdayError('invalid_input', formatProblem(p), [p]);
  }
  const parsed = parsePolicyDocument(doc);
  if (!parsed.ok) {
    const problems = parsed.errors.map((e) => ({ file, ...locate(text, e.path), columnName: e.path, reason: e.reason }));
    throw new HubdayError('invalid_input', problems.map(formatProblem).join('\n'), problems);
  }
  return parsed.policy;
}

export async function applyPolicy(deps: Deps, opts: { file: string; actor?: string }): Promise<{ policy: Policy; document: Record<string, unknown>; supersedes: number | null }> {
  const draft = readPolicyFile(opts.file);
  const policy = await deps.db.transaction(async (tx) => {
    const p = await addPolicyVersion(tx, draft);
    await appendAuditEntries(tx, [{
      actor: opts.actor ?? 'operator', action: 'policy.applied', subject: `policy:${p.id}`, entity: `policy:${p.id}:v${p.version}`,
      after: policyToDocument(p),
    }], deps.clock.now());
    return p;
  });
  return { policy, document: policyToDocument(policy), supersedes: policy.version > 1 ? policy.version - 1 : null };
}

export async function listPolicyVersions(deps: Deps): Promise<Policy[]> {
  return listPolicies(deps.db);
}

/** `policy apply --as`: policies are written by HR (or the store operator). */
export async function applyPolicyAs(deps: Deps, actor: Actor, opts: { file: string }): ReturnType<typeof applyPolicy> {
  if (actor.kind === 'person' && !hasRole(actor, 'hr')) {
    throw new HubdayError('forbidden', `${actor.id} may not apply policies: policies are written by HR (role hr)`, [], 'not_hr');
  }
  return applyPolicy(deps, { file: opts.file, actor: actor.id });
}
