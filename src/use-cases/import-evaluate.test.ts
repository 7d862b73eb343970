/** Use cases end to end on both stores: import, apply a policy, evaluate, read. */
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { forEachStore } from '../testing/stores.js';
import { writeFixtures, type FixtureFiles } from '../testing/fixtures.js';
import { migrate } from '../store/migrate.js';
import type { CopyFormat, Db } from '../store/db.js';
import { fixedClock, type Deps } from './deps.js';
import { importFile } from './import-file.js';
import { applyPolicy } from './apply-policy.js';
import { evaluateWeeks } from './evaluate-weeks.js';
import { getCompliance } from './get-compliance.js';
import { getStanding } from './get-standing.js';
import { getTeam } from './get-team.js';
import { presentWeeklyRecord } from '../presenters/records.js';
import { HubdayError } from '../errors.js';
import type { LocalDate, IsoWeek } from '../engine/dates.js';

function depsOf(db: Db): Deps {
  return { db, clock: fixedClock('2026-11-30T12:00:00Z'), log: () => undefined };
}

async function loadAll(deps: Deps, fx: FixtureFiles): Promise<void> {
  await importFile(deps, { kind: 'offices', file: fx.offices });
  await importFile(deps, { kind: 'holidays', file: fx.holidays });
  await importFile(deps, { kind: 'employees', file: fx.employees });
  await importFile(deps, { kind: 'leave', file: fx.leave });
  await importFile(deps, { kind: 'badges', file: fx.badges });
  await applyPolicy(deps, { file: fx.policy });
}

const d = (s: string) => s as LocalDate;

async function count(db: Db, table: string): Promise<number> {
  return Number((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n);
}

async function expectInputError(p: Promise<unknown>, pattern: RegExp): Promise<HubdayError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof HubdayError, `expected a HubdayError, got ${e}`);
    assert.equal(e.code, 'invalid_input');
    assert.match(e.message, pattern);
    return e;
  }
  assert.fail(`expected an error matching ${pattern}`);
}

forEachStore('the DESIGN example week and the statuses of a small company', async (_t, db) => {
  await migrate(db);
  const deps = depsOf(db);
  await loadAll(deps, writeFixtures());
  const s = await evaluateWeeks(deps, { from: d('2026-11-16'), to: d('2026-11-29') });
  assert.equal(s.weeks, 2);
  assert.equal(s.employees, 7);
  assert.equal(s.records, 14);

  const c = await getCompliance(deps, { employeeId: 'E100', from: d('2026-11-16'), to: d('2026-11-29') });
  assert.deepEqual(c.weeks.map((w) => [w.week, w.status, w.required, w.present, w.available]), [
    ['2026-W47', 'compliant', 3, 3, 5],
    ['2026-W48', 'non_compliant', 2, 1, 4],
  ]);
  const w48 = presentWeeklyRecord(c.weeks[1]!);
  assert.deepEqual(
    { employeeId: w48.employeeId, week: w48.week, policy: w48.policy, status: w48.status, required: w48.required, present: w48.present, available: w48.available,
      presentDays: (w48.presentDays as any[]).map(({ date, officeId, source, dwellMinutes }) => ({ date, officeId, source, dwellMinutes })),
      excusedDays: w48.excusedDays, explanation: w48.explanation },
    {
      employeeId: 'E100', week: '2026-W48', policy: { id: 'rto-3', version: 1 }, status: 'non_compliant', required: 2, present: 1, available: 4,
      presentDays: [{ date: '2026-11-24', officeId: 'SEA1', source: 'badge', dwellMinutes: 465 }],
      excusedDays: [{ date: '2026-11-26', reason: 'holiday', name: 'Thanksgiving Day' }],
      explanation: '2 of 4 available days required (3 × 4/5 = 2.4, rounded half up); present 1',
    },
  );
  // A day at another office (LON1) counts with countOffices = any.
  assert.deepEqual(c.weeks[0]!.presentDays.map((p) => `${p.date}@${p.officeId}`), ['2026-11-16@SEA1', '2026-11-17@SEA1', '2026-11-19@LON1']);

  const status = async (id: string) => (await getCompliance(deps, { employeeId: id, from: d('2026-11-16'), to: d('2026-11-29') })).weeks.map((w) => w.status);
  assert.deepEqual(await status('E101'), ['no_policy', 'no_policy']); // remote: outside rto-3's scope (no_policy comes before exempt)
  assert.deepEqual(await status('E102'), ['grace', 'grace']); // hired 2026-11-18
  assert.deepEqual(await status('E103'), ['compliant', 'not_employed']); // leave + company day, then terminated
  assert.deepEqual(await status('E104'), ['exempt', 'exempt']); // office not ready until 2026-12-01
  assert.deepEqual(await status('M1'), ['excused', 'excused']); // parental leave
  assert.deepEqual(await status('V1'), ['non_compliant', 'non_compliant']);

  const e103 = (await getCompliance(deps, { employeeId: 'E103', from: d('2026-11-16'), to: d('2026-11-22') })).weeks[0]!;
  assert.equal(e103.available, 2);
  assert.equal(e103.required, 1);
  assert.deepEqual(e103.excusedDays.map((x) => x.reason), ['leave', 'leave', 'holiday']);

  const team = await getTeam(deps, { managerId: 'M1', week: '2026-W47' as IsoWeek, monday: d('2026-11-16'), indirect: false });
  assert.deepEqual(team.members.map((m) => [m.employeeId, m.status]), [
    ['E100', 'compliant'], ['E101', 'no_policy'], ['E102', 'grace'], ['E103', 'compliant'], ['E104', 'exempt'],
  ]);
  const all = await getTeam(deps, { managerId: 'V1', week: '2026-W47' as IsoWeek, monday: d('2026-11-16'), indirect: true });
  assert.equal(all.members.length, 6);

  // Standing: 12 complete weeks ending 2026-11-29; the weeks not evaluated are computed from the same data.
  const st = await getStanding(deps, { employeeId: 'E100', asOf: d('2026-11-29') });
  assert.equal(st.windowWeeks, 12);
  assert.equal(st.counted, 12);
  assert.equal(st.compliant, 1);
  assert.equal(st.goodStanding, false);
  assert.equal(st.tier, 'limited');
  const remote = await getStanding(deps, { employeeId: 'E101', asOf: d('2026-11-29') });
  assert.equal(remote.counted, 0);
  assert.equal(remote.goodStanding, true);
  assert.equal(remote.ratio, null);
});

