/**
 * Manager digests end to end on both stores: evaluation writes them to the outbox in its own
 * transaction, exactly once per manager and week; the worker delivers them to a real SMTP server
 * started here (smtp-server), retries with backoff, and posts signed webhooks.
 */
import { deleteBadgeEvents } from '../store/badge.repository.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startSmtp, startWebhook } from '../testing/mail-servers.js';
import { refused } from '../testing/workflows.js';
import { forEachStore } from '../testing/stores.js';
import { writeFixtures } from '../testing/fixtures.js';
import { migrate } from '../store/migrate.js';
import type { Db } from '../store/db.js';
import type { Clock, Deps } from './deps.js';
import { importFile } from './import-file.js';
import { applyPolicy } from './apply-policy.js';
import { evaluateWeeks } from './evaluate-weeks.js';
import { evaluateChanged } from './evaluate-changed.js';
import { enqueueDigestsForWeek, DIGEST_KIND } from './digests.js';
import { deliverOutbox, backoffMs, type SmtpConfig } from './deliver-outbox.js';
import { enqueueOutbox, findOutbox, countOutboxByStatus, type OutboxDraft } from '../store/outbox.repository.js';
import { OPERATOR, type Actor } from '../engine/org.js';
import type { IsoWeek, LocalDate } from '../engine/dates.js';

const d = (s: string) => s as LocalDate;

/** A clock the test moves. */
function movableClock(iso: string): Clock & { set(iso: string): void; advance(ms: number): void } {
  let at = new Date(iso);
  return {
    now: () => at,
    today: () => at.toISOString().slice(0, 10) as LocalDate,
    set: (s) => { at = new Date(s); },
    advance: (ms) => { at = new Date(at.getTime() + ms); },
  };
}

async function setup(db: Db, clockAt = '2026-11-30T12:00:00Z') {
  await migrate(db);
  const clock = movableClock(clockAt);
  const deps: Deps = { db, clock, log: () => undefined };
  const fx = writeFixtures();
  for (const kind of ['offices', 'holidays', 'employees', 'leave', 'badges'] as const) await importFile(deps, { kind, file: fx[kind] });
  await applyPolicy(deps, { file: fx.policy });
  return { deps, clock, fx };
}

const evaluate = (deps: Deps) => evaluateWeeks(deps, { from: d('2026-11-16'), to: d('2026-11-29') });

const smtpAt = (port: number): SmtpConfig => ({ host: '127.0.0.1', port, secure: false, from: 'hubday <hubday@example.com>', timeoutMs: 5_000 });

// ---------------------------------------------------------------------------

