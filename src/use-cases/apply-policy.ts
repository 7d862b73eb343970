/** `hubday policy apply FILE`: validates a policy document and adds it as a new version. */
import { appendAuditEntries } from '../store/audit.repository.js';
import { readFileSync } from 'node:fs';
import type { Deps } from './deps.js';
import { parsePolicyDocument, policiesInEffect, policyToDocument, type PolicyDraft } from '../engine/policy.js';
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

/** What a new version of a policy does to the earlier versions of its id. */
export interface VersionEffect {
  /** The version it takes over from, on its effectiveFrom (the one in effect then), or null. */
  supersedes: number | null;
  /**
   * Earlier versions with a later effectiveFrom: they still govern from their dates (the version
   * in effect is the one with the latest effectiveFrom on or before the week's Monday), oldest first.
   */
  laterVersions: Array<{ version: number; effectiveFrom: string }>;
}

/**
 * How a new version relates to the other versions of its id, by the engine's own rule of which
 * version is in effect on a date (policiesInEffect). `versions` may hold other ids; pure.
 */
export function versionEffect(added: Policy, versions: readonly Policy[]): VersionEffect {
  const same = versions.filter((p) => p.id === added.id);
  const others = same.filter((p) => p.version !== added.version);
  const laterVersions = others
    .filter((p) => p.effectiveFrom > added.effectiveFrom && policiesInEffect(same, p.effectiveFrom)[0] === p)
    .sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : 1))
    .map((p) => ({ version: p.version, effectiveFrom: p.effectiveFrom }));
  return { supersedes: policiesInEffect(others, added.effectiveFrom)[0]?.version ?? null, laterVersions };
}

export async function applyPolicy(deps: Deps, opts: { file: string; actor?: string }): Promise<{ policy: Policy; document: Record<string, unknown> } & VersionEffect> {
  const draft = readPolicyFile(opts.file);
  const { policy, versions } = await deps.db.transaction(async (tx) => {
    const p = await addPolicyVersion(tx, draft);
    await appendAuditEntries(tx, [{
      actor: opts.actor ?? 'operator', action: 'policy.applied', subject: `policy:${p.id}`, entity: `policy:${p.id}:v${p.version}`,
      after: policyToDocument(p),
    }], deps.clock.now());
    return { policy: p, versions: p.version > 1 ? await listPolicies(tx) : [] };
  });
  return { policy, document: policyToDocument(policy), ...versionEffect(policy, versions) };
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