forEachStore('re-importing and re-evaluating change nothing; late events are picked up', async (_t, db) => {
  await migrate(db);
  const deps = depsOf(db);
  const fx = writeFixtures();
  await loadAll(deps, fx);
  const again = await importFile(deps, { kind: 'badges', file: fx.badges });
  assert.deepEqual([again.rows, again.new, again.duplicate, again.rejected], [10, 0, 10, 0]);
  assert.equal(await count(db, 'badge_event'), 10);
  await evaluateWeeks(deps, { from: d('2026-11-16'), to: d('2026-11-29') });
  await evaluateWeeks(deps, { from: d('2026-11-18'), to: d('2026-11-25') });
  assert.equal(await count(db, 'weekly_compliance'), 14);

  // A late event for Wednesday of the Thanksgiving week, in a file that repeats an old one.
  const late = fx.write('late.csv', 'event_id,employee_id,office_id,timestamp,direction\nb1,E100,SEA1,2026-11-24T16:00:00Z,in\nb9,E100,SEA1,2026-11-25T17:00:00Z,in\n');
  const s = await importFile(deps, { kind: 'badges', file: late });
  assert.deepEqual([s.new, s.duplicate], [1, 1]);
  let w48 = (await getCompliance(deps, { employeeId: 'E100', from: d('2026-11-23'), to: d('2026-11-29') })).weeks[0]!;
  assert.equal(w48.status, 'non_compliant', 'stored results stand until evaluated again');
  await evaluateWeeks(deps, { from: d('2026-11-23'), to: d('2026-11-23') });
  w48 = (await getCompliance(deps, { employeeId: 'E100', from: d('2026-11-23'), to: d('2026-11-29') })).weeks[0]!;
  assert.equal(w48.status, 'compliant');
  assert.equal(w48.present, 2);
});

forEachStore('a new policy version supersedes from its effectiveFrom; a bad policy file is refused', async (_t, db) => {
  await migrate(db);
  const deps = depsOf(db);
  const fx = writeFixtures();
  await loadAll(deps, fx);
  const v2 = fx.write('rto-3-v2.json', JSON.stringify({ id: 'rto-3', effectiveFrom: '2026-11-23', daysPerWeek: 1, scope: { arrangements: ['office', 'hybrid'] } }));
  const r = await applyPolicy(deps, { file: v2 });
  assert.equal(r.policy.version, 2);
  await evaluateWeeks(deps, { from: d('2026-11-16'), to: d('2026-11-29') });
  const c = await getCompliance(deps, { employeeId: 'E100', from: d('2026-11-16'), to: d('2026-11-29') });
  assert.deepEqual(c.weeks.map((w) => [w.policy?.version, w.status, w.required]), [[1, 'compliant', 3], [2, 'compliant', 1]]);
  assert.deepEqual([r.supersedes, r.laterVersions], [1, []]);
  // A back-dated version governs from its date until the later one's: the version in effect is
  // the one with the latest effectiveFrom on or before the week's Monday (DESIGN's tie-break).
  const v3 = fx.write('rto-3-v3.json', JSON.stringify({ id: 'rto-3', effectiveFrom: '2026-11-16', daysPerWeek: 2, scope: { arrangements: ['office', 'hybrid'] } }));
  const r3 = await applyPolicy(deps, { file: v3 });
  assert.deepEqual([r3.policy.version, r3.supersedes, r3.laterVersions], [3, 1, [{ version: 2, effectiveFrom: '2026-11-23' }]]);
  await evaluateWeeks(deps, { from: d('2026-11-16'), to: d('2026-11-29') });
  const c3 = await getCompliance(deps, { employeeId: 'E100', from: d('2026-11-16'), to: d('2026-11-29') });
  assert.deepEqual(c3.weeks.map((w) => [w.policy?.version, w.required]), [[3, 2], [2, 1]]);

  const bad = fx.write('bad.json', '{\n  "id": "x",\n  "effectiveFrom": "2026-01-05",\n  "daysPerWeek": 9,\n  "holidayRul": "cap"\n}\n');
  const e = await expectInputError(applyPolicy(deps, { file: bad }), /bad\.json:4:\d+: daysPerWeek: must be a whole number from 0 to 7/);
  assert.equal(e.problems.length, 2);
  assert.match(e.message, /bad\.json:5:\d+: holidayRul: unknown field "holidayRul"/);
  const syntax = fx.write('syntax.json', '{\n  "id": "x",\n  "effectiveFrom": 2026-01-05\n}\n');
  await expectInputError(applyPolicy(deps, { file: syntax }), /syntax\.json:3:\d+: not valid JSON/);
  assert.equal(await count(db, 'policy'), 3);
});

