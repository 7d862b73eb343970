/** The audit log table: appended in the caller's transaction, read in sequence order. Never updated. */
import { sqlFilter } from './sql-filter.js';
import type { Db } from './db.js';
import { GENESIS_HASH, sealEntries, type AuditDraft, type AuditEntry } from '../audit/chain.js';

interface Row {
  seq: string | number; at: string; actor: string; action: string; subject: string | null; entity: string | null;
  before: string | null; after: string | null; reason: string | null; prev_hash: string; hash: string;
}

const INSERT_BATCH = 2000;
const COLUMNS = 'seq, at, actor, action, subject, entity, before, after, reason, prev_hash, hash';

function toEntry(r: Row): AuditEntry {
  return {
    seq: Number(r.seq), at: r.at, actor: r.actor, action: r.action, subject: r.subject, entity: r.entity,
    before: r.before, after: r.after, reason: r.reason, prevHash: r.prev_hash, hash: r.hash,
  };
}

/**
 * Appends entries continuing the chain. Call inside the transaction that makes the change: the
 * table lock serialises writers (concurrent API processes) until that transaction ends, so the
 * chain never forks, and a rolled-back change leaves no entry.
 */
export async function appendAuditEntries(tx: Db, drafts: readonly AuditDraft[], at: Date): Promise<AuditEntry[]> {
  if (drafts.length === 0) return [];
  await tx.exec('LOCK TABLE audit_entry IN SHARE ROW EXCLUSIVE MODE');
  const last = await tx.query<{ seq: string | number; hash: string }>('SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1');
  const entries = sealEntries(drafts, last[0] ? Number(last[0].seq) : 0, last[0]?.hash ?? GENESIS_HASH, at);
  // Batches keep each statement under PostgreSQL's 65,535 parameters (a VP's team view audits thousands of reads).
  for (let from = 0; from < entries.length; from += INSERT_BATCH) {
    const batch = entries.slice(from, from + INSERT_BATCH);
    const values: unknown[] = [];
    const tuples = batch.map((e, i) => {
      values.push(e.seq, e.at, e.actor, e.action, e.subject, e.entity, e.before, e.after, e.reason, e.prevHash, e.hash);
      const b = i * 11;
      return `(${Array.from({ length: 11 }, (_, k) => `$${b + k + 1}`).join(', ')})`;
    });
    await tx.query(`INSERT INTO audit_entry (${COLUMNS}) VALUES ${tuples.join(', ')}`, values);
  }
  return entries;
}

/** Entries after `afterSeq`, in sequence order, at most `limit`. */
export async function readAuditPage(db: Db, afterSeq: number, limit: number): Promise<AuditEntry[]> {
  const rows = await db.query<Row>(`SELECT ${COLUMNS} FROM audit_entry WHERE seq > $1 ORDER BY seq LIMIT $2`, [afterSeq, limit]);
  return rows.map(toEntry);
}

export interface AuditFilter {
  subject?: string;
  actor?: string;
  /** An action code, or a prefix ending in "." (such as "promotion."). */
  action?: string;
  entity?: string;
  limit?: number;
}

/** Entries matching a filter, newest last. */
export async function findAuditEntries(db: Db, f: AuditFilter): Promise<AuditEntry[]> {
  const { clause, params, add } = sqlFilter();
  if (f.subject !== undefined) add('subject = ?', f.subject);
  if (f.actor !== undefined) add('actor = ?', f.actor);
  if (f.entity !== undefined) add('entity = ?', f.entity);
  if (f.action !== undefined) {
    if (f.action.endsWith('.')) add('starts_with(action, ?)', f.action);
    else add('action = ?', f.action);
  }
  params.push(f.limit ?? 1000);
  const rows = await db.query<Row>(
    `SELECT * FROM (SELECT ${COLUMNS} FROM audit_entry ${clause()} ORDER BY seq DESC LIMIT $${params.length}) t ORDER BY seq`,
    params,
  );
  return rows.map(toEntry);
}
