/** `hubday audit verify` and `hubday audit show`: the hash-chained log, checked and read. */
import type { Deps } from './deps.js';
import type { Actor } from '../engine/org.js';
import { hasRole } from '../engine/org.js';
import { HubdayError } from '../errors.js';
import { ChainVerifier, type AuditEntry, type ChainBreak } from '../audit/chain.js';
import { findAuditEntries, readAuditPage, type AuditFilter } from '../store/audit.repository.js';

export interface VerifyResult {
  ok: boolean;
  /** Entries checked (up to and including the first broken one). */
  checked: number;
  /** The last good entry: anchor it elsewhere (a ticket, a mail) to detect a truncated log later. */
  head: { seq: number; hash: string };
  firstBroken: ChainBreak | null;
}

const PAGE = 5000;

/**
 * Recomputes the whole chain in sequence order, page by page (constant memory). With
 * `expectHead`, also checks that the log still contains that entry unchanged, which detects a
 * truncation of its end (deleting the newest entries leaves a chain that is internally valid).
 */
export async function verifyAudit(deps: Deps, opts: { expectHead?: { seq: number; hash: string } } = {}): Promise<VerifyResult> {
  const v = new ChainVerifier();
  let after = 0;
  let seenExpected = false;
  for (;;) {
    const page = await readAuditPage(deps.db, after, PAGE);
    if (page.length === 0) break;
    let stop = false;
    for (const e of page) {
      if (!v.push(e)) {
        stop = true;
        break;
      }
      if (opts.expectHead && e.seq === opts.expectHead.seq) seenExpected = e.hash === opts.expectHead.hash;
    }
    if (stop) break;
    after = page[page.length - 1]!.seq;
  }
  const r = v.result();
  let firstBroken = r.firstBroken;
  if (!firstBroken && opts.expectHead && !seenExpected) {
    const seq = opts.expectHead.seq;
    firstBroken = seq > r.lastSeq
      ? { seq: r.lastSeq + 1, kind: 'sequence_gap', message: `the log ends at entry ${r.lastSeq}, but entry ${seq} was recorded as its head: entries from ${r.lastSeq + 1} on were removed` }
      : { seq, kind: 'hash_mismatch', message: `entry ${seq} no longer has the recorded head hash ${opts.expectHead.hash.slice(0, 12)}: the log was rewritten from there or earlier` };
  }
  return { ok: firstBroken === null, checked: r.checked, head: { seq: r.lastSeq, hash: r.lastHash }, firstBroken };
}

/** Audit entries matching a filter. Readable by HR, admins and the operator; a person reads only entries about themself. */
export async function showAudit(deps: Deps, actor: Actor, filter: AuditFilter): Promise<AuditEntry[]> {
  const auditor = actor.kind !== 'person' || hasRole(actor, 'hr') || hasRole(actor, 'admin');
  if (!auditor && filter.subject !== actor.id) {
    throw new HubdayError('forbidden', `${actor.id} may read only audit entries about themself (--subject ${actor.id}); the whole log is for HR and auditors`, [], 'not_an_auditor');
  }
  return findAuditEntries(deps.db, filter);
}

/** Parses `SEQ:HASH` as printed by `audit verify`. */
export function parseHead(text: string): { seq: number; hash: string } {
  const m = /^(\d+):([0-9a-f]{64})$/.exec(text.trim());
  if (!m) throw new HubdayError('invalid_usage', `--expect-head must be SEQ:HASH as printed by "hubday audit verify" (a number, a colon, 64 hex digits), got "${text}"`);
  return { seq: Number(m[1]), hash: m[2]! };
}
