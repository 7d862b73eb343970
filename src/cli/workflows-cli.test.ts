/**
 * Issue 4's "Done when", end to end, as a user runs it: the real CLI (bin/hubday, one process per
 * command) on the demo company, on both stores. Every workflow is walked from the command line,
 * the refusals are checked for their codes, the weekly digests are delivered to a real SMTP
 * server started here (exactly one per manager and week, also after a re-evaluation), and
 * `hubday audit verify` passes on the untouched log and names the entry once one is edited.
 *
 * The demo is seeded but its "today" is the real clock: people, ids and dates are all read from
 * the commands' --json output, never hard-coded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase, tempDir } from '../testing/stores.js';
import { startSmtp } from '../testing/mail-servers.js';
import { openPgliteDb } from '../store/pglite-db.js';
import { type LocalDate, addDays as addLocalDays, isoWeekOf as isoWeekOfDate } from '../engine/dates.js';

const BIN = fileURLToPath(new URL('../../bin/hubday', import.meta.url));

interface Result { code: number; out: string; err: string }

interface Store {
  name: string;
  /** Arguments before the command (`--data DIR` for the embedded store). */
  prefix: string[];
  env: Record<string, string>;
  /** Runs SQL on the store directly (after the CLI has exited). */
  sql(statement: string): Promise<void>;
  drop(): Promise<void>;
}

/**
 * Node's process warnings (`(node:PID) DeprecationWarning: …` and its `(Use \`node --trace-…` hint).
 * They are taken out of stderr before the output is checked, and collected so that a separate
 * subtest asserts that no command printed one: a warning on stderr breaks a `--json` error for scripts.
 */