forEachStore('digests: evaluation enqueues one per manager and week, re-runs never a second; delivered over SMTP once', async (_t, db) => {
  const { deps, clock } = await setup(db);
  const s = await evaluate(deps);
  assert.equal(s.byStatus.non_compliant > 0, true);
  let all = await findOutbox(db, { kind: DIGEST_KIND });
  // W48: E100 is out (1 of 2); V1 too, but has no manager. M1 (on leave) is excused.
  assert.deepEqual(all.map((m) => [m.dedupeKey, m.recipientId, m.to, m.status]), [['digest:M1:2026-W48', 'M1', 'm1@example.com', 'pending']]);
  const payload = all[0]!.payload as any;
  assert.deepEqual(payload.counts, { direct: 1, indirect: 0 });
  assert.deepEqual(payload.reports.map((r: any) => [r.employeeId, r.present, r.required, r.newly, r.trend.statuses]), [
    ['E100', 1, 2, true, [null, null, 'compliant', 'non_compliant']],
  ]);

  // Re-running the evaluation (whole range, or just changed pairs) does not make a second digest.
  await evaluate(deps);
  await db.query(`INSERT INTO dirty_week (employee_id, week_start) VALUES ('E100', '2026-11-23')`);
  await evaluateChanged(deps);
  all = await findOutbox(db, { kind: DIGEST_KIND });
  assert.equal(all.length, 1);
  assert.equal(all[0]!.createdAt, '2026-11-30T12:00:00.000Z');

  // Deliver to a real SMTP server.
  const smtp = await startSmtp();
  try {
    clock.advance(60_000);
    const r = await deliverOutbox(deps, OPERATOR, { smtp: smtpAt(smtp.port) });
    assert.deepEqual([r.claimed, r.sent, r.failed, r.dead], [1, 1, 0, 0]);
    assert.equal(smtp.inbox.length, 1);
    const mail = smtp.inbox[0]!;
    assert.deepEqual(mail.to, ['m1@example.com']);
    assert.equal(mail.from, 'hubday@example.com');
    assert.equal(mail.subject, 'hubday weekly digest 2026-W48: 1 person on your team out of compliance');
    assert.equal(mail.headers.get('x-hubday-dedupe-key'), 'digest:M1:2026-W48');
    const lines = mail.body.split('\n');
    assert.equal(lines[0], 'Hello Mina Moss,');
    assert.ok(lines.includes('In week 2026-W48 (2026-11-23 to 2026-11-29), 1 person on your team'), mail.body);
    assert.ok(lines.some((l) => /^ {2}Ada Byron \(E100\) +1 of 2 +newly out +\? \? C N +worsening$/.test(l)), mail.body);
    assert.ok(lines.includes('  hubday team M1 --week 2026-W48 --as M1'), mail.body);
    assert.doesNotMatch(mail.body, /parental|pto|Thanksgiving/i, 'no leave kinds or reasons in a digest');
    const sent = (await findOutbox(db, { kind: DIGEST_KIND }))[0]!;
    assert.equal(sent.status, 'sent');
    assert.equal(sent.attempts, 1);
    assert.equal(sent.sentAt, '2026-11-30T12:01:00.000Z');

    // Nothing more to deliver; a re-run that changes the week does not re-send a sent digest.
    assert.equal((await deliverOutbox(deps, OPERATOR, { smtp: smtpAt(smtp.port) })).claimed, 0);
    await db.query(`INSERT INTO attestation (employee_id, day, office_id, reference) VALUES ('E100', '2026-11-25', 'SEA1', 'test')`);
    await evaluate(deps);
    const after = await findOutbox(db, { kind: DIGEST_KIND });
    assert.deepEqual(after.map((m) => [m.status, m.text === sent.text]), [['sent', true]]);
    clock.advance(3_600_000);
    assert.equal((await deliverOutbox(deps, OPERATOR, { smtp: smtpAt(smtp.port) })).claimed, 0);
    assert.equal(smtp.inbox.length, 1);
  } finally {
    await smtp.close();
  }
});

