/** Disputes and outages end to end on both stores: claim, review, attestation, re-evaluation, explanation, audit. */
import { setUpEvaluatedCompany, refused, storedWeek } from '../testing/workflows.js';
import assert from 'node:assert/strict';
import { forEachStore } from '../testing/stores.js';
import { EMPLOYEES_CSV } from '../testing/fixtures.js';
import type { Db } from '../store/db.js';
import { resolveActor } from './actor.js';
import { viewCompliance } from './view-attendance.js';
import { presentWeeklyRecord } from '../presenters/records.js';
import { HubdayError } from '../errors.js';
import { OPERATOR, type Actor } from '../engine/org.js';
import type { LocalDate } from '../engine/dates.js';
import { findAuditEntries } from '../store/audit.repository.js';
import { cancelOutage, declareOutage, listDisputesFor, listOutagesFor, openDispute, resolveDispute, showDispute, withdrawDispute } from './disputes.js';

const d = (s: string) => s as LocalDate;

const HR_EMPLOYEES_CSV = EMPLOYEES_CSV.replace('V1,v1@example.com,Vera Vance,,10', 'V1,v1@example.com,Vera Vance,C1,10') +
  `C1,c1@example.com,Cleo Chief,,11,product,Exec,SEA1,hybrid,2010-01-04,
H1,h1@example.com,Hana Hart,C1,6,hr,People,SEA1,office,2016-01-04,
U1,u1@example.com,Uma Ueda,C1,5,sales,Sales,SEA1,hybrid,2019-01-07,
`;

const setUp = (db: Db) => setUpEvaluatedCompany(db, { employeesCsv: HR_EMPLOYEES_CSV, hr: ['H1'] });

forEachStore('a dispute approved by the manager becomes an attestation; the week is re-evaluated and explains it', async (_t, db) => {
  const deps = await setUp(db);
  const as = (id: string): Promise<Actor> => resolveActor(deps, id);
  const claim = { employeeId: 'E100', day: d('2026-11-25'), officeId: 'SEA1', reason: 'badge reader down' };

  // Refusals when opening.
  await refused(openDispute(deps, await as('M1'), claim), 'not_own_claim', 'forbidden');
  await refused(openDispute(deps, await as('E100'), { ...claim, day: d('2026-11-24') }), 'already_present', 'conflict');
  await refused(openDispute(deps, await as('E100'), { ...claim, day: d('2026-11-30') }), 'date_not_past', 'conflict');
  await refused(openDispute(deps, await as('E100'), { ...claim, reason: '' }), 'reason_required');
  await refused(openDispute(deps, await as('E100'), { ...claim, day: d('2020-01-01') }), 'date_too_old');
  await assert.rejects(openDispute(deps, await as('E100'), { ...claim, officeId: 'NOPE' }), (e) => e instanceof HubdayError && e.code === 'not_found');

  const opened = await openDispute(deps, await as('E100'), claim);
  assert.equal(opened.status, 'open');
  await refused(openDispute(deps, await as('E100'), claim), 'dispute_already_open', 'conflict');
  // Other helpers read open disputes by (employee_id, day, status).
  assert.deepEqual(await db.query(`SELECT dispute_id FROM dispute WHERE employee_id = 'E100' AND day = '2026-11-25' AND status = 'open'`), [{ dispute_id: opened.disputeId }]);

  // Who may resolve.
  await refused(resolveDispute(deps, await as('E100'), { disputeId: opened.disputeId, decision: 'approve' }), 'own_dispute', 'forbidden');
  await refused(resolveDispute(deps, await as('U1'), { disputeId: opened.disputeId, decision: 'approve' }), 'not_reviewer', 'forbidden');
  await refused(resolveDispute(deps, await as('M1'), { disputeId: opened.disputeId, decision: 'reject' }), 'reason_required', 'conflict');
  assert.deepEqual((await listDisputesFor(deps, await as('M1'), { toReview: true })).map((x) => x.disputeId), [opened.disputeId]);
  assert.deepEqual((await listDisputesFor(deps, await as('U1'), { toReview: true })).map((x) => x.disputeId), []);

  assert.equal((await storedWeek(db, 'E100', '2026-11-23'))!.status, 'non_compliant');
  const r = await resolveDispute(deps, await as('M1'), { disputeId: opened.disputeId, decision: 'approve', note: 'saw them at the stand-up' });
  assert.equal(r.dispute.status, 'approved');
  assert.deepEqual(r.dispute.attestation, { day: '2026-11-25', officeId: 'SEA1', reference: opened.disputeId });
  assert.equal(r.reevaluated, 1);
  await refused(resolveDispute(deps, await as('H1'), { disputeId: opened.disputeId, decision: 'reject', note: 'x' }), 'not_open', 'conflict');

  // The stored week: present 2 of 2 required, the day's source is the attestation with the dispute id.
  const w48 = (await storedWeek(db, 'E100', '2026-11-23'))!;
  assert.deepEqual([w48.status, w48.required, w48.present], ['compliant', 2, 2]);
  assert.deepEqual(w48.presentDays.map((p) => [p.date, p.source, p.reference ?? null]), [['2026-11-24', 'badge', null], ['2026-11-25', 'attestation', opened.disputeId]]);
  assert.match(w48.explanation, new RegExp(`attested 2026-11-25 at SEA1 \\(dispute ${opened.disputeId}\\)`));
  const viewed = await viewCompliance(deps, await as('E100'), { employeeId: 'E100', from: d('2026-11-23'), to: d('2026-11-29') });
  const json = presentWeeklyRecord(viewed.weeks[0]!) as { presentDays: { date: string; source: string; reference?: string }[] };
  assert.deepEqual(json.presentDays[1], { date: '2026-11-25', officeId: 'SEA1', source: 'attestation', dwellMinutes: null, reference: opened.disputeId });
  // Once approved, the day is attested: a new claim is refused.
  await refused(openDispute(deps, await as('E100'), claim), 'already_attested', 'conflict');

  const audit = await findAuditEntries(db, { subject: 'E100', action: 'dispute.', limit: 100 });
  assert.deepEqual(audit.map((e) => [e.action, e.actor]), [['dispute.opened', 'E100'], ['dispute.approved', 'M1']]);
  assert.match(audit[1]!.after!, new RegExp(`"reference":"${opened.disputeId}"`));
});

