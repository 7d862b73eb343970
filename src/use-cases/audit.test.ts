/** The audit log in the store: written with the changes, verified, tampered with by SQL, read back. */
import assert from 'node:assert/strict';
import { forEachStore } from '../testing/stores.js';
import { refused, setUpEvaluatedCompany } from '../testing/workflows.js';
import { migrate } from '../store/migrate.js';
import type { Db } from '../store/db.js';
import { fixedClock, type Deps } from './deps.js';
import { verifyAudit, showAudit } from './audit-log.js';
import { resolveActor } from './actor.js';
import { grantRole } from './roles.js';
import { viewCompliance, viewTeam } from './view-attendance.js';
import { getMyView, exportPerson } from './person.js';
import { appendAuditEntries, findAuditEntries } from '../store/audit.repository.js';
import { OPERATOR } from '../engine/org.js';
import type { LocalDate, IsoWeek } from '../engine/dates.js';

const d = (s: string) => s as LocalDate;

function depsOf(db: Db): Deps {
  return { db, clock: fixedClock('2026-11-30T12:00:00Z'), log: () => undefined };
}

const company = (db: Db): Promise<Deps> => setUpEvaluatedCompany(db);

forEachStore('every import and policy is audited, and the untouched chain verifies', async (_t, db) => {
  const deps = await company(db);
  const entries = await findAuditEntries(db, {});
  assert.deepEqual(entries.map((e) => e.action), ['import.offices', 'import.holidays', 'import.employees', 'import.leave', 'import.badges', 'policy.applied']);
  assert.deepEqual(JSON.parse(entries[4]!.after!).new > 0, true);
  const v = await verifyAudit(deps);
  assert.equal(v.ok, true);
  assert.equal(v.checked, 6);
  assert.equal(v.head.seq, 6);
  assert.equal((await verifyAudit(deps, { expectHead: v.head })).ok, true);
});

forEachStore('tampering by SQL is named at the right entry: edit, delete, reorder, insert, truncate', async (_t, db) => {
  const deps = await company(db);
  const good = await verifyAudit(deps);
  const snapshot = await db.query<Record<string, unknown>>('SELECT * FROM audit_entry ORDER BY seq');
  const restore = async () => {
    await db.exec('DELETE FROM audit_entry');
    for (const r of snapshot) {
      await db.query('INSERT INTO audit_entry (seq, at, actor, action, subject, entity, before, after, reason, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)',
        [r.seq, r.at, r.actor, r.action, r.subject, r.entity, r.before, r.after, r.reason, r.prev_hash, r.hash]);
    }
    assert.equal((await verifyAudit(deps)).ok, true);
  };
  const brokenAt = async () => (await verifyAudit(deps)).firstBroken?.seq;

  await db.exec(`UPDATE audit_entry SET after = replace(after, '"new":', '"new":1') WHERE seq = 3`);
  assert.equal(await brokenAt(), 3, 'edit');
  await restore();

  await db.exec('DELETE FROM audit_entry WHERE seq = 4');
  assert.equal(await brokenAt(), 4, 'delete');
  await restore();

  await db.exec('UPDATE audit_entry SET seq = -seq WHERE seq IN (2, 3)');
  await db.exec('UPDATE audit_entry SET seq = 3 WHERE seq = -2');
  await db.exec('UPDATE audit_entry SET seq = 2 WHERE seq = -3');
  assert.equal(await brokenAt(), 2, 'reorder');
  await restore();

  await db.exec('UPDATE audit_entry SET seq = seq + 100 WHERE seq >= 5');
  await db.exec('UPDATE audit_entry SET seq = seq - 99 WHERE seq >= 105');
  await db.query(`INSERT INTO audit_entry (seq, at, actor, action, subject, entity, before, after, reason, prev_hash, hash)
    SELECT 5, at, 'M1', 'promotion.approved', 'E100', NULL, NULL, NULL, NULL, hash, repeat('a', 64) FROM audit_entry WHERE seq = 4`);
  assert.equal(await brokenAt(), 5, 'insert');
  await restore();

  await db.exec('DELETE FROM audit_entry WHERE seq = 6');
  assert.equal((await verifyAudit(deps)).ok, true, 'a truncated end alone still chains');
  const t = await verifyAudit(deps, { expectHead: good.head });
  assert.equal(t.ok, false);
  assert.equal(t.firstBroken!.seq, 6, 'truncate, against the recorded head');
});