forEachStore('digests: indirect reach per policy, refresh and withdrawal before delivery, managers without email, the explicit command', async (_t, db) => {
  const { deps, fx } = await setup(db);
  // A new version of the policy lists people to every manager above them.
  await applyPolicy(deps, { file: fx.write('rto-3-v2.json', JSON.stringify({ ...JSON.parse(readFileSync(fx.policy, 'utf8')), digest: { indirect: true } })) });
  await evaluate(deps);
  let all = await findOutbox(db, { kind: DIGEST_KIND });
  assert.deepEqual(all.map((m) => m.dedupeKey).sort(), ['digest:M1:2026-W48', 'digest:V1:2026-W48']);
  const v1 = all.find((m) => m.recipientId === 'V1')!;
  assert.deepEqual((v1.payload as any).reports.map((r: any) => [r.employeeId, r.relation, r.managerId]), [['E100', 'indirect', 'M1']]);
  assert.match(v1.text, /Indirect reports \(1\)/);

  // A re-run that puts E100 in compliance before delivery withdraws both pending digests…
  await db.query(`INSERT INTO attestation (employee_id, day, office_id, reference) VALUES ('E100', '2026-11-25', 'SEA1', 'test')`);
  await evaluate(deps);
  all = await findOutbox(db, { kind: DIGEST_KIND });
  assert.deepEqual(all.map((m) => m.status), ['cancelled', 'cancelled']);
  // …and one that puts them out again brings the same two messages back, with fresh content.
  await db.query(`DELETE FROM attestation WHERE employee_id = 'E100'`);
  await db.query(`UPDATE employee SET email = '' WHERE employee_id = 'V1'`);
  await evaluate(deps);
  all = await findOutbox(db, { kind: DIGEST_KIND });
  assert.deepEqual(all.map((m) => [m.dedupeKey, m.status]).sort(), [['digest:M1:2026-W48', 'pending'], ['digest:V1:2026-W48', 'cancelled']]);

  // The explicit command: for an older complete week (not digested by the evaluation), audited.
  assert.equal(await deleteBadgeEvents(db, 'E100', ['a5', 'a6']), 2); // E100 out in W47 too
  await evaluate(deps);
  assert.equal((await findOutbox(db, { keyPrefix: 'digest:' })).length, 2, 'the evaluation digests only the week just ended');
  const m1 = (await findOutbox(db, { keyPrefix: 'digest:M1:' }))[0]!;
  assert.match(m1.text, /Ada Byron \(E100\) +1 of 2 +2 weeks in a row +\? \? N N/, 'a pending digest is refreshed');
  const w47 = { week: '2026-W47' as IsoWeek, monday: d('2026-11-16') };
  const s = await enqueueDigestsForWeek(deps, OPERATOR, w47);
  assert.deepEqual([s.week, s.digests, s.enqueued, s.withoutEmail], ['2026-W47', 2, 1, ['V1']]);
  const again = await enqueueDigestsForWeek(deps, OPERATOR, w47);
  assert.equal(again.enqueued, 0);
  assert.equal((await findOutbox(db, { keyPrefix: 'digest:' })).filter((m) => m.dedupeKey.endsWith('2026-W47')).length, s.enqueued);
  const audit = await db.query<{ action: string; subject: string }>(`SELECT action, subject FROM audit_entry WHERE action = 'digest.enqueued'`);
  assert.deepEqual(audit.map((a) => a.subject), ['week:2026-W47', 'week:2026-W47']);
  await refused(enqueueDigestsForWeek(deps, OPERATOR, { week: '2026-W49' as IsoWeek, monday: d('2026-11-30') }), 'week_not_complete', 'conflict');
  await refused(enqueueDigestsForWeek(deps, OPERATOR, { week: '2026-W40' as IsoWeek, monday: d('2026-09-28') }), 'week_not_evaluated', 'conflict');
  const e100: Actor = { id: 'E100', kind: 'person', roles: [] };
  await refused(enqueueDigestsForWeek(deps, e100, w47), 'not_admin_or_hr', 'forbidden');
  await refused(deliverOutbox(deps, e100, { smtp: smtpAt(1) }), 'not_admin_or_hr', 'forbidden');
});