forEachStore('another reviewer when asked; a rejection keeps the week and its reason; withdraw; privacy of reads', async (_t, db) => {
  const deps = await setUp(db);
  const as = (id: string): Promise<Actor> => resolveActor(deps, id);
  const opened = await openDispute(deps, await as('E100'), { employeeId: 'E100', day: d('2026-11-18'), officeId: 'SEA1', reason: 'forgot badge, signed the visitor book', otherReviewer: true });
  assert.equal(opened.otherReviewer, true);
  await refused(resolveDispute(deps, await as('M1'), { disputeId: opened.disputeId, decision: 'approve' }), 'manager_excluded', 'forbidden');
  assert.deepEqual((await listDisputesFor(deps, await as('M1'), { toReview: true })).map((x) => x.disputeId), []);
  assert.deepEqual((await listDisputesFor(deps, await as('V1'), { toReview: true })).map((x) => x.disputeId), [opened.disputeId]);
  const before = (await storedWeek(db, 'E100', '2026-11-16'))!;
  const rejected = await resolveDispute(deps, await as('V1'), { disputeId: opened.disputeId, decision: 'reject', note: 'the visitor book has no entry that day' });
  assert.equal(rejected.dispute.status, 'rejected');
  assert.equal(rejected.dispute.reviewNote, 'the visitor book has no entry that day');
  assert.equal(rejected.reevaluated, 0);
  assert.deepEqual(await storedWeek(db, 'E100', '2026-11-16'), before, 'a rejected claim changes nothing');
  assert.deepEqual(await db.query(`SELECT * FROM attestation`), []);

  // Reads: the person, the chain, HR; not an unrelated employee.
  assert.equal((await showDispute(deps, await as('M1'), { disputeId: opened.disputeId })).reviewNote, 'the visitor book has no entry that day');
  await refused(showDispute(deps, await as('U1'), { disputeId: opened.disputeId }), 'not_in_reporting_line', 'forbidden');
  assert.deepEqual((await listDisputesFor(deps, await as('U1'))).length, 0);
  assert.deepEqual((await listDisputesFor(deps, await as('H1'))).length, 1);

  // A new claim after a rejection is allowed (new evidence); the claimant may withdraw it.
  const again = await openDispute(deps, await as('E100'), { employeeId: 'E100', day: d('2026-11-18'), officeId: 'SEA1', reason: 'reception confirms' });
  await refused(withdrawDispute(deps, await as('M1'), { disputeId: again.disputeId }), 'not_claimant', 'forbidden');
  assert.equal((await withdrawDispute(deps, await as('E100'), { disputeId: again.disputeId })).status, 'withdrawn');
  const actions = (await findAuditEntries(db, { action: 'dispute.', limit: 100 })).map((e) => e.action);
  assert.deepEqual(actions, ['dispute.opened', 'dispute.rejected', 'dispute.opened', 'dispute.withdrawn']);
});

