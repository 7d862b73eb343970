/** Discipline use cases on both stores: cases walked step by step with the clock, refusals by code, late data flags. */
import assert from 'node:assert/strict';
import { forEachStore } from '../testing/stores.js';
import { refused, setUpChainCompany } from '../testing/workflows.js';
import type { Db } from '../store/db.js';
import { fixedClock, type Deps } from './deps.js';
import { importFile } from './import-file.js';
import { evaluateWeeks } from './evaluate-weeks.js';
import { evaluateChanged } from './evaluate-changed.js';
import { resolveActor } from './actor.js';
import { findAuditEntries, readAuditPage } from '../store/audit.repository.js';
import { verifyChain } from '../audit/chain.js';
import { type LocalDate } from '../engine/dates.js';
import { acknowledge, clearReview, closeCase, escalate, hrReview, listCases, refuseAcknowledgement, showCase, warn } from './discipline.js';

const d = (s: string) => s as LocalDate;

/** M1's reports, under the chain of CHAIN_CSV (C1 → V1 → D1 → M1; X1 beside M1; HR H1, H2). */
const REPORTS_CSV = `E3,e3@example.com,Eli Three,M1,5,software_engineering,Retail,SEA1,hybrid,2020-01-06,
E4,e4@example.com,Fay Four,M1,5,software_engineering,Retail,SEA1,hybrid,2020-01-06,
E5,e5@example.com,Gus Five,M1,5,software_engineering,Retail,SEA1,hybrid,2020-01-06,
E6,e6@example.com,Ida Six,M1,5,software_engineering,Retail,SEA1,hybrid,2020-01-06,
E7,e7@example.com,Jo Seven,M1,5,software_engineering,Retail,SEA1,hybrid,2020-01-06,
`;

/** Weeks from Monday 2026-08-31 (13 weeks, to 2026-11-29): C = present Tue–Thu, N = present Tue only. */
const PATTERNS: Record<string, string> = {
  E3: 'NNNNNNNNNNCCC',
  E4: 'NNNNNNNNCCCCC',
  E5: 'CCCCCCCCCCNNC',
  E6: 'NNNNNNNNNNNNN',
  E7: 'CCCCCCCCCCCNN',
};

/** The use-case deps with the clock at noon UTC of a day. */
function on(db: Db, day: string): Deps {
  return { db, clock: fixedClock(`${day}T17:00:00Z`), log: () => undefined };
}

async function setUp(db: Db) {
  const { deps, fx } = await setUpChainCompany(db, { reports: REPORTS_CSV, patterns: PATTERNS, at: '2026-11-30T17:00:00Z' });
  const as = (id: string) => resolveActor(deps, id);
  return { deps, fx, as };
}

