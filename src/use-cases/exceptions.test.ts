/** Exceptions end to end on both stores: request, decide, privacy, revocation, re-evaluation, expiry notices, audit. */
import { setUpEvaluatedCompany, refused, storedWeek } from '../testing/workflows.js';
import assert from 'node:assert/strict';
import { forEachStore } from '../testing/stores.js';
import { EMPLOYEES_CSV } from '../testing/fixtures.js';
import type { Db } from '../store/db.js';
import { fixedClock, type Deps } from './deps.js';
import { getCompliance } from './get-compliance.js';
import { resolveActor } from './actor.js';
import { HubdayError } from '../errors.js';
import { OPERATOR, type Actor } from '../engine/org.js';
import type { LocalDate } from '../engine/dates.js';
import { findAuditEntries } from '../store/audit.repository.js';
import {
  decideException, listExceptionsFor, pendingForApprover, requestException, revokeException, sendExpiryNotices, showException, withdrawException,
} from './exceptions.js';

const d = (s: string) => s as LocalDate;

/** The fixture company with a CEO above V1, two HR people and an unrelated employee. */
const HR_EMPLOYEES_CSV = EMPLOYEES_CSV.replace('V1,v1@example.com,Vera Vance,,10', 'V1,v1@example.com,Vera Vance,C1,10') +
  `C1,c1@example.com,Cleo Chief,,11,product,Exec,SEA1,hybrid,2010-01-04,
H1,h1@example.com,Hana Hart,C1,6,hr,People,SEA1,office,2016-01-04,
H2,h2@example.com,Hugo Hale,C1,6,hr,People,SEA1,office,2016-01-04,
U1,u1@example.com,Uma Ueda,C1,5,sales,Sales,SEA1,hybrid,2019-01-07,
`;

function depsAt(db: Db, iso = '2026-11-30T12:00:00Z'): Deps {
  return { db, clock: fixedClock(iso), log: () => undefined };
}

/** Imports the company, evaluates W47 and W48 of 2026, grants hr to H1 and H2. */
const setUp = (db: Db) => setUpEvaluatedCompany(db, { employeesCsv: HR_EMPLOYEES_CSV, hr: ['H1', 'H2'] });

const PRIVATE = 'hearing condition, audiologist letter on file';

