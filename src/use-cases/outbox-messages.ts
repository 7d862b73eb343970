/**
 * Reading the outbox (`hubday outbox list`, `show`) and putting a message back in the queue
 * (`hubday outbox retry`). The operator, admins and HR see every message; anyone else sees only
 * the messages addressed to them (a manager's own digests).
 */
import type { Deps } from './deps.js';
import type { Actor } from '../engine/org.js';
import { findOutbox, getOutboxMessage, requeueOutbox, countOutboxByStatus, type OutboxFilter, type OutboxMessage, type OutboxStatus } from '../store/outbox.repository.js';
import { audited } from './actor.js';
import { mayManageOutbox } from './digests.js';
import { HubdayError } from '../errors.js';

export interface OutboxListing {
  /** Whose messages: all, or one recipient's (a person without the outbox roles). */
  scope: 'all' | 'own';
  counts: Record<OutboxStatus, number>;
  messages: OutboxMessage[];
}

export async function listOutbox(deps: Deps, actor: Actor, filter: OutboxFilter): Promise<OutboxListing> {
  const all = mayManageOutbox(actor);
  if (!all && filter.recipientId !== undefined && filter.recipientId !== actor.id) {
    throw new HubdayError('forbidden', `${actor.id} may read only their own messages: only the operator, admins and HR read others'`, [], 'not_admin_or_hr');
  }
  const f: OutboxFilter = all ? filter : { ...filter, recipientId: actor.id };
  const messages = await findOutbox(deps.db, f);
  const counts = all && f.recipientId === undefined ? await countOutboxByStatus(deps.db, f.kind) : countOf(messages);
  return { scope: all ? 'all' : 'own', counts, messages };
}

function countOf(messages: readonly OutboxMessage[]): Record<OutboxStatus, number> {
  const c: Record<OutboxStatus, number> = { pending: 0, sending: 0, sent: 0, failed: 0, dead: 0, cancelled: 0 };
  for (const m of messages) c[m.status]++;
  return c;
}

export async function showOutbox(deps: Deps, actor: Actor, id: number): Promise<OutboxMessage> {
  const m = await getOutboxMessage(deps.db, id);
  // Someone else's message is "not found" for a person who may not read it (no existence leak).
  if (!m || (!mayManageOutbox(actor) && m.recipientId !== actor.id)) throw new HubdayError('not_found', `no outbox message ${id}${mayManageOutbox(actor) ? '' : ' addressed to you'}`);
  return m;
}

/** Puts a dead, failed or cancelled message back to pending, due now. Audited (`outbox.requeued`). */
export async function retryOutbox(deps: Deps, actor: Actor, id: number): Promise<OutboxMessage> {
  if (!mayManageOutbox(actor)) {
    throw new HubdayError('forbidden', `${actor.id} may not requeue messages: only the operator, admins and HR may`, [], 'not_admin_or_hr');
  }
  return audited(deps, async (tx, audit) => {
    const before = await getOutboxMessage(tx, id);
    if (!before) throw new HubdayError('not_found', `no outbox message ${id}`);
    const after = await requeueOutbox(tx, id, deps.clock.now());
    if (!after) {
      throw new HubdayError('conflict', `message ${id} is ${before.status}: only a dead, failed or cancelled message can be retried${before.status === 'sent' ? ' (a sent message is never sent again)' : ''}`, [], 'not_retryable');
    }
    audit({
      actor: actor.id, action: 'outbox.requeued', subject: before.recipientId, entity: `outbox:${id}`,
      before: { status: before.status, attempts: before.attempts }, after: { status: after.status },
    });
    return after;
  });
}
