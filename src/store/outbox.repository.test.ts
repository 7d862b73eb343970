import assert from 'node:assert/strict';
import { forEachStore } from '../testing/stores.js';
import { migrate, migrateDown } from './migrate.js';
import {
  enqueueOutbox, enqueueOutboxMessages, claimDueOutbox, markOutboxSent, markOutboxFailed, findOutbox, countOutboxByStatus,
  cancelOutbox, requeueOutbox, type OutboxDraft,
} from './outbox.repository.js';

const draft = (key: string, text = 'hello'): OutboxDraft => ({
  kind: 'test.note', dedupeKey: key, recipientId: 'E1', to: 'e1@example.com', subject: `s ${key}`, text, payload: { key, n: [1, 2] },
});
// After the real clock: a message enqueued without a time takes the transaction's now(), and
// must be due when the test claims at T0 + 1 h (a fixed past date made this fail once it passed).
const T0 = new Date(Math.ceil(Date.now() / 86_400_000) * 86_400_000 + 12 * 3_600_000);

forEachStore('outbox: enqueue is exactly once per dedupe key; claim, send, fail, refresh, cancel', async (_t, db) => {
  await migrate(db);
  assert.equal(await db.transaction((tx) => enqueueOutbox(tx, [draft('a'), draft('b'), draft('a')], T0)), 2);
  assert.equal(await db.transaction((tx) => enqueueOutbox(tx, [draft('a', 'changed'), draft('c')])), 1);
  let all = await findOutbox(db);
  assert.deepEqual(all.map((m) => m.dedupeKey), ['c', 'b', 'a']);
  const a = all.find((m) => m.dedupeKey === 'a')!;
  assert.equal(a.text, 'hello');
  assert.deepEqual(a.payload, { key: 'a', n: [1, 2] });
  assert.equal(a.status, 'pending');
  assert.equal(a.channel, 'mail');
  assert.equal(a.createdAt, T0.toISOString());

  // refresh replaces an undelivered message's content, never a sent one
  const r = await db.transaction((tx) => enqueueOutboxMessages(tx, [draft('a', 'changed'), draft('b'), draft('d')], { at: T0, refresh: true }));
  assert.deepEqual(r, { inserted: 1, refreshed: 1, kept: 1 });
  assert.equal((await findOutbox(db, { keyPrefix: 'a' }))[0]!.text, 'changed');

  const later = new Date(T0.getTime() + 3600_000);
  const claimed = await claimDueOutbox(db, { now: later, limit: 2, leaseMs: 60_000, channels: ['mail'] });
  assert.equal(claimed.length, 2);
  assert.ok(claimed.every((m) => m.status === 'sending' && m.attempts === 1));
  // claimed messages are leased: a second worker gets the others only
  const other = await claimDueOutbox(db, { now: later, limit: 10, leaseMs: 60_000, channels: ['mail'] });
  assert.equal(other.length, 2);
  assert.deepEqual(new Set([...claimed, ...other].map((m) => m.dedupeKey)), new Set(['a', 'b', 'c', 'd']));
  await markOutboxSent(db, claimed[0]!.id, later);
  await markOutboxFailed(db, claimed[1]!.id, later, 'boom', new Date(later.getTime() + 60_000));
  await markOutboxFailed(db, other[0]!.id, later, 'gave up', null);
  const counts = await countOutboxByStatus(db);
  assert.deepEqual(counts, { pending: 0, sending: 1, sent: 1, failed: 1, dead: 1, cancelled: 0 });
  const sentKey = claimed[0]!.dedupeKey;
  const again = await db.transaction((tx) => enqueueOutboxMessages(tx, [draft(sentKey, 'new text')], { refresh: true }));
  assert.deepEqual(again, { inserted: 0, refreshed: 0, kept: 1 });
  assert.equal(await db.transaction((tx) => cancelOutbox(tx, [sentKey, claimed[1]!.dedupeKey], later)), 1);
  const back = await requeueOutbox(db, other[0]!.id, later);
  assert.equal(back?.status, 'pending');
  assert.equal(await requeueOutbox(db, claimed[0]!.id, later), undefined);
  // an expired lease is claimable again
  const relet = await claimDueOutbox(db, { now: new Date(later.getTime() + 120_000), limit: 10, leaseMs: 60_000, channels: ['mail'] });
  assert.deepEqual(relet.map((m) => m.dedupeKey).sort(), [other[0]!.dedupeKey, other[1]!.dedupeKey].sort());
  all = await findOutbox(db, { status: 'sent' });
  assert.equal(all.length, 1);

  // down to before v3 (whatever comes after it), and up again
  for (let v = await migrateDown(db); v !== 3; v = await migrateDown(db)) assert.ok(v !== null && v > 3);
  await assert.rejects(db.query('SELECT 1 FROM outbox'));
  await migrate(db);
});