forEachStore('an approved accommodation exempts the stored weeks; only the employee and HR read the reason; audit has ids, never the reason', async (_t, db) => {
  const deps = await setUp(db);
  const as = (id: string): Promise<Actor> => resolveActor(deps, id);
  assert.equal((await storedWeek(db, 'E100', '2026-11-23'))!.status, 'non_compliant');

  const x = await requestException(deps, await as('E100'), {
    employeeId: 'E100', kind: 'accommodation', from: d('2026-11-23'), to: d('2026-12-06'), effect: 'exempt', daysPerWeek: null, reason: PRIVATE,
  });
  assert.equal(x.status, 'pending');
  assert.equal(x.reason, PRIVATE, 'the employee sees their own reason');
  await refused(requestException(deps, await as('E100'), { employeeId: 'E100', kind: 'accommodation', from: d('2026-12-01'), to: d('2026-12-10'), effect: 'exempt', daysPerWeek: null, reason: 'again' }), 'overlapping_exception', 'conflict');
  await refused(requestException(deps, await as('U1'), { employeeId: 'E100', kind: 'temporary', from: d('2026-12-01'), to: d('2026-12-10'), effect: 'exempt', daysPerWeek: null, reason: 'x' }), 'not_in_reporting_line', 'forbidden');
  await refused(requestException(deps, OPERATOR, { employeeId: 'E100', kind: 'temporary', from: d('2026-12-01'), to: d('2026-12-10'), effect: 'exempt', daysPerWeek: null, reason: 'x' }), 'actor_required');
  await refused(requestException(deps, await as('E100'), { employeeId: 'E100', kind: 'Bad Kind', from: d('2026-12-01'), to: d('2026-12-10'), effect: 'exempt', daysPerWeek: null, reason: 'x' }), 'invalid_kind', 'invalid_usage');

  // Who may decide an accommodation: HR, not the manager, the VP or the employee.
  await refused(decideException(deps, await as('M1'), { exceptionId: x.exceptionId, decision: 'approve' }), 'approver_not_hr', 'forbidden');
  await refused(decideException(deps, await as('V1'), { exceptionId: x.exceptionId, decision: 'approve' }), 'approver_not_hr');
  await refused(decideException(deps, await as('E100'), { exceptionId: x.exceptionId, decision: 'approve' }), 'own_exception');
  const approved = await decideException(deps, await as('H1'), { exceptionId: x.exceptionId, decision: 'approve', note: 'letter checked' });
  assert.equal(approved.exception.status, 'approved');
  assert.ok(approved.reevaluated >= 1);
  await refused(decideException(deps, await as('H2'), { exceptionId: x.exceptionId, decision: 'deny' }), 'not_pending', 'conflict');

  // The stored week changed, and says why.
  const w48 = (await storedWeek(db, 'E100', '2026-11-23'))!;
  assert.equal(w48.status, 'exempt');
  assert.match(w48.explanation, /exempt: exception accommodation \(2026-11-23 to 2026-12-06\)/);
  assert.equal((await storedWeek(db, 'E100', '2026-11-16'))!.status, 'compliant', 'the week before is untouched');
  assert.equal((await db.query('SELECT * FROM dirty_week')).length, 0, 'nothing left to re-evaluate');

  // Privacy: the manager sees that it is active, never the reason; an unrelated employee nothing.
  const byManager = await showException(deps, await as('M1'), { exceptionId: x.exceptionId });
  assert.equal(byManager.visibility, 'summary');
  assert.equal(byManager.active, true);
  assert.equal(byManager.kind, 'accommodation');
  assert.ok(!('reason' in byManager) && !('decisionNote' in byManager));
  assert.ok(!JSON.stringify(byManager).includes('hearing'));
  const byHr = await showException(deps, await as('H2'), { exceptionId: x.exceptionId });
  assert.equal(byHr.reason, PRIVATE);
  assert.equal(byHr.decisionNote, 'letter checked');
  assert.equal((await showException(deps, await as('E100'), { exceptionId: x.exceptionId })).reason, PRIVATE);
  await refused(showException(deps, await as('U1'), { exceptionId: x.exceptionId }), 'not_in_reporting_line', 'forbidden');
  await refused(listExceptionsFor(deps, await as('U1'), { employeeId: 'E100' }), 'not_in_reporting_line');
  assert.deepEqual((await listExceptionsFor(deps, await as('U1'))).map((v) => v.exceptionId), [], 'U1 lists only their own subtree');
  const listed = await listExceptionsFor(deps, await as('M1'));
  assert.deepEqual(listed.map((v) => [v.exceptionId, v.visibility]), [[x.exceptionId, 'summary']]);
  assert.ok(!JSON.stringify(await listExceptionsFor(deps, await as('H1'))).includes('hearing'), 'lists never carry the reason');

  // Audit: the steps are there, by id; no entry anywhere holds the private texts.
  const entries = await findAuditEntries(db, { subject: 'E100', limit: 1000 });
  const actions = entries.map((e) => e.action);
  for (const a of ['exception.requested', 'exception.approved', 'attendance.viewed']) assert.ok(actions.includes(a), a);
  const approvedEntry = entries.find((e) => e.action === 'exception.approved')!;
  assert.equal(approvedEntry.actor, 'H1');
  assert.equal(approvedEntry.entity, `exception:${x.exceptionId}`);
  const all = JSON.stringify(await findAuditEntries(db, { limit: 100_000 }));
  assert.ok(!all.includes('hearing') && !all.includes('letter checked'), 'the audit log never holds exception texts');

  // Revocation from today: the past weeks stay exempt, the exception no longer applies from today.
  await refused(revokeException(deps, await as('M1'), { exceptionId: x.exceptionId, reason: 'no longer needed' }), 'approver_not_hr');
  await refused(revokeException(deps, await as('H1'), { exceptionId: x.exceptionId, reason: ' ' }), 'reason_required');
  const revoked = await revokeException(deps, await as('H2'), { exceptionId: x.exceptionId, reason: 'no longer needed' });
  assert.equal(revoked.exception.status, 'revoked');
  assert.equal(revoked.exception.revokedFrom, '2026-11-30');
  assert.equal(revoked.exception.inForceUntil, '2026-11-29');
  assert.equal(revoked.exception.active, false);
  assert.equal((await storedWeek(db, 'E100', '2026-11-23'))!.status, 'exempt', 'not retroactive');
  const w49 = (await getCompliance(deps, { employeeId: 'E100', from: d('2026-11-30'), to: d('2026-12-06') })).weeks[0]!;
  assert.notEqual(w49.status, 'exempt');
  assert.ok(!JSON.stringify(await findAuditEntries(db, { limit: 100_000 })).includes('no longer needed'));
});

