/**
 * The outbox commands as a user runs them (in process, on the embedded store): digest,
 * outbox list / show / deliver / retry, their refusals and the delivery settings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from './main.js';
import type { Io } from './context.js';
import { tempDir } from '../testing/stores.js';
import { writeFixtures, BADGES_CSV } from '../testing/fixtures.js';
import { startSmtp } from '../testing/mail-servers.js';
import { deliveryConfigFromEnv } from './commands/outbox.js';
import { HubdayError } from '../errors.js';

function runner(env: Record<string, string | undefined>) {
  const data = tempDir('hubday-outbox-cli-');
  return async (args: string[], extraEnv: Record<string, string> = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), env: { ...env, ...extraEnv }, cwd: data };
    const code = await main(['--data', data, ...args], io);
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
}

test('hubday digest and hubday outbox, end to end against a real SMTP server', async () => {
  const hubday = runner({});
  // E100 misses a day in 2026-W47, so that week has someone out of compliance with a manager.
  const fx = writeFixtures({ badges: BADGES_CSV.split('\n').filter((l) => !/^a[56],/.test(l)).join('\n') });
  for (const kind of ['offices', 'holidays', 'employees', 'leave', 'badges']) {
    assert.equal((await hubday(['import', kind, (fx as any)[kind]])).code, 0);
  }
  assert.equal((await hubday(['policy', 'apply', fx.policy])).code, 0);
  const evaluated = await hubday(['evaluate', '--from', '2026-11-16', '--to', '2026-11-22']);
  assert.equal(evaluated.code, 0);
  assert.match(evaluated.out, /^evaluated 1 week \(2026-11-16 to 2026-11-22\) for /m);

  // Explicitly (whether or not the evaluation already did it for the week just ended): still one.
  let r = await hubday(['digest', '--week', '2026-W47']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^digests 2026-W47: 2 out of compliance, 1 manager; [01] new, 0 updated, [01] unchanged \(hubday outbox list --kind digest.weekly\)$/);
  r = await hubday(['digest', '--week', '2026-W47', '--json']);
  const s = JSON.parse(r.out);
  assert.deepEqual([s.week, s.enqueued, s.digests, s.unchanged], ['2026-W47', 0, 1, 1]);

  r = await hubday(['outbox', 'list']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^outbox: 1 pending, 0 sending, 0 sent, 0 failed, 0 dead, 0 cancelled$/m);
  assert.match(r.out, /digest\.weekly +digest:M1:2026-W47 +m1@example\.com +pending +0 +due /);
  r = await hubday(['outbox', 'list', '--json']);
  const listed = JSON.parse(r.out);
  assert.equal(listed.scope, 'all');
  const id: number = listed.messages[0].id;
  assert.equal(listed.messages[0].dedupeKey, 'digest:M1:2026-W47');

  // Delivery settings: clear errors when SMTP is not configured.
  r = await hubday(['outbox', 'deliver']);
  assert.equal(r.code, 2);
  assert.match(r.err, /SMTP is not configured: set HUBDAY_SMTP_HOST and HUBDAY_SMTP_FROM/);
  r = await hubday(['outbox', 'deliver'], { HUBDAY_SMTP_HOST: '127.0.0.1' });
  assert.match(r.err, /HUBDAY_SMTP_FROM is not set/);

  const smtp = await startSmtp();
  try {
    const env = { HUBDAY_SMTP_HOST: '127.0.0.1', HUBDAY_SMTP_PORT: String(smtp.port), HUBDAY_SMTP_FROM: 'hubday <hubday@example.com>' };
    smtp.rejectNext = 1;
    r = await hubday(['outbox', 'deliver'], env);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^delivery pass: 1 message: 0 sent, 1 failed \(will retry\), 0 dead \(gave up\)$/m);
    assert.match(r.out, new RegExp(`#${id} m1@example.com: failed after attempt 1: smtp: .*451.*; next attempt `));
    r = await hubday(['outbox', 'list', '--status', 'failed']);
    assert.match(r.out, /failed +1 +retry /);
    r = await hubday(['outbox', 'retry', String(id)]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /is pending again after 1 attempts/);
    r = await hubday(['outbox', 'deliver', '--json'], env);
    assert.deepEqual(JSON.parse(r.out).sent, 1);
    assert.equal(smtp.inbox.length, 1);
    assert.deepEqual(smtp.inbox[0]!.to, ['m1@example.com']);
    assert.match(smtp.inbox[0]!.body, /Ada Byron \(E100\) +2 of 3 +newly out/);
    r = await hubday(['outbox', 'deliver', '--watch', '--passes', '2', '--interval', '1'], env);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /stopped: 0 sent, 0 failed, 0 dead in all/);
    assert.equal(smtp.inbox.length, 1, 'sent once');
  } finally {
    await smtp.close();
  }

  r = await hubday(['outbox', 'show', String(id)]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^status: +sent after 2 attempts$/m);
  assert.match(r.out, /^Hello Mina Moss,$/m);
  r = await hubday(['outbox', 'show', String(id), '--json']);
  assert.equal(JSON.parse(r.out).payload.reports[0].employeeId, 'E100');

  // Refusals: a sent message is never retried; people see only their own messages.
  r = await hubday(['outbox', 'retry', String(id)]);
  assert.equal(r.code, 1);
  assert.match(r.err, /^hubday: refused \(not_retryable\): message \d+ is sent: only a dead, failed or cancelled message can be retried/);
  r = await hubday(['outbox', 'list', '--as', 'M1']);
  assert.match(r.out, /^outbox \(your messages\): 0 pending, 0 sending, 1 sent/);
  r = await hubday(['outbox', 'list', '--as', 'E100']);
  assert.match(r.out, /no messages match/);
  r = await hubday(['outbox', 'show', String(id), '--as', 'E100']);
  assert.equal(r.code, 2);
  r = await hubday(['outbox', 'deliver', '--as', 'E100', '--json'], { HUBDAY_SMTP_HOST: 'x', HUBDAY_SMTP_FROM: 'y' });
  assert.equal(r.code, 1);
  assert.equal(JSON.parse(r.err).error.reason, 'not_admin_or_hr');
  r = await hubday(['digest', '--week', '2026-W47', '--as', 'M1']);
  assert.match(r.err, /refused \(not_admin_or_hr\)/);
  r = await hubday(['digest', '--week', '2030-W01']);
  assert.match(r.err, /refused \(week_not_complete\)/);
  r = await hubday(['outbox', 'list', '--status', 'lost']);
  assert.equal(r.code, 2);
  assert.match(r.err, /--status must be one of pending, sending, sent, failed, dead, cancelled/);
});

test('delivery settings from the environment', () => {
  const err = (env: Record<string, string>) => {
    try {
      deliveryConfigFromEnv(env);
    } catch (e) {
      assert.ok(e instanceof HubdayError);
      return e.message;
    }
    return assert.fail('expected an error');
  };
  assert.deepEqual(deliveryConfigFromEnv({ HUBDAY_SMTP_HOST: 'mail', HUBDAY_SMTP_FROM: 'a@b' }), { smtp: { host: 'mail', port: 587, secure: false, from: 'a@b' } });
  assert.deepEqual(deliveryConfigFromEnv({ HUBDAY_SMTP_HOST: 'mail', HUBDAY_SMTP_FROM: 'a@b', HUBDAY_SMTP_SECURE: 'true', HUBDAY_SMTP_USER: 'u', HUBDAY_SMTP_PASSWORD: 'p' }),
    { smtp: { host: 'mail', port: 465, secure: true, from: 'a@b', user: 'u', password: 'p' } });
  assert.deepEqual(deliveryConfigFromEnv({ HUBDAY_WEBHOOK_URL: 'https://x.example/h', HUBDAY_WEBHOOK_SECRET: 's' }), { webhook: { url: 'https://x.example/h', secret: 's' } });
  assert.match(err({ HUBDAY_SMTP_HOST: 'mail', HUBDAY_SMTP_FROM: 'a@b', HUBDAY_SMTP_PORT: 'x' }), /HUBDAY_SMTP_PORT must be a port number/);
  assert.match(err({ HUBDAY_SMTP_HOST: 'mail', HUBDAY_SMTP_FROM: 'a@b', HUBDAY_SMTP_SECURE: 'maybe' }), /HUBDAY_SMTP_SECURE must be true or false/);
  assert.match(err({ HUBDAY_SMTP_HOST: 'mail', HUBDAY_SMTP_FROM: 'a@b', HUBDAY_SMTP_USER: 'u' }), /HUBDAY_SMTP_PASSWORD is not/);
  assert.match(err({ HUBDAY_WEBHOOK_URL: 'https://x.example/h' }), /webhooks are always signed/);
  assert.match(err({ HUBDAY_WEBHOOK_URL: 'ftp://x', HUBDAY_WEBHOOK_SECRET: 's' }), /must be an http\(s\) URL/);
});
