/**
 * The audit log's hash chain (pure apart from SHA-256): canonical JSON, the hash of an entry,
 * and verification of a run of entries.
 *
 *   hash(n) = sha256_hex( hash(n-1) + "\n" + canonicalJson(entry n without prevHash/hash) )
 *
 * with hash(0) = 64 zeros. Sequence numbers start at 1 and have no gaps, so an edited, deleted,
 * reordered or inserted entry is found at the first sequence number where the recomputed chain
 * and the stored one part.
 */
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** What a use case records; the log adds seq, at, prevHash and hash. */
export interface AuditDraft {
  actor: string;
  /** A stable code such as `promotion.approved`. */
  action: string;
  /** The person concerned (an employee id), or an entity key such as `policy:rto-3`. */
  subject: string | null;
  /** The record changed, such as `promotion:P7` (null when it is the subject itself). */
  entity?: string | null;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
}

export interface AuditEntry {
  seq: number;
  /** ISO 8601 UTC with milliseconds. */
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  entity: string | null;
  /** Canonical JSON text (or null). */
  before: string | null;
  after: string | null;
  reason: string | null;
  prevHash: string;
  hash: string;
}

/** JSON with object keys sorted at every level, no whitespace; undefined fields dropped. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`audit values must be finite numbers, got ${value}`);
    return JSON.stringify(Object.is(value, -0) ? 0 : value);
  }
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  throw new Error(`cannot put a ${typeof value} into the audit log`);
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The text an entry's hash covers (everything but prevHash and hash, in canonical JSON). */
export function hashedText(e: Omit<AuditEntry, 'prevHash' | 'hash'>): string {
  return canonicalJson({
    seq: e.seq, at: e.at, actor: e.actor, action: e.action, subject: e.subject, entity: e.entity,
    before: e.before, after: e.after, reason: e.reason,
  });
}

export function entryHash(prevHash: string, e: Omit<AuditEntry, 'prevHash' | 'hash'>): string {
  return sha256Hex(`${prevHash}\n${hashedText(e)}`);
}

/** Seals drafts into entries that continue a chain ending at (lastSeq, lastHash). */
export function sealEntries(drafts: readonly AuditDraft[], lastSeq: number, lastHash: string, at: Date): AuditEntry[] {
  const out: AuditEntry[] = [];
  let seq = lastSeq;
  let prev = lastHash;
  for (const d of drafts) {
    seq++;
    const body = {
      seq, at: at.toISOString(), actor: d.actor, action: d.action, subject: d.subject ?? null, entity: d.entity ?? null,
      before: d.before === undefined || d.before === null ? null : canonicalJson(d.before),
      after: d.after === undefined || d.after === null ? null : canonicalJson(d.after),
      reason: d.reason ?? null,
    };
    const hash = entryHash(prev, body);
    out.push({ ...body, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

export type BreakKind = 'hash_mismatch' | 'prev_hash_mismatch' | 'sequence_gap' | 'sequence_order';

export interface ChainBreak {
  /** The first sequence number at which the chain is broken. */
  seq: number;
  kind: BreakKind;
  message: string;
}

/**
 * An incremental verifier: feed entries in stored order (by seq); `result()` tells the first break.
 * Memory is constant, so a whole log can be streamed through it.
 */
export class ChainVerifier {
  private expectedSeq = 1;
  private prevHash = GENESIS_HASH;
  private broken: ChainBreak | null = null;
  checked = 0;

  push(e: AuditEntry): boolean {
    if (this.broken) return false;
    this.checked++;
    if (e.seq !== this.expectedSeq) {
      // A deleted entry leaves a gap; a moved one arrives out of order.
      const kind: BreakKind = e.seq > this.expectedSeq ? 'sequence_gap' : 'sequence_order';
      this.broken = {
        seq: this.expectedSeq,
        kind,
        message: kind === 'sequence_gap'
          ? `entry ${this.expectedSeq} is missing (the next entry found is ${e.seq})`
          : `entry ${e.seq} appears after entry ${this.expectedSeq - 1}: sequence numbers are out of order`,
      };
      return false;
    }
    if (e.prevHash !== this.prevHash) {
      this.broken = { seq: e.seq, kind: 'prev_hash_mismatch', message: `entry ${e.seq} does not link to entry ${e.seq - 1}: its previous hash ${short(e.prevHash)} should be ${short(this.prevHash)}` };
      return false;
    }
    const recomputed = entryHash(this.prevHash, e);
    if (recomputed !== e.hash) {
      this.broken = { seq: e.seq, kind: 'hash_mismatch', message: `entry ${e.seq} was altered: its content hashes to ${short(recomputed)}, the chain recorded ${short(e.hash)}` };
      return false;
    }
    this.prevHash = e.hash;
    this.expectedSeq++;
    return true;
  }

  result(): { ok: boolean; checked: number; lastSeq: number; lastHash: string; firstBroken: ChainBreak | null } {
    return { ok: this.broken === null, checked: this.checked, lastSeq: this.expectedSeq - 1, lastHash: this.prevHash, firstBroken: this.broken };
  }
}

export function verifyChain(entries: Iterable<AuditEntry>): ReturnType<ChainVerifier['result']> {
  const v = new ChainVerifier();
  for (const e of entries) if (!v.push(e)) break;
  return v.result();
}

function short(h: string): string {
  return h.slice(0, 12);
}