forEachStore('an outage excuses the day for everyone whose home office it is, and explains it; cancelling restores the weeks', async (_t, db) => {
  const deps = await setUp(db);
  const as = (id: string): Promise<Actor> => resolveActor(deps, id);
  const input = { officeId: 'SEA1', from: d('2026-11-25'), to: d('2026-11-25'), reason: 'reader firmware crash' };
  await refused(declareOutage(deps, await as('M1'), input), 'not_hr', 'forbidden');
  await refused(declareOutage(deps, OPERATOR, input), 'not_hr', 'forbidden');
  await refused(declareOutage(deps, await as('H1'), { ...input, from: d('2026-12-02'), to: d('2026-12-02') }), 'date_not_past');
  const lon1Before = (await storedWeek(db, 'E103', '2026-11-23'))!;

  const declared = await declareOutage(deps, await as('H1'), input);
  assert.equal(declared.outage.status, 'active');
  assert.ok(declared.employees >= 5, `SEA1 people marked: ${declared.employees}`);
  assert.ok(declared.reevaluated >= declared.employees, "each marked week is re-evaluated");
  await refused(declareOutage(deps, await as('H1'), { ...input, from: d('2026-11-24'), to: d('2026-11-26') }), 'overlapping_outage', 'conflict');

  // E100 (SEA1), W48: Thanksgiving and the outage excused: available 3, required 3 × 3/5 = 1.8 → 2.
  const w48 = (await storedWeek(db, 'E100', '2026-11-23'))!;
  assert.deepEqual([w48.available, w48.required, w48.present, w48.status], [3, 2, 1, 'non_compliant']);
  assert.deepEqual(w48.excusedDays.find((x) => x.reason === 'outage'), { date: '2026-11-25', reason: 'outage', name: 'reader firmware crash', reference: declared.outage.outageId });
  assert.match(w48.explanation, /^2 of 3 available days required \(3 × 3\/5 = 1\.8, rounded half up\); present 1; excused by badge-reader outage O1 at SEA1 \(reader firmware crash\): 2026-11-25$/);
  // V1 (SEA1) too; E103 in London not.
  assert.ok((await storedWeek(db, 'V1', '2026-11-23'))!.excusedDays.some((x) => x.reason === 'outage'));
  assert.deepEqual(await storedWeek(db, 'E103', '2026-11-23'), lon1Before);
  assert.equal((await db.query('SELECT * FROM dirty_week')).length, 0);
  assert.deepEqual((await listOutagesFor(deps, await as('U1'))).map((o) => o.outageId), [declared.outage.outageId]);

  const cancelled = await cancelOutage(deps, await as('H1'), { outageId: declared.outage.outageId, reason: 'declared for the wrong office' });
  assert.equal(cancelled.outage.status, 'cancelled');
  const back = (await storedWeek(db, 'E100', '2026-11-23'))!;
  assert.deepEqual([back.available, back.required, back.status], [4, 2, 'non_compliant']);
  assert.ok(!back.excusedDays.some((x) => x.reason === 'outage'));
  await refused(cancelOutage(deps, await as('H1'), { outageId: declared.outage.outageId }), 'not_active', 'conflict');
  assert.deepEqual((await listOutagesFor(deps, await as('U1'))).length, 0);
  assert.deepEqual((await listOutagesFor(deps, await as('U1'), { includeCancelled: true })).length, 1);
  const audit = await findAuditEntries(db, { action: 'outage.', limit: 10 });
  assert.deepEqual(audit.map((e) => [e.action, e.actor, e.subject, e.entity]), [
    ['outage.declared', 'H1', 'office:SEA1', 'outage:O1'], ['outage.cancelled', 'H1', 'office:SEA1', 'outage:O1'],
  ]);
});