forEachStore('discipline: verbal, written, HR review, termination eligibility — each refused until its preconditions hold', async (_t, db) => {
  const { as } = await setUp(db);
  const M1 = await as('M1');
  const E3 = await as('E3');

  // 2026-09-15: the weeks of 08-31 and 09-07 are non-compliant.
  const v = await warn(on(db, '2026-09-15'), M1, { employeeId: 'E3', step: 'verbal_warning', reason: 'two weeks at one day; discussed 1:1' });
  assert.deepEqual([v.caseId, v.stage, v.steps.length, v.steps[0]!.takenOn, v.steps[0]!.ack], ['DC1', 'verbal_warning', 1, '2026-09-15', null]);
  const ev = v.steps[0]!.evidence as any;
  assert.deepEqual(ev.countedWeeks, ['2026-08-31', '2026-09-07']);
  assert.deepEqual(ev.weeks.map((w: any) => [w.week, w.status, w.present, w.required, w.counted]), [
    ['2026-W36', 'non_compliant', 1, 3, true],
    ['2026-W37', 'non_compliant', 1, 2, true], // Labor Day
  ]);
  assert.deepEqual(ev.weeks[0].policy, { id: 'rto-3', version: 1 });
  assert.deepEqual([ev.rules.nonCompliantWeeksPerStep, ev.rules.minDaysBetweenSteps, ev.asOf, ev.since], [2, 7, '2026-09-15', null]);
  assert.equal(ev.standing.goodStanding, false);
  assert.deepEqual(v.next.blockers.map((b) => b.reason), ['previous_step_unacknowledged', 'too_soon', 'not_enough_noncompliant_weeks']);

  await refused(warn(on(db, '2026-09-16'), M1, { employeeId: 'E3', step: 'verbal_warning', reason: 'x' }), 'case_already_open');
  await refused(warn(on(db, '2026-09-16'), M1, { employeeId: 'E3', step: 'written_warning', reason: 'x' }), 'previous_step_unacknowledged');
  await refused(warn(on(db, '2026-09-16'), E3, { employeeId: 'E3', step: 'written_warning', reason: 'x' }), 'own_case');
  await refused(warn(on(db, '2026-09-16'), await as('X1'), { employeeId: 'E3', step: 'written_warning', reason: 'x' }), 'not_in_reporting_line');
  await refused(warn(on(db, '2026-09-16'), M1, { employeeId: 'E3', step: 'written_warning', reason: '' }), 'reason_required');
  await refused(acknowledge(on(db, '2026-09-16'), M1, { caseId: 'DC1' }), 'not_the_employee');
  await acknowledge(on(db, '2026-09-16'), E3, { caseId: 'DC1' });
  await refused(acknowledge(on(db, '2026-09-17'), E3, { caseId: 'DC1' }), 'already_acknowledged');
  await refused(warn(on(db, '2026-09-20'), M1, { employeeId: 'E3', step: 'written_warning', reason: 'x' }), 'too_soon');
  await refused(warn(on(db, '2026-09-27'), M1, { employeeId: 'E3', step: 'written_warning', reason: 'x' }), 'not_enough_noncompliant_weeks');

  const w = await warn(on(db, '2026-10-06'), await as('D1'), { employeeId: 'E3', step: 'written_warning', reason: 'two more weeks at one day' });
  assert.equal(w.stage, 'written_warning');
  assert.deepEqual((w.steps[1]!.evidence as any).countedWeeks, ['2026-09-21', '2026-09-28']);
  assert.deepEqual([(w.steps[1]!.evidence as any).since, (w.steps[1]!.evidence as any).daysSincePreviousStep], ['2026-09-15', 21]);
  await refused(refuseAcknowledgement(on(db, '2026-10-07'), M1, { caseId: 'DC1', reason: ' ' }), 'reason_required');
  await refuseAcknowledgement(on(db, '2026-10-07'), M1, { caseId: 'DC1', reason: 'declined to sign in the meeting of 10-07; H1 present' });

  await refused(escalate(on(db, '2026-10-20'), M1, { caseId: 'DC1', reason: 'x' }), 'not_enough_noncompliant_weeks');
  await refused(escalate(on(db, '2026-10-27'), M1, { caseId: 'DC1', reason: 'x' }), 'hr_review_required');
  await refused(hrReview(on(db, '2026-10-27'), M1, { caseId: 'DC1', approve: true, reason: 'x' }), 'reviewer_not_hr');
  await hrReview(on(db, '2026-10-27'), await as('H1'), { caseId: 'DC1', approve: false, reason: 'talk to the employee about commute first' });
  await refused(escalate(on(db, '2026-10-27'), M1, { caseId: 'DC1', reason: 'x' }), 'hr_review_rejected');
  await hrReview(on(db, '2026-10-28'), await as('H2'), { caseId: 'DC1', approve: true, reason: 'process followed; no exception requested' });
  const t = await escalate(on(db, '2026-10-28'), M1, { caseId: 'DC1', reason: 'four more weeks at one day' });
  assert.equal(t.stage, 'termination_eligible');
  assert.deepEqual((t.steps[2]!.evidence as any).hrReview, { status: 'approved', by: 'H2', on: '2026-10-28', forStep: 1 });
  assert.deepEqual(t.steps.map((s) => [s.step, s.takenBy, s.takenOn, s.ack?.kind ?? null]), [
    ['verbal_warning', 'M1', '2026-09-15', 'acknowledged'],
    ['written_warning', 'D1', '2026-10-06', 'refused'],
    ['termination_eligible', 'M1', '2026-10-28', null],
  ]);

  // Reads: the person, their chain and HR; others refused.
  assert.equal((await showCase(on(db, '2026-10-29'), E3, { caseId: 'DC1' })).stage, 'termination_eligible');
  assert.equal((await showCase(on(db, '2026-10-29'), await as('V1'), { caseId: 'DC1' })).caseId, 'DC1');
  await refused(showCase(on(db, '2026-10-29'), await as('X1'), { caseId: 'DC1' }), 'not_in_reporting_line');
  assert.deepEqual((await listCases(on(db, '2026-10-29'), await as('X1'))).length, 0);
  assert.deepEqual((await listCases(on(db, '2026-10-29'), await as('H1'))).map((c) => c.caseId), ['DC1']);

  const closed = await closeCase(on(db, '2026-11-02'), await as('H1'), { caseId: 'DC1', outcome: 'terminated', reason: 'employment ended 2026-11-02' });
  assert.deepEqual([closed.stage, closed.outcome, closed.closedFrom], ['closed', 'terminated', 'termination_eligible']);
  await refused(acknowledge(on(db, '2026-11-03'), E3, { caseId: 'DC1' }), 'case_closed');
  await refused(escalate(on(db, '2026-11-03'), M1, { caseId: 'DC1', reason: 'x' }), 'case_closed');

  const entries = await findAuditEntries(db, { action: 'discipline.' });
  assert.deepEqual(entries.map((e) => [e.action, e.actor, e.subject, e.entity]), [
    ['discipline.verbal_warning', 'M1', 'E3', 'discipline:DC1'],
    ['discipline.acknowledged', 'E3', 'E3', 'discipline:DC1'],
    ['discipline.written_warning', 'D1', 'E3', 'discipline:DC1'],
    ['discipline.acknowledgement_refused', 'M1', 'E3', 'discipline:DC1'],
    ['discipline.hr_reviewed', 'H1', 'E3', 'discipline:DC1'],
    ['discipline.hr_reviewed', 'H2', 'E3', 'discipline:DC1'],
    ['discipline.termination_eligible', 'M1', 'E3', 'discipline:DC1'],
    ['discipline.closed', 'H1', 'E3', 'discipline:DC1'],
  ]);
  const first = JSON.parse(entries[0]!.after!);
  assert.deepEqual([first.caseId, first.stage, first.counted, first.needed, first.weeks, first.standing.goodStanding], ['DC1', 'verbal_warning', 2, 2, ['2026-08-31', '2026-09-07'], false]);
  assert.equal(entries[0]!.at, '2026-09-15T17:00:00.000Z');
  assert.doesNotMatch(entries.map((e) => `${e.after} ${e.before}`).join(' '), /Eli|example\.com/);
  assert.equal(verifyChain(await readAuditPage(db, 0, 10_000)).ok, true);
});