forEachStore('bad input stops the import with file, line, column and reason, and writes nothing', async (_t, db) => {
  await migrate(db);
  const deps = depsOf(db);
  const fx = writeFixtures();
  await loadAll(deps, fx);
  const before = await count(db, 'badge_event');
  const head = 'event_id,employee_id,office_id,timestamp,direction\n';
  const cases: [string, string, RegExp][] = [
    ['unknown-employee.csv', `${head}n1,E100,SEA1,2026-11-20T16:00:00Z,in\nn2,E999,SEA1,2026-11-20T16:00:00Z,in\n`, /unknown-employee\.csv:3:2: employee_id: unknown employee "E999"/],
    ['unknown-office.csv', `${head}n1,E100,XXX,2026-11-20T16:00:00Z,in\n`, /unknown-office\.csv:2:3: office_id: unknown office "XXX"/],
    ['bad-date.csv', `${head}n1,E100,SEA1,2026-13-20T16:00:00Z,in\n`, /bad-date\.csv:2:4: timestamp: /],
    ['no-offset.csv', `${head}n1,E100,SEA1,2026-11-20T16:00:00,in\n`, /no-offset\.csv:2:4: timestamp: timestamp needs a Z or a UTC offset/],
    ['bad-direction.csv', `${head}n1,E100,SEA1,2026-11-20T16:00:00Z,sideways\n`, /bad-direction\.csv:2:5: direction: /],
    ['columns.csv', `${head}n1,E100,SEA1,2026-11-20T16:00:00Z\n`, /columns\.csv:2:5: expected 5 fields as in the header, found 4/],
    ['quote.csv', `${head}n1,E1"00,SEA1,2026-11-20T16:00:00Z,in\n`, /quote\.csv:2:2: quote inside unquoted field/],
    ['unterminated.csv', `${head}n1,"E100,SEA1,2026-11-20T16:00:00Z,in\n`, /unterminated\.csv:2:2: unterminated quoted field/],
    ['missing-column.csv', 'event_id,employee_id,timestamp\nn1,E100,2026-11-20T16:00:00Z\n', /missing-column\.csv:1:\d+: missing required column "office_id"/],
    ['empty.csv', '', /empty\.csv:1:1: the file is empty/],
  ];
  for (const [name, content, pattern] of cases) {
    // Parsed on this thread and in a worker thread (what large files get): the same error.
    for (const parseInThread of [false, true]) {
      await expectInputError(importFile(deps, { kind: 'badges', file: fx.write(name, content), parseInThread }), pattern);
    }
  }
  assert.equal(await count(db, 'badge_event'), before, 'nothing of a bad file is written');
  await expectInputError(importFile(deps, { kind: 'badges', file: fx.write('missing.csv', '') + '.nope' }), /cannot read the file: no such file/);

  // A header only is a valid, empty file; a BOM and CRLF line ends are fine; columns in any order; quoted values.
  const ok1 = await importFile(deps, { kind: 'badges', file: fx.write('header-only.csv', head) });
  assert.deepEqual([ok1.rows, ok1.new], [0, 0]);
  const ok2 = await importFile(deps, {
    kind: 'badges',
    file: fx.write('bom-crlf.csv', '\uFEFFtimestamp,office_id,employee_id,event_id\r\n2026-11-20T16:00:00-08:00,SEA1,E100,"n,1"\r\n2026-11-20T17:00:00Z,SEA1,"E100",n2\r\n'),
  });
  assert.deepEqual([ok2.rows, ok2.new, ok2.rejected], [2, 2, 0]);

  // Employees: an unknown manager, a cycle, an unknown office, a bad level.
  const eh = 'employee_id,email,name,manager_id,level,home_office_id,arrangement,hire_date\n';
  await expectInputError(importFile(deps, { kind: 'employees', file: fx.write('e1.csv', `${eh}X1,x1@example.com,X,NOPE,5,SEA1,hybrid,2020-01-01\n`) }), /e1\.csv:2:4: manager_id: unknown employee "NOPE"/);
  await expectInputError(importFile(deps, { kind: 'employees', file: fx.write('e2.csv', `${eh}X1,x1@example.com,X,X2,5,SEA1,hybrid,2020-01-01\nX2,x2@example.com,Y,X1,5,SEA1,hybrid,2020-01-01\n`) }), /e2\.csv:2:4: manager_id: the manager links form a cycle/);
  await expectInputError(importFile(deps, { kind: 'employees', file: fx.write('e3.csv', `${eh}X1,x1@example.com,X,,5,ZZZ,hybrid,2020-01-01\n`) }), /e3\.csv:2:6: home_office_id: unknown office "ZZZ"/);
  await expectInputError(importFile(deps, { kind: 'employees', file: fx.write('e4.csv', `${eh}X1,x1@example.com,X,,five,SEA1,hybrid,2020-01-01\n`) }), /e4\.csv:2:5: level: /);
  await expectInputError(importFile(deps, { kind: 'employees', file: fx.write('e5.csv', `${eh}X1,x1@example.com,X,,5,SEA1,hybrid,2020-01-01\nX1,x1@example.com,X,,5,SEA1,hybrid,2020-01-01\n`) }), /e5\.csv:3:1: employee_id: "X1" appears twice in the file \(first on line 2\)/);
  assert.equal(await count(db, 'employee'), 7);
  await expectInputError(importFile(deps, { kind: 'offices', file: fx.write('o1.csv', 'office_id,name,timezone,country\nX,X,Mars/Olympus,US\n') }), /o1\.csv:2:3: timezone: /);
  await expectInputError(importFile(deps, { kind: 'offices', file: fx.write('o2.csv', 'office_id,name,timezone,country\nX,X,UTC,QQ\n') }), /o2\.csv:2:4: country: unknown country code "QQ"/);
  await expectInputError(importFile(deps, { kind: 'leave', file: fx.write('l1.csv', 'employee_id,start_date,end_date,kind\nE100,2026-11-20,2026-11-19,pto\n') }), /l1\.csv:2:3: end_date: /);
  await expectInputError(importFile(deps, { kind: 'holidays', file: fx.write('h1.csv', 'office_id,date,name,action\nSEA1,2026-11-20,X,move\n') }), /h1\.csv:2:4: action: /);
  assert.equal(await count(db, 'office'), 4);
});

