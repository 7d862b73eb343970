/** Relocation end to end on both stores: assign, answer, overdue, complete, cancel; the hub applies from the deadline. */
import { setUpEvaluatedCompany, refused } from '../testing/workflows.js';
import assert from 'node:assert/strict';
import { forEachStore } from '../testing/stores.js';
import { EMPLOYEES_CSV } from '../testing/fixtures.js';
import type { Db } from '../store/db.js';
import { fixedClock, type Deps } from './deps.js';
import { evaluateWeeks } from './evaluate-weeks.js';
import { getCompliance } from './get-compliance.js';
import { resolveActor } from './actor.js';
import { HubdayError } from '../errors.js';
import { OPERATOR, type Actor } from '../engine/org.js';
import type { LocalDate } from '../engine/dates.js';
import { findAuditEntries } from '../store/audit.repository.js';
import { getEmployee } from '../store/employee.repository.js';
import {
  assignRelocation, cancelRelocation, checkOverdueRelocations, completeRelocation, listRelocationsFor, respondRelocation, showRelocation,
} from './relocations.js';

const d = (s: string) => s as LocalDate;

const HR_EMPLOYEES_CSV = EMPLOYEES_CSV.replace('V1,v1@example.com,Vera Vance,,10', 'V1,v1@example.com,Vera Vance,C1,10') +
  `C1,c1@example.com,Cleo Chief,,11,product,Exec,SEA1,hybrid,2010-01-04,
H1,h1@example.com,Hana Hart,C1,6,hr,People,SEA1,office,2016-01-04,
U1,u1@example.com,Uma Ueda,C1,5,sales,Sales,SEA1,hybrid,2019-01-07,
R1,r1@example.com,Ravi Rao,M1,5,software_engineering,Retail,LON1,remote,2021-06-01,
`;

function depsAt(db: Db, iso: string): Deps {
  return { db, clock: fixedClock(iso), log: () => undefined };
}

const setUp = (db: Db) => setUpEvaluatedCompany(db, { employeesCsv: HR_EMPLOYEES_CSV, hr: ['H1'] });

forEachStore('a remote employee is assigned a hub; accepts; becomes overdue; HR completes; the hub applies from the deadline', async (_t, db) => {
  const deps = await setUp(db);
  const as = (id: string): Promise<Actor> => resolveActor(deps, id);
  const input = { employeeId: 'E101', hub: 'SEA1', deadline: d('2026-12-14') };
  await refused(assignRelocation(deps, await as('M1'), input), 'not_hr_or_vp', 'forbidden');
  await refused(assignRelocation(deps, await as('E101'), input), 'own_relocation', 'forbidden');
  await refused(assignRelocation(deps, await as('H1'), { ...input, employeeId: 'E100' }), 'not_remote', 'conflict');
  await refused(assignRelocation(deps, await as('H1'), { ...input, deadline: d('2026-11-30') }), 'deadline_not_future', 'conflict');
  await assert.rejects(assignRelocation(deps, await as('H1'), { ...input, hub: 'NOPE' }), (e) => e instanceof HubdayError && e.code === 'not_found');

  const assigned = await assignRelocation(deps, await as('H1'), input);
  assert.equal(assigned.relocation.status, 'assigned');
  assert.equal(assigned.relocation.hubInForceFrom, '2026-12-14');
  await refused(assignRelocation(deps, await as('V1'), input), 'relocation_exists', 'conflict');
  await refused(respondRelocation(deps, await as('M1'), { employeeId: 'E101', answer: 'accept' }), 'not_the_employee', 'forbidden');
  assert.equal((await respondRelocation(deps, await as('E101'), { employeeId: 'E101', answer: 'accept' })).status, 'accepted');

  // Reads: the person, their chain, HR; not an unrelated employee.
  assert.equal((await showRelocation(deps, await as('M1'), { employeeId: 'E101' })).targetOfficeId, 'SEA1');
  await refused(showRelocation(deps, await as('U1'), { employeeId: 'E101' }), 'not_in_reporting_line', 'forbidden');
  assert.deepEqual((await listRelocationsFor(deps, await as('U1'))).length, 0);

  // Three weeks later the deadline has passed: listed for HR, written by the check.
  const later = depsAt(db, '2026-12-21T09:00:00Z');
  const overdueListed = await listRelocationsFor(later, await resolveActor(later, 'H1'), { overdue: true });
  assert.deepEqual(overdueListed.map((r) => [r.employeeId, r.status, r.currentStatus, r.overdue]), [['E101', 'accepted', 'overdue', true]]);
  assert.deepEqual((await listRelocationsFor(deps, await as('H1'), { overdue: true })).length, 0, 'not overdue before the deadline');
  await refused(checkOverdueRelocations(later, await resolveActor(later, 'M1')), 'not_hr', 'forbidden');
  const marked = await checkOverdueRelocations(later, OPERATOR);
  assert.deepEqual(marked.map((r) => [r.employeeId, r.status]), [['E101', 'overdue']]);
  assert.deepEqual(await checkOverdueRelocations(later, OPERATOR), [], 'once');

  // From the deadline's week on, E101 is judged at the hub as hybrid (rto-3 covers them): no badges → non_compliant.
  await evaluateWeeks(later, { from: d('2026-12-07'), to: d('2026-12-20') });
  const weeks = (await getCompliance(later, { employeeId: 'E101', from: d('2026-12-07'), to: d('2026-12-20') })).weeks;
  assert.deepEqual(weeks.map((w) => [w.week, w.status, w.homeOfficeId]), [['2026-W50', 'no_policy', 'SEA1'], ['2026-W51', 'non_compliant', 'SEA1']]);

  await refused(completeRelocation(later, await resolveActor(later, 'V1'), { employeeId: 'E101' }), 'not_hr', 'forbidden');
  const done = await completeRelocation(later, await resolveActor(later, 'H1'), { employeeId: 'E101' });
  assert.equal(done.relocation.status, 'relocated');
  assert.equal(done.relocation.currentStatus, 'relocated');
  assert.equal((await listRelocationsFor(later, OPERATOR, { overdue: true })).length, 0);
  await refused(respondRelocation(later, await resolveActor(later, 'E101'), { employeeId: 'E101', answer: 'decline' }), 'relocation_closed', 'conflict');

  const actions = (await findAuditEntries(db, { subject: 'E101', action: 'relocation.', limit: 100 })).map((e) => [e.action, e.actor]);
  assert.deepEqual(actions, [['relocation.assigned', 'H1'], ['relocation.accepted', 'E101'], ['relocation.overdue', 'operator'], ['relocation.completed', 'H1']]);
});