forEachStore('discipline: resolution suggested and recorded; an active exception and an open dispute block a step; late data flags a case for review', async (_t, db) => {
  const { deps, fx, as } = await setUp(db);
  const M1 = await as('M1');
  const H1 = await as('H1');

  // Resolution: E4 warned on 10-27, compliant from the week of 11-02.
  await warn(on(db, '2026-10-27'), M1, { employeeId: 'E4', step: 'verbal_warning', reason: 'x' });
  await acknowledge(on(db, '2026-10-28'), await as('E4'), { caseId: 'DC1' });
  await refused(closeCase(on(db, '2026-11-05'), M1, { caseId: 'DC1', outcome: 'resolved', reason: 'x' }), 'not_enough_compliant_weeks');
  const suggested = (await listCases(on(db, '2026-11-30'), M1, { open: true })).find((c) => c.caseId === 'DC1')!;
  assert.deepEqual([suggested.resolution!.eligible, suggested.resolution!.run, suggested.resolution!.weeks[0]], [true, 4, '2026-11-02']);
  assert.equal((await showCase(on(db, '2026-11-30'), M1, { caseId: 'DC1' })).stage, 'verbal_warning', 'nothing happens by itself');
  await refused(closeCase(on(db, '2026-11-30'), M1, { caseId: 'DC1', outcome: 'withdrawn', reason: 'x' }), 'withdraw_requires_hr');
  const resolved = await closeCase(on(db, '2026-11-30'), M1, { caseId: 'DC1', outcome: 'resolved', reason: 'back to three days a week' });
  assert.deepEqual([resolved.outcome, (resolved.closeEvidence as any).run], ['resolved', 4]);

  // An approved exception covering today blocks every step.
  await db.query(`INSERT INTO exception_grant (employee_id, exception_id, kind, start_date, end_date, effect, days_per_week, status)
                  VALUES ('E6', 'XT1', 'caregiving', '2026-11-01', '2026-12-31', 'reduced', 2, 'approved')`);
  await refused(warn(deps, M1, { employeeId: 'E6', step: 'verbal_warning', reason: 'x' }), 'exception_active');

  // An open dispute on a non-compliant week: that week is not evidence.
  await db.query(`INSERT INTO dispute (dispute_id, employee_id, day, office_id, reason, status, opened_by, opened_at)
                  VALUES ('T1', 'E7', '2026-11-18', 'SEA1', 'reader down', 'open', 'E7', now())`);
  const e = await refused(warn(deps, M1, { employeeId: 'E7', step: 'verbal_warning', reason: 'x' }), 'not_enough_noncompliant_weeks');
  assert.match(e.message, /1 more left out while a dispute on them is open/);
  await db.query(`UPDATE dispute SET status = 'rejected' WHERE dispute_id = 'T1'`);
  assert.equal((await warn(deps, M1, { employeeId: 'E7', step: 'verbal_warning', reason: 'x' })).stage, 'verbal_warning');

  // Late data: E5 warned on 11-24 on the weeks of 11-09 and 11-16; late badges make 11-16 compliant.
  const c = await warn(on(db, '2026-11-24'), M1, { employeeId: 'E5', step: 'verbal_warning', reason: 'two weeks at one day' });
  assert.deepEqual((c.steps[0]!.evidence as any).countedWeeks, ['2026-11-09', '2026-11-16']);
  await importFile(deps, { kind: 'badges', file: fx.write('late.csv', 'event_id,employee_id,office_id,timestamp,direction\nL1,E5,SEA1,2026-11-18T16:30:00Z,in\nL2,E5,SEA1,2026-11-19T16:30:00Z,in\n') });
  await evaluateChanged(deps);
  const flagged = await showCase(deps, H1, { caseId: c.caseId });
  assert.equal(flagged.needsReview, true);
  assert.deepEqual(flagged.reviewChanges, [{
    weekStart: '2026-11-16', stepNo: 1,
    before: { status: 'non_compliant', present: 1, required: 3 }, after: { status: 'compliant', present: 3, required: 3 },
  }]);
  assert.deepEqual((flagged.steps[0]!.evidence as any).weeks.find((w: any) => w.weekStart === '2026-11-16').status, 'non_compliant', 'the evidence is never rewritten');
  assert.deepEqual((await listCases(deps, H1, { needsReview: true })).map((x) => x.caseId), [c.caseId]);
  assert.deepEqual(flagged.next.blockers[0]!.reason, 'case_needs_review');
  const flags = await findAuditEntries(db, { action: 'discipline.flagged_for_review' });
  assert.deepEqual(flags.map((f) => [f.actor, f.subject, f.entity]), [['system', 'E5', `discipline:${c.caseId}`]]);
  // Re-running an evaluation flags nothing new.
  await evaluateWeeks(deps, { from: d('2026-11-16'), to: d('2026-11-22') });
  assert.equal((await findAuditEntries(db, { action: 'discipline.flagged_for_review' })).length, 1);

  await refused(clearReview(deps, await as('E5'), { caseId: c.caseId, note: 'x' }), 'own_case');
  await refused(clearReview(deps, H1, { caseId: c.caseId, note: '' }), 'reason_required');
  const cleared = await clearReview(deps, H1, { caseId: c.caseId, note: 'one week changed; the warning still rests on 11-09 only: M1 to discuss withdrawing it' });
  assert.deepEqual([cleared.needsReview, cleared.reviewCleared!.by, cleared.reviewCleared!.changes.length], [false, 'H1', 1]);
  await refused(clearReview(deps, H1, { caseId: c.caseId, note: 'again' }), 'no_review_pending');
  await evaluateWeeks(deps, { from: d('2026-11-09'), to: d('2026-11-22') });
  assert.equal((await showCase(deps, H1, { caseId: c.caseId })).needsReview, false, 'a reviewed change does not flag the case again');
  assert.deepEqual((await findAuditEntries(db, { action: 'discipline.review_cleared' })).map((x) => [x.actor, x.subject]), [['H1', 'E5']]);
  assert.equal(verifyChain(await readAuditPage(db, 0, 10_000)).ok, true);
});