forEachStore('--skip-invalid writes the rejected rows with reasons and imports the rest', async (_t, db) => {
  await migrate(db);
  const deps = depsOf(db);
  const fx = writeFixtures();
  await loadAll(deps, fx);
  const file = fx.write('mixed.csv', 'event_id,employee_id,office_id,timestamp,direction\nm1,E100,SEA1,2026-11-20T16:00:00Z,in\nm2,E999,SEA1,2026-11-20T16:00:00Z,in\nm3,E100,SEA1,yesterday,in\nm4,E100,SEA1,2026-11-20T18:00:00Z,out\n');
  const rejects = `${fx.dir}/rejects.csv`;
  const s = await importFile(deps, { kind: 'badges', file, skipInvalid: rejects });
  assert.deepEqual([s.rows, s.new, s.duplicate, s.rejected], [4, 2, 0, 2]);
  const lines = readFileSync(rejects, 'utf8').trim().split('\n');
  const threaded = await importFile(deps, { kind: 'badges', file, skipInvalid: `${rejects}.2`, parseInThread: true });
  assert.deepEqual([threaded.rows, threaded.new, threaded.duplicate, threaded.rejected], [4, 0, 2, 2], 'parsed in a worker thread: the same rows, now duplicates');
  assert.equal(readFileSync(`${rejects}.2`, 'utf8'), readFileSync(rejects, 'utf8'));
  assert.equal(lines[0], 'event_id,employee_id,office_id,timestamp,direction,error_line,error_column,error_reason');
  assert.match(lines[1]!, /^m2,E999,SEA1,2026-11-20T16:00:00Z,in,3,employee_id,"unknown employee ""E999"""$/);
  assert.match(lines[2]!, /^m3,E100,SEA1,yesterday,in,4,timestamp,/);
  assert.ok(!existsSync(`${rejects}.partial`));
});