forEachStore('who approves which kind: requester never, VP for remote roles, reduced days, withdraw', async (_t, db) => {
  const deps = await setUp(db);
  const as = (id: string): Promise<Actor> => resolveActor(deps, id);

  // HR may request for someone, but then another HR person decides.
  const care = await requestException(deps, await as('H1'), { employeeId: 'E100', kind: 'caregiving', from: d('2026-11-23'), to: d('2026-11-29'), effect: 'reduced', daysPerWeek: 1, reason: 'parent care' });
  await refused(decideException(deps, await as('H1'), { exceptionId: care.exceptionId, decision: 'approve' }), 'self_approval', 'forbidden');
  const ok = await decideException(deps, await as('H2'), { exceptionId: care.exceptionId, decision: 'approve' });
  assert.equal(ok.exception.status, 'approved');
  // W48: 1 day a week × 4/5 rounds to 1; present 1 → compliant.
  const w48 = (await storedWeek(db, 'E100', '2026-11-23'))!;
  assert.deepEqual([w48.status, w48.required, w48.present, w48.daysPerWeek], ['compliant', 1, 1, 1]);
  assert.match(w48.explanation, /exception caregiving .* lowers daysPerWeek from 3 to 1/);

  // A remote role: the manager requests, HR may not approve, the VP (V1) or above may.
  const remote = await requestException(deps, await as('M1'), { employeeId: 'E100', kind: 'remote_role', from: d('2027-01-04'), to: d('2027-06-30'), effect: 'exempt', daysPerWeek: null, reason: 'field role' });
  assert.equal(remote.visibility, 'summary', 'the requesting manager does not read the reason back');
  assert.equal(remote.reason, undefined);
  await refused(decideException(deps, await as('H1'), { exceptionId: remote.exceptionId, decision: 'approve' }), 'approver_not_vp', 'forbidden');
  await refused(decideException(deps, await as('M1'), { exceptionId: remote.exceptionId, decision: 'approve' }), 'self_approval');
  assert.deepEqual((await pendingForApprover(deps, await as('V1'))).map((v) => v.exceptionId), [remote.exceptionId]);
  assert.deepEqual((await pendingForApprover(deps, await as('H1'))).map((v) => v.exceptionId), []);
  const denied = await decideException(deps, await as('C1'), { exceptionId: remote.exceptionId, decision: 'deny', note: 'not this year' });
  assert.equal(denied.exception.status, 'denied');
  assert.equal(denied.exception.reason, undefined, 'the CEO is not HR: no reason');
  assert.equal(denied.reevaluated, 0);

  // Withdraw: the employee or the requester, while pending.
  const temp = await requestException(deps, await as('E100'), { employeeId: 'E100', kind: 'temporary', from: d('2026-12-07'), to: d('2026-12-18'), effect: 'exempt', daysPerWeek: null, reason: 'office works' });
  await refused(withdrawException(deps, await as('M1'), { exceptionId: temp.exceptionId }), 'not_requester', 'forbidden');
  assert.equal((await withdrawException(deps, await as('E100'), { exceptionId: temp.exceptionId })).status, 'withdrawn');
  await refused(withdrawException(deps, await as('E100'), { exceptionId: temp.exceptionId }), 'not_pending', 'conflict');
  await assert.rejects(decideException(deps, await as('H1'), { exceptionId: 'X999', decision: 'approve' }), (e) => e instanceof HubdayError && e.code === 'not_found');

  const actions = (await findAuditEntries(db, { action: 'exception.', limit: 1000 })).map((e) => e.action);
  assert.deepEqual(actions, ['exception.requested', 'exception.approved', 'exception.requested', 'exception.denied', 'exception.requested', 'exception.withdrawn']);
  // An extensible kind with the default approver rule (HR or the VP).
  const other = await requestException(deps, await as('E100'), { employeeId: 'E100', kind: 'jury_service', from: d('2026-12-07'), to: d('2026-12-11'), effect: 'exempt', daysPerWeek: null, reason: 'summons' });
  assert.match(other.approver, /HR, or the employee's VP/);
  assert.equal((await decideException(deps, await as('V1'), { exceptionId: other.exceptionId, decision: 'approve' })).exception.status, 'approved');
});

forEachStore('expiry notices: once per exception, to the employee and HR, through the outbox, never with the reason', async (_t, db) => {
  const deps = await setUp(db);
  const as = (id: string): Promise<Actor> => resolveActor(deps, id);
  const soon = await requestException(deps, await as('E100'), { employeeId: 'E100', kind: 'accommodation', from: d('2026-11-02'), to: d('2026-12-10'), effect: 'exempt', daysPerWeek: null, reason: PRIVATE });
  const later = await requestException(deps, await as('E104'), { employeeId: 'E104', kind: 'accommodation', from: d('2026-11-02'), to: d('2027-03-01'), effect: 'exempt', daysPerWeek: null, reason: PRIVATE });
  for (const x of [soon, later]) await decideException(deps, await as('H1'), { exceptionId: x.exceptionId, decision: 'approve' });
  await requestException(deps, await as('E103'), { employeeId: 'E103', kind: 'accommodation', from: d('2026-11-02'), to: d('2026-12-01'), effect: 'exempt', daysPerWeek: null, reason: 'pending one' });

  const first = await sendExpiryNotices(deps);
  assert.deepEqual(first.notified, [soon.exceptionId]);
  assert.equal(first.messages, 3, 'E100 and the two HR people');
  const rows = await db.query<{ recipient_id: string; recipient: string; subject: string; body: string; dedupe_key: string; kind: string }>(
    `SELECT recipient_id, recipient, subject, body, dedupe_key, kind FROM outbox WHERE kind = 'exception.expiring' ORDER BY recipient_id`);
  assert.deepEqual(rows.map((r) => r.recipient_id), ['E100', 'H1', 'H2']);
  assert.equal(rows[0]!.recipient, 'e100@example.com');
  assert.match(rows[0]!.subject, /ends on 2026-12-10/);
  assert.ok(rows.every((r) => r.kind === 'exception.expiring' && !r.body.includes('hearing')));
  const again = await sendExpiryNotices(deps);
  assert.deepEqual(again, { notified: [], messages: 0 });
  // Later the second one comes within two weeks, once.
  const feb = await sendExpiryNotices(depsAt(db, '2027-02-20T08:00:00Z'));
  assert.deepEqual(feb.notified, [later.exceptionId]);
  assert.equal(Number((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE kind = 'exception.expiring'`))[0]!.n), 6);
  assert.equal((await findAuditEntries(db, { action: 'exception.expiry_notified', limit: 10 })).length, 2);
});