forEachStore('delivery: a rejecting or absent SMTP server → failed with backoff, then sent once; dead after the last attempt; signed webhook', async (_t, db) => {
  await migrate(db);
  const clock = movableClock('2026-11-30T12:00:00Z');
  const deps: Deps = { db, clock, log: () => undefined };
  const draft = (n: number): OutboxDraft => ({
    kind: 'test.notice', dedupeKey: `test:${n}`, recipientId: `E${n}`, to: `e${n}@example.com`, subject: `Notice ${n}`, text: `Line one\nRémi ${n}\n`, payload: { n },
  });
  await db.transaction((tx) => enqueueOutbox(tx, [draft(1), draft(2)], clock.now()));
  const smtp = await startSmtp();
  try {
    // The server refuses the first recipient (451): that message fails and waits; the other goes.
    smtp.rejectNext = 1;
    let r = await deliverOutbox(deps, OPERATOR, { smtp: smtpAt(smtp.port) });
    assert.deepEqual([r.sent, r.failed, r.dead], [1, 1, 0]);
    const failed = r.results.find((x) => x.status === 'failed')!;
    assert.match(failed.error!, /^smtp: .*451.*try again later/);
    assert.equal(failed.nextAttemptAt, new Date(clock.now().getTime() + backoffMs(1)).toISOString());
    let row = (await findOutbox(db, { status: 'failed' }))[0]!;
    assert.equal(row.attempts, 1);
    assert.match(row.lastError!, /451/);
    // Not due yet: nothing happens; once due, it is sent, and only once.
    clock.advance(backoffMs(1) - 1000);
    assert.equal((await deliverOutbox(deps, OPERATOR, { smtp: smtpAt(smtp.port) })).claimed, 0);
    clock.advance(1000);
    r = await deliverOutbox(deps, OPERATOR, { smtp: smtpAt(smtp.port) });
    assert.deepEqual([r.sent, r.failed], [1, 0]);
    assert.deepEqual(smtp.inbox.map((m) => m.to[0]).sort(), ['e1@example.com', 'e2@example.com']);
    assert.ok(smtp.inbox.every((m) => m.body.startsWith('Line one\nRémi ')));
    assert.deepEqual(await countOutboxByStatus(db), { pending: 0, sending: 0, sent: 2, failed: 0, dead: 0, cancelled: 0 });
  } finally {
    await smtp.close();
  }

  // A server that is down: failed, the delay doubles at each attempt, dead after maxAttempts.
  await db.transaction((tx) => enqueueOutbox(tx, [draft(3)], clock.now()));
  const down = smtpAt(smtp.port); // closed above
  const opts = { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 1500 };
  let r = await deliverOutbox(deps, OPERATOR, { smtp: down }, opts);
  assert.deepEqual([r.failed, r.results[0]!.nextAttemptAt], [1, new Date(clock.now().getTime() + 1000).toISOString()]);
  assert.match(r.results[0]!.error!, /^smtp: .*(ECONNREFUSED|connect)/);
  clock.advance(1000);
  r = await deliverOutbox(deps, OPERATOR, { smtp: down }, opts);
  assert.deepEqual([r.failed, r.results[0]!.nextAttemptAt], [1, new Date(clock.now().getTime() + 1500).toISOString()]); // capped
  clock.advance(1500);
  r = await deliverOutbox(deps, OPERATOR, { smtp: down }, opts);
  assert.deepEqual([r.dead, r.results[0]!.attempts], [1, 3]);
  clock.advance(3_600_000);
  assert.equal((await deliverOutbox(deps, OPERATOR, { smtp: down }, opts)).claimed, 0, 'a dead message is not retried');

  // The webhook: signed, retried on its own without mailing twice.
  const hook = await startWebhook('s3cret');
  const smtp2 = await startSmtp();
  try {
    await db.transaction((tx) => enqueueOutbox(tx, [draft(4)], clock.now()));
    hook.failNext = 1;
    const config = { smtp: smtpAt(smtp2.port), webhook: { url: `http://127.0.0.1:${hook.port}/hooks/hubday`, secret: 's3cret' } };
    r = await deliverOutbox(deps, OPERATOR, config);
    assert.deepEqual([r.sent, r.failed], [0, 1]);
    assert.match(r.results[0]!.error!, /^webhook: HTTP 503/);
    assert.equal(smtp2.inbox.length, 1, 'the mail leg went through');
    clock.advance(backoffMs(1));
    r = await deliverOutbox(deps, OPERATOR, config);
    assert.deepEqual([r.sent, r.failed], [1, 0]);
    assert.equal(smtp2.inbox.length, 1, 'the retry did not mail again');
    assert.equal(hook.received.length, 2);
    for (const h of hook.received) assert.equal(h.valid, true, 'the signature verifies');
    const body = JSON.parse(hook.received[1]!.body);
    assert.deepEqual([body.kind, body.dedupeKey, body.recipientId, body.payload], ['test.notice', 'test:4', 'E4', { n: 4 }]);
    assert.equal(hook.received[1]!.timestamp, String(Math.floor(clock.now().getTime() / 1000)));
    assert.equal((await findOutbox(db, { recipientId: 'E4' }))[0]!.status, 'sent');
  } finally {
    await hook.close();
    await smtp2.close();
  }
});

forEachStore('a partial re-evaluation marks the week; its digests are rebuilt just before delivery', async (_t, db) => {
  const { deps, clock } = await setup(db);
  await evaluate(deps);
  assert.deepEqual((await findOutbox(db, { kind: DIGEST_KIND })).map((m) => [m.dedupeKey, m.status]), [['digest:M1:2026-W48', 'pending']]);
  // An approved claim puts E100 in compliance; only that pair is re-evaluated.
  await db.query(`INSERT INTO attestation (employee_id, day, office_id, reference) VALUES ('E100', '2026-11-25', 'SEA1', 'test')`);
  await db.query(`INSERT INTO dirty_week (employee_id, week_start) VALUES ('E100', '2026-11-23')`);
  await evaluateChanged(deps);
  assert.deepEqual(await db.query(`SELECT week_start FROM digest_refresh`), [{ week_start: '2026-11-23' }]);
  assert.equal((await findOutbox(db, { kind: DIGEST_KIND }))[0]!.status, 'pending', 'not rebuilt inside the partial run');
  const smtp = await startSmtp();
  try {
    clock.advance(60_000);
    const r = await deliverOutbox(deps, OPERATOR, { smtp: smtpAt(smtp.port) });
    assert.equal(r.sent, 0, 'the stale digest is withdrawn before delivery, never sent');
    assert.equal(smtp.inbox.length, 0);
  } finally {
    await smtp.close();
  }
  assert.deepEqual((await findOutbox(db, { kind: DIGEST_KIND })).map((m) => m.status), ['cancelled']);
  assert.deepEqual(await db.query(`SELECT week_start FROM digest_refresh`), []);
});