forEachStore('reads of another person are authorised and audited; me shows who looked; export-person holds everything', async (_t, db) => {
  const deps = await company(db);
  const e100 = await resolveActor(deps, 'E100');
  const m1 = await resolveActor(deps, 'M1');
  const e101 = await resolveActor(deps, 'E101');

  // Reading oneself is not recorded; a manager's read is.
  await viewCompliance(deps, e100, { employeeId: 'E100', from: d('2026-11-16'), to: d('2026-11-29') });
  await viewCompliance(deps, m1, { employeeId: 'E100', from: d('2026-11-16'), to: d('2026-11-29') });
  await refused(viewCompliance(deps, e101, { employeeId: 'E100', from: d('2026-11-16'), to: d('2026-11-29') }), 'not_in_reporting_line');
  const team = await viewTeam(deps, m1, { managerId: 'M1', week: '2026-W48' as IsoWeek, monday: d('2026-11-23'), indirect: false });
  assert.ok(team.members.length >= 2);
  await refused(viewTeam(deps, e100, { managerId: 'M1', week: '2026-W48' as IsoWeek, monday: d('2026-11-23'), indirect: false }), 'not_in_reporting_line');

  // HR reads everyone once granted the role (roles are granted by the operator or an admin).
  await refused(grantRole(deps, e100, { employeeId: 'E100', role: 'hr' }), 'not_an_admin');
  await grantRole(deps, OPERATOR, { employeeId: 'E101', role: 'hr' });
  const hr = await resolveActor(deps, 'E101');
  await viewCompliance(deps, hr, { employeeId: 'E100', from: d('2026-11-16'), to: d('2026-11-29') });

  const me = await getMyView(deps, e100);
  assert.equal(me.employeeId, 'E100');
  assert.ok(me.weeks.length > 0);
  assert.deepEqual(me.accessedBy.map((a) => a.actor), ['M1', 'M1', 'E101']);
  await refused(getMyView(deps, OPERATOR), 'actor_required');

  await refused(exportPerson(deps, m1, { employeeId: 'E100' }), 'not_person_or_hr');
  const x = await exportPerson(deps, e100, { employeeId: 'E100' });
  assert.equal(x.employeeId, 'E100');
  assert.equal(x.tables.employee!.length, 1);
  assert.ok(x.tables.badge_event!.length > 0);
  assert.ok(x.tables.weekly_compliance!.length > 0);
  // Partitions of weekly_compliance hold its rows, not rows of their own.
  assert.deepEqual(Object.keys(x.tables).filter((t) => t.startsWith('weekly_compliance_')), []);
  assert.ok(x.audit.some((e) => e.action === 'attendance.viewed'));
  // The export itself is recorded, and the chain still verifies.
  assert.equal((await findAuditEntries(db, { action: 'person.exported' })).length, 1);
  assert.equal((await verifyAudit(deps)).ok, true);

  // Only auditors read the whole log; a person reads entries about themself.
  await refused(showAudit(deps, e100, {}), 'not_an_auditor');
  assert.ok((await showAudit(deps, e100, { subject: 'E100' })).length >= 3);
  assert.ok((await showAudit(deps, hr, { action: 'attendance.' })).length >= 3);
});

forEachStore('a large append (a VP reading a whole org) is batched under the parameter limit and still chains', async (_t, db) => {
  await migrate(db);
  const deps = depsOf(db);
  const drafts = Array.from({ length: 7000 }, (_, i) => ({ actor: 'V1', action: 'attendance.viewed', subject: `E${i}`, after: { view: 'team V1 2026-W48' } }));
  await db.transaction((tx) => appendAuditEntries(tx, drafts, deps.clock.now()));
  const v = await verifyAudit(deps);
  assert.deepEqual([v.ok, v.checked, v.head.seq], [true, 7000, 7000]);
});