forEachStore('evaluate --changed re-evaluates exactly what late events touched, and equals a full evaluation', async (_t, db) => {
  await migrate(db);
  const deps = depsOf(db);
  const fx = writeFixtures();
  await loadAll(deps, fx);
  const { evaluateChanged } = await import('./evaluate-changed.js');
  assert.equal((await evaluateChanged(deps)).pairs, 0, 'nothing is dirty before any evaluation');
  await evaluateWeeks(deps, { from: d('2026-11-16'), to: d('2026-11-29') });
  // Events in evaluated weeks (one near a week boundary, late on a Sunday in Seattle) and one outside them.
  const late = fx.write('late.csv', [
    'event_id,employee_id,office_id,timestamp,direction',
    'l1,E100,SEA1,2026-11-25T17:00:00Z,in',
    'l2,V1,SEA1,2026-11-23T07:30:00Z,in',
    'l3,V1,SEA1,2026-12-20T17:00:00Z,in',
  ].join('\n') + '\n');
  await importFile(deps, { kind: 'badges', file: late });
  const dirty = await db.query<{ employee_id: string; week_start: string }>('SELECT employee_id, week_start FROM dirty_week ORDER BY 1, 2');
  assert.deepEqual(dirty.map((r) => `${r.employee_id} ${r.week_start}`), ['E100 2026-11-23', 'V1 2026-11-16', 'V1 2026-11-23']);
  const changed = await evaluateChanged(deps);
  assert.equal(changed.pairs, 3);
  const snapshot = async () => db.query(`SELECT employee_id, week_start, status, required, present, available, present_days::text AS days FROM weekly_compliance ORDER BY 1, 2`);
  const incremental = await snapshot();
  await evaluateWeeks(deps, { from: d('2026-11-16'), to: d('2026-11-29') });
  assert.deepEqual(incremental, await snapshot());
  assert.equal((await evaluateChanged(deps)).pairs, 0);
  const w = (await getCompliance(deps, { employeeId: 'V1', from: d('2026-11-16'), to: d('2026-11-22') })).weeks[0]!;
  assert.deepEqual(w.presentDays.map((p) => p.date), ['2026-11-22'], 'Monday 07:30Z is Sunday 23:30 in Seattle');
});

forEachStore('--skip-invalid keeps the original fields of employees rejected for their manager or a repeated id', async (_t, db) => {
  await migrate(db);
  const deps = depsOf(db);
  const fx = writeFixtures();
  await loadAll(deps, fx);
  const file = fx.write('staff.csv', [
    'employee_id,email,name,manager_id,level,home_office_id,arrangement,hire_date,extra_column',
    'N1,n1@example.com,"Lee, Ann",M1,5,SEA1,hybrid,2024-01-08,x',
    'N2,n2@example.com,Bo,GHOST,5,SEA1,hybrid,2024-01-08,y',
    'N3,n3@example.com,Cy,N2,5,SEA1,hybrid,2024-01-08,z',
    'N1,n1@example.com,Ann Lee,M1,5,SEA1,hybrid,2024-01-08,w',
  ].join('\n') + '\n');
  const rejects = `${fx.dir}/staff-rejects.csv`;
  const s = await importFile(deps, { kind: 'employees', file, skipInvalid: rejects });
  assert.deepEqual([s.rows, s.new, s.rejected], [4, 1, 3]);
  const lines = readFileSync(rejects, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'employee_id,email,name,manager_id,level,home_office_id,arrangement,hire_date,extra_column,error_line,error_column,error_reason');
  assert.ok(lines.includes('N1,n1@example.com,Ann Lee,M1,5,SEA1,hybrid,2024-01-08,w,5,employee_id,"""N1"" appears twice in the file (first on line 2)"'), lines.join('\n'));
  assert.ok(lines.includes('N2,n2@example.com,Bo,GHOST,5,SEA1,hybrid,2024-01-08,y,3,manager_id,"unknown employee ""GHOST"""'), lines.join('\n'));
  // N3's manager N2 was rejected, so N3 is too (never an orphan in the tree).
  assert.ok(lines.includes('N3,n3@example.com,Cy,N2,5,SEA1,hybrid,2024-01-08,z,4,manager_id,"unknown employee ""N2"""'), lines.join('\n'));
});