forEachStore('digests built from what the evaluation computed equal those read back from the store', async (_t, db) => {
  const { deps } = await setup(db);
  // Every statement of the evaluation, to see that it did not read the digests back.
  const statements: string[] = [];
  const spy = (x: Db): Db => new Proxy(x, {
    get(target, key) {
      const v = (target as unknown as Record<PropertyKey, unknown>)[key];
      if (key === 'query') return (sql: string, params?: unknown[]) => (statements.push(sql), target.query(sql, params));
      if (key === 'transaction') return <T>(fn: (tx: Db) => Promise<T>) => target.transaction((tx) => fn(spy(tx)));
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  const spied: Deps = { ...deps, db: spy(db) };
  for (const threads of [0, 2]) {
    await db.exec(`DELETE FROM outbox`);
    statements.length = 0;
    // Ten weeks: the digest week (W48) and its seven weeks of history are all computed in this run.
    await evaluateWeeks(spied, { from: d('2026-09-21'), to: d('2026-11-29'), threads });
    assert.ok(!statements.some((s) => s.includes("status = 'non_compliant'")), `threads ${threads}: the people out were not read back`);
    const built = await findOutbox(db, { kind: DIGEST_KIND });
    assert.ok(built.length >= 1, `threads ${threads}`);
    // The same week's digests built from the store are the same messages, byte for byte.
    const fromStore = await enqueueDigestsForWeek(deps, OPERATOR, { week: '2026-W48' as IsoWeek, monday: d('2026-11-23') });
    assert.deepEqual([fromStore.digests, fromStore.enqueued, fromStore.refreshed, fromStore.cancelled, fromStore.unchanged], [built.length, 0, 0, 0, built.length], `threads ${threads}`);
  }
  // A range that does not hold the whole history reads it from the store, as before.
  statements.length = 0;
  await evaluateWeeks(spied, { from: d('2026-11-16'), to: d('2026-11-29') });
  assert.ok(statements.some((s) => s.includes("status = 'non_compliant'")));
});

forEachStore('on a generated company, the digests of an evaluation equal those built from the store', async (_t, db) => {
  await migrate(db);
  const deps: Deps = { db, clock: movableClock('2026-11-25T12:00:00Z'), log: () => undefined };
  const { generateCompany } = await import('../demo/generate-company.js');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const dir = mkdtempSync('/tmp/hubday-digests-');
  try {
    const c = await generateCompany({ employees: 400, weeks: 10, lastWeekMonday: '2026-11-16', seed: 11, outDir: dir });
    for (const kind of ['offices', 'holidays', 'employees', 'leave', 'badges'] as const) await importFile(deps, { kind, file: c.files[kind] });
    for (const p of c.files.policies) await applyPolicy(deps, { file: p });
    for (const threads of [0, 2]) {
      await db.exec(`DELETE FROM outbox`);
      // Ten weeks: the digest week's history is computed in this run.
      await evaluateWeeks(deps, { from: c.from as LocalDate, to: c.to as LocalDate, threads });
      const built = await findOutbox(db, { kind: DIGEST_KIND });
      assert.ok(built.length >= 10, `${built.length} digests`);
      const fromStore = await enqueueDigestsForWeek(deps, OPERATOR, { week: '2026-W47' as IsoWeek, monday: d('2026-11-16') });
      assert.deepEqual([fromStore.digests, fromStore.enqueued, fromStore.refreshed, fromStore.cancelled], [built.length, 0, 0, 0], `threads ${threads}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