forEachStore('decline, cancel by the VP, reassign; completing can move the home office and re-evaluates', async (_t, db) => {
  const deps = await setUp(db);
  const as = (id: string): Promise<Actor> => resolveActor(deps, id);
  await assignRelocation(deps, await as('V1'), { employeeId: 'R1', hub: 'LON1', deadline: d('2027-01-04') });
  assert.equal((await respondRelocation(deps, await as('R1'), { employeeId: 'R1', answer: 'decline', note: 'family reasons' })).status, 'declined');
  await refused(completeRelocation(deps, await as('H1'), { employeeId: 'R1' }), 'relocation_closed', 'conflict');
  await refused(cancelRelocation(deps, await as('M1'), { employeeId: 'R1' }), 'not_hr_or_vp', 'forbidden');
  assert.equal((await cancelRelocation(deps, await as('C1'), { employeeId: 'R1', reason: 'role made remote' })).relocation.status, 'cancelled');
  await refused(cancelRelocation(deps, await as('H1'), { employeeId: 'R1' }), 'relocation_closed', 'conflict');
  const again = await assignRelocation(deps, await as('H1'), { employeeId: 'R1', hub: 'SEA1', deadline: d('2027-02-01') });
  assert.deepEqual([again.relocation.status, again.relocation.targetOfficeId, again.relocation.responseNote], ['assigned', 'SEA1', null]);
  const done = await completeRelocation(deps, await as('H1'), { employeeId: 'R1', setHomeOffice: true });
  assert.equal(done.relocation.previousHomeOfficeId, 'LON1');
  assert.equal((await getEmployee(db, 'R1'))!.homeOfficeId, 'SEA1');
  assert.ok(done.reevaluated >= 2, 'R1 evaluated weeks re-evaluated');
  const w47 = (await getCompliance(deps, { employeeId: 'R1', from: d('2026-11-16'), to: d('2026-11-22') })).weeks[0]!;
  assert.equal(w47.homeOfficeId, 'SEA1');
  const audit = (await findAuditEntries(db, { subject: 'R1', limit: 100 })).map((e) => e.action);
  assert.ok(audit.includes('employee.home_office_changed'));
  assert.ok(!JSON.stringify(await findAuditEntries(db, { limit: 1000 })).includes('family reasons'), 'the employee\'s note stays out of the log');
});