forEachStore('outbox: workers claiming at the same time get disjoint messages', async (_t, db) => {
  await migrate(db);
  await db.transaction((tx) => enqueueOutbox(tx, Array.from({ length: 30 }, (_, i) => draft(`k${String(i).padStart(2, '0')}`)), T0));
  const now = new Date(T0.getTime() + 1000);
  // On PostgreSQL each claim runs on its own pooled connection (SKIP LOCKED); PGlite serialises them.
  const claims = await Promise.all([1, 2, 3].map(() => claimDueOutbox(db, { now, limit: 12, leaseMs: 60_000, channels: ['mail'] })));
  const ids = claims.flat().map((m) => m.id);
  assert.equal(ids.length, 30);
  assert.equal(new Set(ids).size, 30);
  assert.deepEqual(await claimDueOutbox(db, { now, limit: 12, leaseMs: 60_000, channels: ['mail'] }), []);
  assert.deepEqual(await claimDueOutbox(db, { now: new Date(now.getTime() + 60_000), limit: 100, leaseMs: 60_000, channels: ['webhook'] }), []);
});

forEachStore('outbox: two transactions enqueueing the same new key at once: one inserts it, the other waits and keeps it', async (_t, db) => {
  await migrate(db);
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let entered!: () => void;
  const inFirst = new Promise<void>((resolve) => (entered = resolve));
  const first = db.transaction(async (tx) => {
    const r = await enqueueOutboxMessages(tx, [draft('same'), draft('x')], { at: T0 });
    entered();
    await held;
    return r;
  });
  await inFirst;
  const second = db.transaction((tx) => enqueueOutboxMessages(tx, [draft('same', 'other text'), draft('y')], { at: T0 }));
  // On PostgreSQL the second transaction reaches the first's lock meanwhile (PGlite runs them one after the other).
  await new Promise((resolve) => setTimeout(resolve, 300));
  release();
  assert.deepEqual(await first, { inserted: 2, refreshed: 0, kept: 0 });
  assert.deepEqual(await second, { inserted: 1, refreshed: 0, kept: 1 });
  const all = await findOutbox(db);
  assert.deepEqual(all.map((m) => m.dedupeKey).sort(), ['same', 'x', 'y']);
  assert.equal(all.find((m) => m.dedupeKey === 'same')!.text, 'hello');
});

forEachStore('outbox: a new message is stored exactly as drafted (quotes, commas, new lines, no recipient, no payload)', async (_t, db) => {
  await migrate(db);
  const odd: OutboxDraft = {
    kind: 'test.note', dedupeKey: 'odd,"key"', channel: 'webhook', recipientId: null, to: ' label ', subject: '',
    text: 'line 1\n\\.\n"quoted", comma\r\nlast', payload: null,
  };
  const r = await db.transaction((tx) => enqueueOutboxMessages(tx, [odd, draft('plain')]));
  assert.deepEqual(r, { inserted: 2, refreshed: 0, kept: 0 });
  const [m] = await findOutbox(db, { keyPrefix: 'odd' });
  assert.ok(m);
  assert.deepEqual(
    { kind: m.kind, dedupeKey: m.dedupeKey, channel: m.channel, recipientId: m.recipientId, to: m.to, subject: m.subject, text: m.text, payload: m.payload },
    { kind: odd.kind, dedupeKey: odd.dedupeKey, channel: 'webhook', recipientId: null, to: ' label ', subject: '', text: odd.text, payload: null },
  );
  // Without a time, the transaction's own (as the database's now()).
  assert.ok(Math.abs(Date.parse(m.createdAt) - Date.now()) < 60_000);
  assert.equal(m.nextAttemptAt, m.createdAt);
});