forEachStore('HR files stream into the store: whole-file checks after the last row, a bad last row writes nothing, a repeated leave key takes its last status', async (_t, db) => {
  await migrate(db);
  const deps = depsOf(db);
  const fx = writeFixtures();
  await importFile(deps, { kind: 'offices', file: fx.offices });
  const eh = 'employee_id,email,name,manager_id,level,home_office_id,arrangement,hire_date\n';
  const staff = (n: number) => Array.from({ length: n }, (_, i) => `S${i},s${i}@example.com,S ${i},${i === 0 ? '' : `S${i >> 1}`},5,SEA1,hybrid,2024-01-08\n`).join('');
  const fkCount = async () => Number((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_constraint WHERE conname = 'employee_home_office_id_fkey'`))[0]!.n);

  // A first import (the empty table's path) refused at its last row: nothing written, the foreign key back.
  await expectInputError(importFile(deps, { kind: 'employees', file: fx.write('late-bad.csv', `${eh}${staff(3_000)}Z1,z@example.com,Z,NOPE,5,SEA1,hybrid,2024-01-08\n`) }), /late-bad\.csv:3002:4: manager_id: unknown employee "NOPE"/);
  assert.equal(await count(db, 'employee'), 0);
  assert.equal(await fkCount(), 1);

  // A cycle of three and a row leading into it, with --skip-invalid, into the empty table: the rows
  // on the cycle are refused naming it from themselves; the one leading in, for its refused manager.
  const cyc = fx.write('cycle.csv', `${eh}${staff(3_000)}C1,c1@example.com,C1,C2,5,SEA1,hybrid,2024-01-08\nC2,c2@example.com,C2,C3,5,SEA1,hybrid,2024-01-08\nC3,c3@example.com,C3,C1,5,SEA1,hybrid,2024-01-08\nD1,d1@example.com,D1,C3,5,SEA1,hybrid,2024-01-08\nS5,s5@example.com,Again,S2,5,SEA1,hybrid,2024-01-08\n`);
  const rejects = `${fx.dir}/cycle-rejects.csv`;
  const s = await importFile(deps, { kind: 'employees', file: cyc, skipInvalid: rejects });
  assert.deepEqual([s.rows, s.new, s.rejected], [3_005, 3_000, 5]);
  const reasons = readFileSync(rejects, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').slice(8).join(','));
  assert.deepEqual(reasons, [
    '3006,employee_id,"""S5"" appears twice in the file (first on line 7)"',
    '3002,manager_id,the manager links form a cycle (C1 → C2 → C3 → C1)',
    '3003,manager_id,the manager links form a cycle (C2 → C3 → C1 → C2)',
    '3004,manager_id,the manager links form a cycle (C3 → C1 → C2 → C3)',
    '3005,manager_id,"unknown employee ""C3"""',
  ]);
  assert.equal(await count(db, 'employee'), 3_000);
  assert.equal(await fkCount(), 1);
  assert.equal((await db.query<{ name: string }>(`SELECT name FROM employee WHERE employee_id = 'S5'`))[0]!.name, 'S 5', 'the first row of a repeated id is the one kept');

  // Leave: refused at the last row of 5,000, nothing written; a key given twice takes its last status.
  const lh = 'employee_id,start_date,end_date,kind,status\n';
  const leave = Array.from({ length: 5_000 }, (_, i) => `S${i % 3_000},2026-${String(1 + (i % 12)).padStart(2, '0')}-0${1 + (i % 9)},2026-12-31,pto,approved\n`).join('');
  await expectInputError(importFile(deps, { kind: 'leave', file: fx.write('leave-bad.csv', `${lh}${leave}GHOST,2026-01-01,2026-01-02,pto,approved\n`) }), /leave-bad\.csv:5002:1: employee_id: unknown employee "GHOST"/);
  assert.equal(await count(db, 'leave'), 0);
  const twice = await importFile(deps, { kind: 'leave', file: fx.write('leave-twice.csv', `${lh}S1,2026-11-02,2026-11-06,pto,approved\nS2,2026-11-02,2026-11-02,sick,approved\nS1,2026-11-02,2026-11-06,pto,cancelled\n`) });
  assert.deepEqual([twice.rows, twice.new, twice.updated], [3, 2, 0]);
  const again = await importFile(deps, { kind: 'leave', file: fx.write('leave-again.csv', `${lh}S2,2026-11-02,2026-11-02,sick,cancelled\nS2,2026-11-02,2026-11-02,sick,approved\nS3,2026-11-02,2026-11-02,sick,approved\n`) });
  assert.deepEqual([again.rows, again.new, again.updated], [3, 1, 1]);
  const stored = await db.query<{ employee_id: string; status: string }>('SELECT employee_id, status FROM leave ORDER BY employee_id');
  assert.deepEqual(stored.map((r) => `${r.employee_id} ${r.status}`), ['S1 cancelled', 'S2 approved', 'S3 approved']);
});

forEachStore('badge files in any order, with repeats, store the same events whatever the import buffer or parsing thread, and evaluate alike', async (_t, db) => {
  await migrate(db);
  const deps = depsOf(db);
  const fx = writeFixtures({ badges: 'event_id,employee_id,office_id,timestamp,direction\n' });
  await loadAll(deps, fx);
  // 300 rows of 4 people over 4 weeks, shuffled (a seeded generator), ids repeated on purpose:
  // the same id in the same UTC week is a duplicate (the first row wins), in another week it is another event.
  let seed = 7;
  // The high bits: the low bits of this generator repeat every few draws.
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), Math.floor(seed / 65_536) % n);
  const people = ['E100', 'E101', 'M1', 'V1'];
  const rows: string[] = [];
  const expected = new Map<string, string>();
  const weekOf = (ms: number) => Math.floor((Math.floor(ms / 86_400_000) + 3) / 7);
  for (let i = 0; i < 300; i++) {
    const emp = people[rand(4)]!;
    const at = Date.UTC(2026, 10, 2) + rand(28 * 96) * 900_000;
    const id = `x${rand(120)}`;
    const dir = ['in', 'out', ''][rand(3)]!;
    rows.push(`${id},${emp},SEA1,${new Date(at).toISOString()},${dir}`);
    const key = `${emp}|${id}|${weekOf(at)}`;
    if (!expected.has(key)) expected.set(key, `${emp}|${id}|${at}|${dir || null}`);
  }
  assert.equal(new Set(rows.map((r) => r.split(',')[1])).size, people.length, 'every person has events');
  const file = fx.write('shuffled.csv', `event_id,employee_id,office_id,timestamp,direction\n${rows.join('\n')}\n`);
  const stored = async () => (await db.query<{ r: string }>(
    `SELECT employee_id || '|' || event_id || '|' || (extract(epoch FROM at) * 1000)::int8 || '|' || coalesce(direction, 'null') AS r FROM badge_event`,
  )).map((x) => x.r).sort();
  const weekly = async () => (await db.query<{ r: string }>(
    `SELECT employee_id || ' ' || week_start || ' ' || status || ' ' || present || ' ' || coalesce(present_days, '') AS r FROM weekly_compliance`,
  )).map((x) => x.r).sort();
  let first: { events: string[]; weeks: string[] } | null = null;
  for (const buffer of [1, 3, 17, 1_000_000]) {
    await db.exec('TRUNCATE badge_week, badge_week_total, weekly_record, evaluation_run, dirty_week');
    const s = await importFile(deps, { kind: 'badges', file, badgeBufferEvents: buffer, parseInThread: buffer >= 17 });
    assert.deepEqual([s.rows, s.new, s.duplicate], [300, expected.size, 300 - expected.size], `buffer ${buffer}`);
    const again = await importFile(deps, { kind: 'badges', file, badgeBufferEvents: buffer });
    assert.deepEqual([again.new, again.duplicate], [0, 300], `buffer ${buffer}, again`);
    const events = await stored();
    assert.deepEqual(events, [...expected.values()].sort(), `buffer ${buffer}`);
    assert.equal(await count(db, 'badge_event'), expected.size);
    await evaluateWeeks(deps, { from: d('2026-11-02'), to: d('2026-11-29'), threads: 0 });
    const weeks = await weekly();
    if (first) assert.deepEqual({ events, weeks }, first, `buffer ${buffer}`);
    else first = { events, weeks };
  }
  // Worker threads compute exactly what the main thread does, whatever the split.
  for (const threads of [1, 2, 3, 7]) {
    const s = await evaluateWeeks(deps, { from: d('2026-11-02'), to: d('2026-11-29'), threads });
    assert.equal(s.records, first!.weeks.length, `threads ${threads}`);
    assert.deepEqual(await weekly(), first!.weeks, `threads ${threads}`);
  }
  // Reading every event first, or computing each employee as its events come in on a connection
  // of their own (PostgreSQL; PGlite has no second connection and reads first): the same records.
  let beside = 0;
  const counted = new Proxy(db, {
    get(target, key) {
      const v = (target as unknown as Record<PropertyKey, unknown>)[key];
      if (key === 'copyToBytesBeside' && target.copyToBytesBeside) return (sql: string, format?: CopyFormat) => (beside++, target.copyToBytesBeside!(sql, format));
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  for (const stream of [false, true]) {
    beside = 0;
    const s = await evaluateWeeks({ ...deps, db: counted }, { from: d('2026-11-02'), to: d('2026-11-29'), threads: 0, stream });
    assert.equal(beside, stream && db.kind === 'postgres' ? 1 : 0, `stream ${stream}`);
    assert.equal(s.records, first!.weeks.length, `stream ${stream}`);
    assert.equal(s.events, expected.size, `stream ${stream}`);
    assert.deepEqual(await weekly(), first!.weeks, `stream ${stream}`);
  }
  if (db.copyToBytesBeside) {
    // A read that does not come in the employees' order (not seen: both are by employee_id) is
    // rolled back, and the evaluation done again reading every event first: the same records.
    let reversed = 0;
    const backwards = new Proxy(db, {
      get(target, key) {
        const v = (target as unknown as Record<PropertyKey, unknown>)[key];
        if (key === 'copyToBytesBeside') {
          return (sql: string, format?: CopyFormat) => (reversed++, target.copyToBytesBeside!(sql.replace('ORDER BY employee_id, week_start', 'ORDER BY employee_id DESC, week_start'), format));
        }
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const s = await evaluateWeeks({ ...deps, db: backwards }, { from: d('2026-11-02'), to: d('2026-11-29'), threads: 0 });
    assert.equal(reversed, 1);
    assert.equal(s.records, first!.weeks.length);
    assert.equal(s.events, expected.size);
    assert.deepEqual(await weekly(), first!.weeks);
  }
});

forEachStore('a badge file of more weeks than one call can take arguments imports in one batch (no stack overflow)', async (_t, db) => {
  await migrate(db);
  const deps = depsOf(db);
  // 14,000 people with one event in each of 10 weeks: 140,000 new weeks in the import's one
  // batch, more than a spread call accepts (about 125,000 arguments in V8).
  const people = Array.from({ length: 14_000 }, (_, i) => `P${i}`);
  const fx = writeFixtures({
    employees: `employee_id,email,name,manager_id,level,job_family,org,home_office_id,arrangement,hire_date,termination_date\n${
      people.map((p) => `${p},${p}@example.com,${p},,3,eng,eng,SEA1,hybrid,2024-01-08,`).join('\n')}\n`,
    badges: `event_id,employee_id,office_id,timestamp,direction\n${
      people.flatMap((p) => Array.from({ length: 10 }, (_, w) => `${p}-${w},${p},SEA1,${new Date(Date.UTC(2026, 8, 1 + 7 * w, 16)).toISOString()},in`)).join('\n')}\n`,
  });
  await importFile(deps, { kind: 'offices', file: fx.offices });
  await importFile(deps, { kind: 'employees', file: fx.employees });
  const s = await importFile(deps, { kind: 'badges', file: fx.badges, badgeBufferEvents: 1_000_000 });
  assert.deepEqual([s.rows, s.new], [140_000, 140_000]);
  assert.equal(await count(db, 'badge_week'), 140_000);
});

/** A migrated store with the fixtures' offices and employees imported (nothing else). */
async function officesAndEmployees(db: Db): Promise<void> {
  const deps = depsOf(db);
  const fx = writeFixtures();
  await migrate(db);
  await importFile(deps, { kind: 'offices', file: fx.offices });
  await importFile(deps, { kind: 'employees', file: fx.employees });
}

forEachStore('a first import of employees keeps the foreign key to offices (checked once for the file)', async (_t, db) => {
  await officesAndEmployees(db);
  assert.equal(await count(db, 'employee') > 0, true);
  const fk = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_constraint WHERE conname = 'employee_home_office_id_fkey' AND contype = 'f'`);
  assert.equal(Number(fk[0]!.n), 1);
  await assert.rejects(
    db.query(`INSERT INTO employee (employee_id, email, name, level, home_office_id, arrangement, hire_date) VALUES ('Z1', 'z@example.com', 'Z', 3, 'NOWHERE', 'hybrid', '2024-01-08')`),
    /foreign key/,
  );
});

forEachStore('a first import of leave while another runs: the second waits for the first to commit, then upserts', async (_t, db) => {
  await officesAndEmployees(db);
  const { upsertLeave } = await import('../store/hr.repository.js');
  const leave = (days: number[]) => days.map((n) => ({
    employeeId: 'E100', startDate: d(`2026-10-${String(n).padStart(2, '0')}`), endDate: d(`2026-10-${String(n).padStart(2, '0')}`), kind: 'vacation', status: 'approved' as const,
  }));
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  // The first keeps its transaction open a while after loading the empty table; the second
  // starts meanwhile (on PostgreSQL another connection: it must wait for the first to commit,
  // then find the table no longer empty; PGlite runs the transactions one after the other).
  const first = db.transaction(async (tx) => {
    const r = await upsertLeave(tx, [leave([1, 2, 3, 4])]);
    await sleep(400);
    return r;
  });
  await sleep(100);
  const second = db.transaction((tx) => upsertLeave(tx, [leave([3, 4, 5])]));
  assert.deepEqual(await Promise.all([first, second]), [{ inserted: 4, updated: 0 }, { inserted: 1, updated: 2 }]);
  assert.equal(await count(db, 'leave'), 5);
});

forEachStore('a streamed evaluation holding few events at once (compacted between batches, grown for a big batch) writes what reading it all first writes', async (_t, db) => {
  await migrate(db);
  const deps = depsOf(db);
  // 1,500 people (three batches and more), 0 to 9 events each over four weeks, in and out.
  const people = Array.from({ length: 1_500 }, (_, i) => `P${String(i).padStart(4, '0')}`);
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) >>> 0) >>> 16) % n;
  const rows: string[] = [];
  for (const p of people) {
    for (let n = rand(10), i = 0; i < n; i++) {
      const at = Date.UTC(2026, 10, 2 + rand(28), 6 + rand(12), rand(60));
      rows.push(`${p}-${i},${p},SEA1,${new Date(at).toISOString()},${['in', 'out', ''][rand(3)]}`);
    }
  }
  const fx = writeFixtures({
    employees: `employee_id,email,name,manager_id,level,job_family,org,home_office_id,arrangement,hire_date,termination_date\n${
      people.map((p) => `${p},${p}@example.com,${p},,3,eng,eng,SEA1,hybrid,2024-01-08,`).join('\n')}\n`,
    badges: `event_id,employee_id,office_id,timestamp,direction\n${rows.join('\n')}\n`,
  });
  await importFile(deps, { kind: 'offices', file: fx.offices });
  await importFile(deps, { kind: 'employees', file: fx.employees });
  await importFile(deps, { kind: 'badges', file: fx.badges });
  const weekly = async () => (await db.query<{ r: string }>(
    `SELECT employee_id || ' ' || week_start || ' ' || status || ' ' || present || ' ' || coalesce(present_days, '') AS r FROM weekly_compliance`,
  )).map((x) => x.r).sort();
  const range = { from: d('2026-11-02'), to: d('2026-11-29'), threads: 0 };
  const first = await evaluateWeeks(deps, { ...range, stream: false });
  assert.equal(first.events, rows.length);
  const expected = await weekly();
  assert.equal(expected.length, people.length * 4);
  for (const streamEvents of [1, 2_000, 1_000_000]) {
    const s = await evaluateWeeks(deps, { ...range, stream: true, streamEvents });
    assert.equal(s.events, rows.length, `streamEvents ${streamEvents}`);
    assert.deepEqual(s.byStatus, first.byStatus, `streamEvents ${streamEvents}`);
    assert.deepEqual(await weekly(), expected, `streamEvents ${streamEvents}`);
  }
});