const NODE_WARNING = /^\(node:\d+\) \w*Warning: .*\n(?:\(Use `node --trace-.*\n)?/gm;

/** Runs the real CLI as a child process, without blocking this process (the SMTP server lives here). */
function hubday(store: Store, args: string[], extraEnv: Record<string, string> = {}, warnings?: string[]): Promise<Result> {
  const env: Record<string, string | undefined> = { ...process.env, ...store.env, ...extraEnv };
  if (!store.env.DATABASE_URL) delete env.DATABASE_URL;
  delete env.HUBDAY_ACTOR;
  for (const k of Object.keys(env)) if (k.startsWith('HUBDAY_SMTP_') || k.startsWith('HUBDAY_WEBHOOK_')) if (!(k in extraEnv)) delete env[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...store.prefix, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8');
      for (const w of stderr.match(NODE_WARNING) ?? []) warnings?.push(`hubday ${args.join(' ')}: ${w.split('\n')[0]}`);
      resolve({ code: code ?? -1, out: Buffer.concat(out).toString('utf8'), err: stderr.replace(NODE_WARNING, '') });
    });
  });
}

const addDays = (day: string, n: number): string => addLocalDays(day as LocalDate, n);
const isoWeekOf = (monday: string): string => isoWeekOfDate(monday as LocalDate);

/** Walks every workflow on one store; Node warnings printed by the commands are collected in `warnings`. */
async function walk(store: Store, warnings: string[]): Promise<void> {
  const cmd = (args: string[], extraEnv?: Record<string, string>) => hubday(store, args, extraEnv, warnings);
  const ok = async (args: string[], extraEnv?: Record<string, string>): Promise<string> => {
    const r = await cmd(args, extraEnv);
    assert.equal(r.code, 0, `hubday ${args.join(' ')} failed (${r.code}): ${r.err}`);
    return r.out;
  };
  const json = async <T = any>(args: string[], extraEnv?: Record<string, string>): Promise<T> => JSON.parse(await ok([...args, '--json'], extraEnv)) as T;
  /**
   * A refusal: exit 1, nothing on stdout, and on stderr `hubday: refused (REASON): …` (text) or,
   * with --json, `{"error":{"code","reason","message"}}`. Returns the message.
   */
  const refused = async (args: string[], reason: string, code: 'forbidden' | 'conflict', form: 'text' | 'json' | 'both' = 'json'): Promise<string> => {
    let message = '';
    if (form !== 'json') {
      const r = await cmd(args);
      assert.equal(r.code, 1, `hubday ${args.join(' ')}: expected a refusal (${reason}), got exit ${r.code}: ${r.out}${r.err}`);
      const m = new RegExp(`^hubday: refused \\(${reason}\\): (\\S.*)\\n$`).exec(r.err);
      assert.ok(m, `hubday ${args.join(' ')}: expected "hubday: refused (${reason}): …" on stderr, got: ${r.err}`);
      assert.equal(r.out, '', 'a refusal prints nothing on stdout');
      message = m[1]!;
    }
    if (form !== 'text') {
      const j = await cmd([...args, '--json']);
      assert.equal(j.code, 1, `hubday ${args.join(' ')} --json: expected a refusal (${reason}), got exit ${j.code}: ${j.out}${j.err}`);
      const e = JSON.parse(j.err).error;
      assert.deepEqual([e.code, e.reason], [code, reason], `hubday ${args.join(' ')} --json: ${j.err}`);
      assert.equal(j.out, '', 'a refusal prints nothing on stdout');
      if (message) assert.equal(e.message, message, 'the same message in text and JSON');
      message = e.message;
    }
    assert.ok(message.length > 30, `a clear message: ${message}`);
    return message;
  };

  // ── The demo company ──────────────────────────────────────────────────────────────────────────
  const demoRun = await cmd(['demo', '--employees', '300', '--weeks', '6', '--json']);
  assert.equal(demoRun.code, 0, demoRun.err);
  const demo = JSON.parse(demoRun.out);
  const hr: string[] = demo.hr;
  assert.ok(Array.isArray(hr) && hr.length >= 2, 'the demo names its HR people');
  assert.ok(Array.isArray(demo.workflows) && demo.workflows.length >= 3);
  for (const w of demo.workflows) {
    assert.equal(typeof w.name, 'string');
    assert.ok(Array.isArray(w.lines) && w.lines.length > 0, `${w.name}: lines`);
  }
  const allLines = demo.workflows.flatMap((w: { lines: string[] }) => w.lines).join('\n');
  for (const word of ['promotion', 'discipline', 'exception', 'relocation', 'dispute', 'outage', 'outbox']) assert.match(allLines, new RegExp(word));
  const HR = hr[0]!;
  const me = (id: string) => json<{ employeeId: string; managerId: string | null; asOf: string; accessedBy: { at: string; actor: string; action: string; what: string }[] }>(['me', '--as', id]);

  // People already in a seeded case are left to the steps that use those cases.
  const busy = new Set<string>(hr);

  // ── 1. Promotions ─────────────────────────────────────────────────────────────────────────────
  const pending = await json<any[]>(['promotion', 'list', '--pending', '--as', HR]);
  assert.ok(pending.length >= 2, 'the demo seeds pending nominations');
  for (const p of pending) busy.add(p.employeeId);
  const today: string = pending[0].pending.standingNow.asOf;
  // The week just ended (its Sunday before today): the demo's last evaluated week, or on a Sunday
  // (when the demo also evaluates the week ending today) the one before. Its digests are in the outbox.
  const demoMonday: string = demo.lastWeek;
  assert.ok(addDays(demoMonday, 6) <= today && today <= addDays(demoMonday, 13), `today ${today} is in the week after the demo's last week ${demoMonday}`);
  const lastMonday = addDays(demoMonday, 6) < today ? demoMonday : addDays(demoMonday, -7);
  const lastWeek = isoWeekOf(lastMonday);
  const lastSunday = addDays(lastMonday, 6);
  let target: { p: any; skip: string } | undefined;
  for (const p of pending.filter((x) => x.pending.rule === 'vp_or_above' && !x.standingAtNomination.goodStanding)) {
    // The nominator is the manager; their manager is the skip level.
    const skip = (await me(p.nominatedBy)).managerId;
    if (skip && skip !== p.pending.vp && !hr.includes(skip)) {
      target = { p, skip };
      break;
    }
  }
  assert.ok(target, 'a nomination not in good standing whose skip level is not the VP');
  const { p: nomination, skip } = target;
  const pid: string = nomination.promotionId;
  let msg = await refused(['promotion', 'approve', pid, '--as', skip], 'approver_not_vp', 'forbidden', 'both');
  assert.match(msg, new RegExp(`^${nomination.employeeId} is not in good standing .*only ${nomination.pending.vp} \\(the VP\\) or someone above them.*; ${skip} is not$`));
  const approved = await json(['promotion', 'approve', pid, '--as', nomination.pending.vp, '--reason', 'business-critical role']);
  assert.equal(approved.status, 'approved');
  assert.equal(approved.decision.by, nomination.pending.vp);
  assert.equal(approved.decision.rule, 'vp_or_above');
  assert.equal(approved.decision.standing.goodStanding, false, 'the standing at decision is stored with the approval');
  msg = await refused(['promotion', 'nominate', nomination.employeeId, '--to-level', String(nomination.toLevel + 1), '--reason', 'I deserve it',
    '--as', nomination.employeeId], 'self_nomination', 'forbidden', 'text');
  assert.match(msg, new RegExp(`^${nomination.employeeId} may not nominate themself`));

  // ── 2. Discipline ─────────────────────────────────────────────────────────────────────────────
  const cases = await json<any[]>(['discipline', 'list', '--as', HR]);
  for (const c of cases) busy.add(c.employeeId);
  const awaitingAck = cases.find((c) => !c.closed && c.steps.at(-1).acknowledgement === null && c.stage !== 'termination_eligible')
    ?? cases.find((c) => !c.closed && c.steps.at(-1).acknowledgement === null);
  assert.ok(awaitingAck, 'a warning waiting for acknowledgement');
  assert.ok(awaitingAck.next.step === null || awaitingAck.next.blockers.some((b: { reason: string }) => b.reason === 'previous_step_unacknowledged'));
  const acked = await json(['discipline', 'acknowledge', awaitingAck.caseId, '--as', awaitingAck.employeeId]);
  assert.equal(acked.steps.at(-1).acknowledgement.kind, 'acknowledged');
  assert.equal(acked.steps.at(-1).acknowledgement.by, awaitingAck.employeeId);
  if (acked.next.step) {
    // The next step is refused for the first precondition that does not hold, by its code and with its message.
    assert.ok(acked.next.blockers.length > 0, 'a step soon after a warning is blocked');
    assert.ok(!acked.next.blockers.some((b: { reason: string }) => b.reason === 'previous_step_unacknowledged'), 'the acknowledgement lifted that blocker');
    const first = acked.next.blockers[0];
    const step = acked.next.step === 'termination_eligible'
      ? ['discipline', 'escalate', awaitingAck.caseId]
      : ['discipline', 'warn', awaitingAck.employeeId, '--step', acked.next.step];
    const m = await refused([...step, '--reason', 'no improvement', '--as', awaitingAck.steps.at(-1).by], first.reason, 'conflict', 'text');
    assert.equal(m, first.message);
  }
  // A written warning waiting for the HR review: escalation is refused until HR has reviewed it.
  const atWritten = cases.find((c) => !c.closed && c.stage === 'written_warning');
  assert.ok(atWritten, 'a written warning');
  assert.ok(atWritten.next.blockers.some((b: { reason: string }) => b.reason === 'hr_review_required'));
  const stepTaker: string = atWritten.steps.at(-1).by;
  await refused(['discipline', 'escalate', atWritten.caseId, '--reason', 'no improvement', '--as', stepTaker], atWritten.next.blockers[0].reason, 'conflict');
  const reviewer = hr.find((h) => h !== stepTaker && h !== atWritten.employeeId)!;
  const reviewed = await json(['discipline', 'hr-review', atWritten.caseId, '--approve', '--reason', 'Steps, waits and evidence checked', '--as', reviewer]);
  assert.equal(reviewed.hrReview.status, 'approved');
  assert.equal(reviewed.hrReview.by, reviewer);
  assert.ok(!reviewed.next.blockers.some((b: { reason: string }) => b.reason === 'hr_review_required'));
  // Closing: a 6-week demo has no run of 8 compliant weeks, so no case is resolvable yet (closing
  // as resolved is covered by use-cases/discipline.test.ts); a case that is not there yet is
  // refused; a termination-eligible case is closed by HR.
  assert.equal(cases.find((c) => !c.closed && c.resolution.eligible), undefined, 'no case is resolvable in a 6-week demo');
  const notYet = cases.find((c) => !c.closed && !c.resolution.eligible && c.stage !== 'termination_eligible')!;
  await refused(['discipline', 'close', notYet.caseId, '--outcome', 'resolved', '--reason', 'better', '--as', HR], 'not_enough_compliant_weeks', 'conflict');
  const eligible = cases.find((c) => !c.closed && c.stage === 'termination_eligible');
  if (eligible) {
    const closer = hr.find((h) => h !== eligible.employeeId)!;
    const closed = await json(['discipline', 'close', eligible.caseId, '--outcome', 'terminated', '--reason', 'Employment ended after the process', '--as', closer]);
    assert.equal(closed.closed.outcome, 'terminated');
  } else {
    // Some days the demo has no termination-eligible case: HR withdraws one instead (the manager may not).
    await refused(['discipline', 'close', notYet.caseId, '--outcome', 'withdrawn', '--reason', 'opened in error', '--as', notYet.steps.at(-1).by],
      'withdraw_requires_hr', 'forbidden');
    const closer = hr.find((h) => h !== notYet.employeeId)!;
    const closed = await json(['discipline', 'close', notYet.caseId, '--outcome', 'withdrawn', '--reason', 'Opened in error', '--as', closer]);
    assert.equal(closed.closed.outcome, 'withdrawn');
  }

  // People out of compliance last week, with their manager, from the digests in the outbox.
  const exceptions0 = await json<any[]>(['exception', 'list', '--as', HR]);
  const disputes0 = await json<any[]>(['dispute', 'list', '--as', HR]);
  const relocations0 = await json<any[]>(['relocation', 'list', '--as', HR]);
  for (const x of [...exceptions0, ...disputes0, ...relocations0]) busy.add(x.employeeId);
  const digestList = await json<{ messages: any[] }>(['outbox', 'list', '--kind', 'digest.weekly', '--limit', '1000']);
  const digestsOfWeek = digestList.messages.filter((m) => m.dedupeKey.endsWith(`:${lastWeek}`) && m.status === 'pending');
  assert.ok(digestsOfWeek.length > 5, 'the demo evaluation wrote digests for the week just ended');
  const size = (m: { subject: string }) => Number(/: (\d+) (?:people|person)/.exec(m.subject)?.[1] ?? 0);
  const out: { employeeId: string; managerId: string }[] = [];
  for (const m of [...digestsOfWeek].sort((a, b) => size(b) - size(a))) {
    if (out.length >= 6) break;
    const shown = await json(['outbox', 'show', String(m.id)]);
    for (const r of shown.payload.reports) {
      if (r.relation === 'direct' && r.status === 'non_compliant' && !busy.has(r.employeeId) && !busy.has(r.managerId) && !out.some((o) => o.employeeId === r.employeeId)) {
        out.push({ employeeId: r.employeeId, managerId: r.managerId });
      }
    }
  }
  assert.ok(out.length >= 3, 'three people out of compliance last week, in no seeded case');
  const weekOf = async (id: string) => {
    const c = await json(['compliance', id, '--from', lastMonday, '--to', lastSunday, '--as', id]);
    assert.equal(c.weeks.length, 1);
    return c.weeks[0];
  };

  // ── 3. Exceptions ─────────────────────────────────────────────────────────────────────────────
  const xPerson = out[0]!;
  const privateReason = `Physiotherapy after knee surgery ${randomBytes(3).toString('hex')}`;
  const requested = await json(['exception', 'request', xPerson.employeeId, '--kind', 'accommodation', '--from', lastMonday, '--to', addDays(lastMonday, 20),
    '--exempt', '--reason', privateReason, '--as', xPerson.employeeId]);
  assert.equal(requested.status, 'pending');
  const xid: string = requested.exceptionId;
  assert.match(xid, /^X\d+$/);
  msg = await refused(['exception', 'approve', xid, '--as', xPerson.managerId], 'approver_not_hr', 'forbidden', 'both');
  assert.match(msg, new RegExp(`accommodation exception is decided by HR; ${xPerson.managerId} is not`));
  const xApproved = await json(['exception', 'approve', xid, '--as', HR, '--note', 'Confirmed with the employee']);
  assert.equal(xApproved.exception.status, 'approved');
  assert.ok(xApproved.reevaluated >= 1, 'the evaluated week it covers is re-evaluated at once');
  const managerView = await ok(['exception', 'show', xid, '--as', xPerson.managerId]);
  assert.match(managerView, new RegExp(`^${xid} accommodation for ${xPerson.employeeId}: exempt, ${lastMonday} to ${addDays(lastMonday, 20)}, approved \\(active today\\)$`, 'm'));
  assert.ok(!managerView.includes(privateReason), 'the manager does not read the private reason');
  assert.ok(!managerView.includes('Confirmed with the employee'), 'nor the decision note');
  assert.match(managerView, /private to the employee and HR/);
  const ownView = await ok(['exception', 'show', xid, '--as', xPerson.employeeId]);
  assert.ok(ownView.includes(privateReason), 'the employee reads their reason');
  assert.ok(ownView.includes('Confirmed with the employee'), 'and the decision note');
  const xWeek = await weekOf(xPerson.employeeId);
  assert.equal(xWeek.status, 'exempt', 'the non-compliant week is exempt now');
  assert.match(xWeek.explanation, /exception accommodation/);

  // ── 4. Relocation ─────────────────────────────────────────────────────────────────────────────
  const overdue = await json<any[]>(['relocation', 'list', '--overdue', '--as', HR]);
  assert.ok(overdue.length >= 1, 'the demo seeds an overdue relocation');
  for (const r of overdue) {
    assert.equal(r.overdue, true);
    assert.ok(r.deadline < today, `${r.deadline} is before ${today}`);
  }
  assert.deepEqual(overdue.map((r) => r.employeeId), relocations0.filter((r) => r.overdue).map((r) => r.employeeId));
  const assigned = relocations0.find((r) => r.currentStatus === 'assigned');
  assert.ok(assigned, 'the demo seeds an assigned relocation');
  const accepted = await json(['relocation', 'accept', assigned.employeeId, '--as', assigned.employeeId]);
  assert.equal(accepted.status ?? accepted.relocation?.status, 'accepted');

  // ── 5. Disputes ───────────────────────────────────────────────────────────────────────────────
  let claim: { person: { employeeId: string; managerId: string }; day: string; office: string; before: any } | undefined;
  for (const person of out.slice(1)) {
    const w = await weekOf(person.employeeId);
    const taken = new Set<string>([...w.presentDays.map((d: { date: string }) => d.date), ...w.excusedDays.map((d: { date: string }) => d.date)]);
    // Tuesday to Thursday are work days in every office's week; then Monday and Friday.
    const day = [1, 2, 3, 0, 4].map((i) => addDays(lastMonday, i)).find((d) => !taken.has(d));
    if (w.status === 'non_compliant' && day) {
      claim = { person, day, office: w.homeOfficeId, before: w };
      break;
    }
  }
  assert.ok(claim, 'someone out of compliance with a day missing last week');
  const opened = await json(['dispute', 'open', claim.person.employeeId, '--date', claim.day, '--office', claim.office,
    '--reason', 'Badge reader at the entrance was down', '--as', claim.person.employeeId]);
  assert.equal(opened.status, 'open');
  const did: string = opened.disputeId;
  assert.match(did, /^D\d+$/);
  await refused(['dispute', 'approve', did, '--as', claim.person.employeeId], 'own_dispute', 'forbidden');
  const resolved = await json(['dispute', 'approve', did, '--as', claim.person.managerId, '--note', 'Saw them at the planning meeting']);
  assert.equal(resolved.dispute.status, 'approved');
  assert.equal(resolved.dispute.reviewedBy, claim.person.managerId);
  const after = await weekOf(claim.person.employeeId);
  assert.equal(after.present, claim.before.present + 1, 'the attested day counts as present');
  assert.deepEqual(after.presentDays.find((d: { date: string }) => d.date === claim!.day),
    { date: claim.day, officeId: claim.office, source: 'attestation', dwellMinutes: null, reference: did });
  assert.match(after.explanation, new RegExp(`attested ${claim.day} at ${claim.office} \\(dispute ${did}\\)`));

  // ── 6. Outage ─────────────────────────────────────────────────────────────────────────────────
  const outages0 = await json<any[]>(['outage', 'list']);
  let outage: { employeeId: string; office: string; day: string } | undefined;
  for (const person of out.slice(1).reverse()) {
    if (person.employeeId === claim.person.employeeId) continue;
    const w = await weekOf(person.employeeId);
    if (w.status !== 'non_compliant' && w.status !== 'compliant') continue;
    const office: string = w.homeOfficeId;
    const excused = new Set(w.excusedDays.map((d: { date: string }) => d.date));
    const day = [1, 2, 3].map((i) => addDays(lastMonday, i)).find((d) => !excused.has(d)
      && !outages0.some((o) => o.officeId === office && o.startDate <= d && d <= o.endDate));
    if (day) {
      outage = { employeeId: person.employeeId, office, day };
      break;
    }
  }
  assert.ok(outage, 'someone whose office can have an outage last week');
  await refused(['outage', 'declare', '--office', outage.office, '--from', outage.day, '--to', outage.day, '--reason', 'Readers offline', '--as', claim.person.managerId],
    'not_hr', 'forbidden', 'text');
  const declared = await json(['outage', 'declare', '--office', outage.office, '--from', outage.day, '--to', outage.day,
    '--reason', 'Badge readers offline after a power cut', '--as', HR]);
  const oid: string = declared.outage.outageId;
  assert.match(oid, /^O\d+$/);
  assert.ok(declared.reevaluated >= 1 && declared.employees >= 1, 'the office\'s people\'s weeks are re-evaluated');
  const outageWeek = await weekOf(outage.employeeId);
  assert.deepEqual(outageWeek.excusedDays.find((d: { date: string }) => d.date === outage!.day),
    { date: outage.day, reason: 'outage', name: 'Badge readers offline after a power cut', reference: oid });
  assert.match(outageWeek.explanation, new RegExp(`excused by badge-reader outage ${oid} at ${outage.office}`));

  // ── 7. Digests, once per manager and week, in a real SMTP server's mailbox ───────────────────
  const smtp = await startSmtp();
  try {
    const env = { HUBDAY_SMTP_HOST: '127.0.0.1', HUBDAY_SMTP_PORT: String(smtp.port), HUBDAY_SMTP_FROM: 'hubday <hubday@example.com>' };
    // The worker first rebuilds the digests of weeks re-evaluated since (the exception, the claim and
    // the outage above changed last week), so what it sends is read from the outbox afterwards.
    const delivered = await json(['outbox', 'deliver', '--limit', '10000'], env);
    assert.ok(delivered.claimed > 5);
    assert.deepEqual([delivered.sent, delivered.failed, delivered.dead], [delivered.claimed, 0, 0],
      JSON.stringify(delivered.results.filter((r: { status: string }) => r.status !== 'sent')));
    const digestMails = smtp.inbox.filter((m) => /weekly digest/.test(m.subject));
    assert.equal(digestMails.length, delivered.results.filter((r: { kind: string }) => r.kind === 'digest.weekly').length, 'every digest sent arrived');
    const recipients = digestMails.flatMap((m) => m.to);
    assert.equal(recipients.length, digestMails.length, 'one recipient per digest');
    assert.equal(new Set(recipients).size, recipients.length, 'no manager received two digests');
    for (const m of digestMails) {
      assert.match(m.subject, new RegExp(`^hubday weekly digest ${lastWeek}: \\d+ (people|person) on your team out of compliance$`));
      assert.match(m.body, /^Hello /);
      assert.ok(!m.body.includes(privateReason), 'a digest never carries an exception reason');
    }
    const box = await json<{ counts: Record<string, number>; messages: any[] }>(['outbox', 'list', '--kind', 'digest.weekly', '--limit', '10000']);
    assert.equal(box.counts.pending, 0);
    assert.equal(new Set(box.messages.map((m) => m.dedupeKey)).size, box.messages.length, 'one outbox message per manager and week');
    for (const m of box.messages) assert.equal(m.dedupeKey, `digest:${m.recipientId}:${lastWeek}`);
    const sent = box.messages.filter((m) => m.status === 'sent');
    assert.deepEqual(sent.map((m) => m.to).sort(), [...recipients].sort(), 'the mailbox holds exactly the digests the outbox sent');
    assert.ok(box.messages.every((m) => m.status === 'sent' || m.status === 'cancelled'), 'the others were withdrawn (nobody out any more)');

    // Re-running the evaluation of the whole demo range writes no new digest, and nothing more is mailed.
    const again = await cmd(['evaluate', '--from', demo.from, '--to', demo.to]);
    assert.equal(again.code, 0, again.err);
    assert.match(again.err, new RegExp(`^digests ${lastWeek}: .*; 0 new, 0 updated, ${sent.length} unchanged`, 'm'));
    const inboxBefore = smtp.inbox.length;
    const second = await json(['outbox', 'deliver', '--limit', '10000'], env);
    assert.deepEqual([second.claimed, second.sent], [0, 0]);
    assert.equal(smtp.inbox.length, inboxBefore, 'no second digest');
    const finalBox = await json<{ messages: any[] }>(['outbox', 'list', '--kind', 'digest.weekly', '--limit', '10000']);
    assert.deepEqual(finalBox.messages.map((m) => [m.id, m.status]), box.messages.map((m) => [m.id, m.status]), 'the re-run changed no digest');
  } finally {
    await smtp.close();
  }

  // ── 8. The person's own view and export ───────────────────────────────────────────────────────
  const mine = await me(xPerson.employeeId);
  assert.ok(mine.accessedBy.some((a) => a.actor === xPerson.managerId && a.action === 'attendance.viewed' && a.what.includes(xid)),
    `the manager's read of ${xid} is shown to ${xPerson.employeeId}: ${JSON.stringify(mine.accessedBy)}`);
  assert.ok(mine.accessedBy.every((a) => a.actor !== xPerson.employeeId), 'their own reads are not listed');
  const nominee = await me(nomination.employeeId);
  assert.ok(nominee.accessedBy.some((a) => a.actor === HR && /promotion list/.test(a.what)), 'HR\'s promotion list read the nominee\'s standing');
  const dir = tempDir('hubday-wf-export-');
  const file = join(dir, 'me.json');
  // A folder that does not exist: a usage error naming the flag, no stack trace, nothing written.
  const badOut = await cmd(['export-person', xPerson.employeeId, '--as', xPerson.employeeId, '--out', join(dir, 'missing', 'me.json')]);
  assert.equal(badOut.code, 2, badOut.err);
  assert.match(badOut.err, /--out .*missing\/me\.json: the folder .*missing does not exist/);
  assert.doesNotMatch(badOut.err, /\n\s+at /, 'no stack trace');
  const exported = await cmd(['export-person', xPerson.employeeId, '--as', xPerson.employeeId, '--out', file]);
  assert.equal(exported.code, 0, exported.err);
  assert.match(exported.err, /^wrote \d+ records from \d+ tables and \d+ audit entries to /);
  const data = JSON.parse(readFileSync(file, 'utf8'));
  rmSync(dir, { recursive: true, force: true });
  assert.equal(data.format, 'hubday.person-export/1');
  assert.equal(data.employeeId, xPerson.employeeId);
  for (const table of ['employee', 'badge_event', 'weekly_compliance', 'exception_grant']) {
    assert.ok(Array.isArray(data.tables[table]) && data.tables[table].length > 0, `the export has ${table}`);
  }
  assert.ok(data.tables.exception_grant.some((x: Record<string, unknown>) => x.exception_id === xid && x.reason === privateReason));
  assert.ok(data.audit.some((e: { action: string }) => e.action === 'exception.approved'));

  // ── 9. The audit log: intact, then edited ─────────────────────────────────────────────────────
  const verified = await cmd(['audit', 'verify']);
  assert.equal(verified.code, 0, verified.err);
  assert.match(verified.out, /^audit log intact: \d+ entries verified$/m);
  const entries = await json<{ seq: number; action: string; entity: string | null }[]>(['audit', 'show', '--subject', xPerson.employeeId]);
  const victim = entries.find((e) => e.action === 'exception.approved' && e.entity === `exception:${xid}`);
  assert.ok(victim, 'the approval is in the log');
  assert.ok(!JSON.stringify(entries).includes(privateReason), 'the log never holds an exception reason');
  await store.sql(`UPDATE audit_entry SET actor = '${xPerson.managerId}' WHERE seq = ${victim.seq}`);
  const broken = await cmd(['audit', 'verify', '--json']);
  assert.equal(broken.code, 1, broken.out);
  assert.match(broken.err, new RegExp(`audit log BROKEN at entry ${victim.seq}: entry ${victim.seq} was altered`));
  assert.deepEqual([JSON.parse(broken.out).firstBroken.seq, JSON.parse(broken.out).firstBroken.kind], [victim.seq, 'hash_mismatch']);
}

async function pgliteStore(): Promise<Store> {
  const dir = tempDir('hubday-wf-cli-');
  return {
    name: 'embedded store', prefix: ['--data', dir], env: {},
    sql: async (statement) => {
      const db = await openPgliteDb(dir);
      try {
        await db.exec(statement);
      } finally {
        await db.close();
      }
    },
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function postgresStore(): Promise<Store> {
  const database = await createTestDatabase('hubday_wf');
  return { name: 'PostgreSQL', prefix: [], env: { DATABASE_URL: database.url }, sql: database.sql, drop: database.drop };
}

test('issue 4, done when: every workflow walked from the CLI on the demo company, on both stores', { concurrency: 2 }, async (t) => {
  const run = async (make: () => Promise<Store>) => {
    const store = await make();
    await t.test(store.name, async (st) => {
      const warnings: string[] = [];
      try {
        await st.test('every workflow, its refusals, the digests and the audit log', () => walk(store, warnings));
      } finally {
        await store.drop();
      }
      // The documented stderr of a refusal is `hubday: refused (…)`, or with --json the error object alone:
      // a Node warning printed before it breaks `JSON.parse(stderr)` for scripts.
      await st.test('stderr carries only hubday\'s own messages (no Node warnings)', () => {
        assert.deepEqual(warnings, [], `commands printed Node warnings on stderr:\n${warnings.join('\n')}`);
      });
    });
  };
  await Promise.all([run(pgliteStore), run(postgresStore)]);
});
