import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  buildDigests, digestWeekOf, renderDigest, digestPayload, digestKey, runOfWeeksOut, trendOf, recipientsOf,
  type DigestManager, type DigestSubject, type DigestWeek,
} from './digest.js';
import { addDays, type IsoWeek, type LocalDate } from './dates.js';
import { WEEK_STATUSES, type WeekStatus } from './types.js';

const d = (s: string) => s as LocalDate;
const W48 = d('2026-11-23');

function mgr(id: string, managerId: string | null, extra: Partial<DigestManager> = {}): DigestManager {
  return { employeeId: id, name: `Name ${id}`, email: `${id.toLowerCase()}@example.com`, managerId, active: true, ...extra };
}

/** Weeks ending with W48, oldest first, from status letters ("CCN" = W46 C, W47 C, W48 N). */
function weeks(codes: string, present = 1, required = 3): DigestWeek[] {
  const map: Record<string, WeekStatus> = { C: 'compliant', N: 'non_compliant', E: 'excused', X: 'exempt', G: 'grace', P: 'no_policy', '-': 'not_employed' };
  const out: DigestWeek[] = [];
  const n = codes.length;
  for (let i = 0; i < n; i++) {
    const c = codes[i]!;
    if (c === '?') continue;
    const last = i === n - 1;
    const status = map[c]!;
    out.push({ weekStart: addDays(W48, -7 * (n - 1 - i)), status, present: last ? present : status === 'compliant' ? 3 : 1, required: last ? required : 3 });
  }
  return out;
}

function subj(id: string, managerId: string | null, codes: string, extra: Partial<DigestSubject> = {}): DigestSubject {
  return { employeeId: id, name: `Name ${id}`, managerId, indirect: false, weeks: weeks(codes), ...extra };
}

// V1 ← M1 ← {E1, E2, L1 ← {E3}}, M2 ← E4
const ORG = new Map<string, DigestManager>([
  ['V1', mgr('V1', null)], ['M1', mgr('M1', 'V1')], ['L1', mgr('L1', 'M1')], ['M2', mgr('M2', 'V1')],
]);

test('one digest per manager with someone out; direct reports only by default', () => {
  const digests = buildDigests({
    weekStart: W48, managers: ORG,
    subjects: [subj('E1', 'M1', 'CCCN'), subj('E2', 'M1', 'CCCC'), subj('E3', 'L1', 'NNNN'), subj('E4', 'M2', 'NNNC')],
  });
  assert.deepEqual(digests.map((g) => [g.managerId, g.entries.map((e) => e.employeeId)]), [['L1', ['E3']], ['M1', ['E1']]]);
  const m1 = digests[1]!;
  assert.equal(m1.week, '2026-W48');
  assert.equal(m1.email, 'm1@example.com');
  assert.deepEqual(m1.entries[0], {
    employeeId: 'E1', name: 'Name E1', managerId: 'M1', relation: 'direct', depth: 1, present: 1, required: 3, reason: null, weeksOut: 1,
    weeksOutAtLeast: false, newly: true,
    trend: { weeks: ['2026-W45', '2026-W46', '2026-W47', '2026-W48'], statuses: ['compliant', 'compliant', 'compliant', 'non_compliant'], direction: 'worsening' },
  });
});

test("indirect: the person's own policy decides how far up they are listed", () => {
  const digests = buildDigests({
    weekStart: W48, managers: ORG,
    subjects: [subj('E3', 'L1', 'N', { indirect: true }), subj('E1', 'M1', 'N'), subj('E4', 'M2', 'N', { indirect: true })],
  });
  assert.deepEqual(digests.map((g) => [g.managerId, g.entries.map((e) => `${e.employeeId}:${e.relation}:${e.depth}`)]), [
    ['L1', ['E3:direct:1']],
    ['M1', ['E1:direct:1', 'E3:indirect:2']],
    ['M2', ['E4:direct:1']],
    ['V1', ['E4:indirect:2', 'E3:indirect:3']],
  ]);
  assert.equal(digests[1]!.direct, 1);
  assert.equal(digests[1]!.indirect, 1);
});

test('an inactive manager gets no digest; the walk continues above; unknown managers and cycles end it', () => {
  const org = new Map(ORG);
  org.set('L1', mgr('L1', 'M1', { active: false }));
  org.set('A', mgr('A', 'B'));
  org.set('B', mgr('B', 'A'));
  const digests = buildDigests({
    weekStart: W48, managers: org,
    subjects: [subj('E3', 'L1', 'N', { indirect: true }), subj('E9', 'NOPE', 'N', { indirect: true }), subj('E8', 'A', 'N', { indirect: true })],
  });
  assert.deepEqual(digests.map((g) => g.managerId), ['A', 'B', 'M1', 'V1']);
  assert.deepEqual(recipientsOf({ employeeId: 'E8', managerId: 'A', indirect: true }, org).map((r) => r.managerId), ['A', 'B']);
  assert.deepEqual(recipientsOf({ employeeId: 'A', managerId: 'B', indirect: true }, org).map((r) => r.managerId), ['B']);
});

test('weeks in a row skip uncounted weeks, end at a compliant or missing week, and say "at least" past the window', () => {
  const run = (codes: string, history = 8) => {
    const m = new Map(weeks(codes).map((w) => [w.weekStart, w]));
    return runOfWeeksOut(m, W48, history);
  };
  assert.deepEqual(run('CN'), { weeksOut: 1, atLeast: false, newly: true });
  assert.deepEqual(run('NN'), { weeksOut: 2, atLeast: false, newly: false }); // the week before is missing
  assert.deepEqual(run('CNENXN'), { weeksOut: 3, atLeast: false, newly: false });
  assert.deepEqual(run('NNNNNNNN'), { weeksOut: 8, atLeast: true, newly: false });
  assert.deepEqual(run('NNNNNNNNN', 8), { weeksOut: 8, atLeast: true, newly: false });
  assert.deepEqual(run('--------GGN'), { weeksOut: 1, atLeast: false, newly: true }); // a new hire
  assert.deepEqual(run('N', 1), { weeksOut: 1, atLeast: true, newly: false });
});

test('trend: the last weeks as statuses and a direction', () => {
  const t = (codes: string, present = 1, required = 3) => trendOf(new Map(weeks(codes, present, required).map((w) => [w.weekStart, w])), W48, 4);
  assert.equal(t('CCCN').direction, 'worsening');
  assert.equal(t('NNNN').direction, 'steady');
  assert.equal(t('NNNN', 2, 3).direction, 'improving');
  assert.equal(t('EEXN').direction, 'unknown');
  assert.deepEqual(t('?EN').statuses, [null, null, 'excused', 'non_compliant']);
  assert.deepEqual(t('N').weeks, ['2026-W45', '2026-W46', '2026-W47', '2026-W48']);
});

test('the digest week: the latest complete evaluated week, only when it is the week just ended', () => {
  const today = d('2026-11-30'); // a Monday
  assert.equal(digestWeekOf([d('2026-11-16'), W48], today), W48);
  assert.equal(digestWeekOf([d('2026-11-16'), W48, d('2026-11-30')], today), W48); // the current week is not complete
  assert.equal(digestWeekOf([d('2026-11-30')], today), null);
  assert.equal(digestWeekOf([d('2026-11-16')], today), null); // an older week: digest it explicitly
  assert.equal(digestWeekOf([W48], d('2026-11-29')), null); // on Sunday W48 is not complete
  assert.equal(digestWeekOf([W48], d('2026-12-06')), W48); // the following Sunday: still the latest complete week
  assert.equal(digestWeekOf([W48], d('2026-12-07')), null);
  assert.equal(digestWeekOf([], today), null);
});

test('rendering: subject, table lines, commands; ids, names, codes and numbers only', () => {
  const [g] = buildDigests({
    weekStart: W48, managers: ORG,
    subjects: [subj('E1', 'M1', 'CCNN'), subj('E2', 'M1', 'CCCN'), subj('E3', 'L1', 'NNNN', { indirect: true })],
  }).filter((x) => x.managerId === 'M1');
  const { subject, text } = renderDigest(g!);
  assert.equal(subject, 'hubday weekly digest 2026-W48: 3 people on your team out of compliance');
  const lines = text.split('\n');
  assert.equal(lines[0], 'Hello Name M1,');
  assert.ok(lines.includes('In week 2026-W48 (2026-11-23 to 2026-11-29), 3 people on your team (2 direct, 1 indirect)'));
  assert.ok(lines.includes('were out of compliance with the office-attendance policy that applies to them.'));
  assert.ok(lines.includes('Direct reports (2)'));
  assert.ok(lines.some((l) => /^ {2}Name E1 \(E1\) +1 of 3 +2 weeks in a row +C C N N +worsening$/.test(l)), text);
  assert.ok(lines.some((l) => /^ {2}Name E2 \(E2\) +1 of 3 +newly out +C C C N +worsening$/.test(l)), text);
  assert.ok(lines.includes('Indirect reports (1)'));
  assert.ok(lines.some((l) => /^ {2}Name E3 \(E3\) +L1 +1 of 3 +4 weeks in a row +N N N N +steady$/.test(l)), text);
  assert.ok(lines.includes('  hubday team M1 --week 2026-W48 --indirect --as M1'));
  const payload = digestPayload(g!);
  assert.deepEqual(payload.counts, { direct: 2, indirect: 1 });
  assert.equal(payload.reportsOmitted, 0);
  const short = digestPayload(g!, 2);
  assert.deepEqual([(short.reports as any[]).map((r) => r.employeeId), short.reportsOmitted], [['E1', 'E2'], 1]);
  assert.equal(JSON.stringify(payload).includes('Name'), false, 'the payload references people by id');
  assert.equal(digestKey('M1', '2026-W48' as IsoWeek), 'digest:M1:2026-W48');
  const capped = renderDigest(g!, { maxEntries: 1 }).text;
  const anchor = buildDigests({ weekStart: W48, managers: ORG, subjects: [subj('E5', 'M1', 'N', { weeks: [{ weekStart: W48, status: 'non_compliant', reason: 'anchor_day_missed', present: 3, required: 3 }] })] });
  assert.match(renderDigest(anchor[0]!).text, /Name E5 \(E5\) +3 of 3, anchor day missed +newly out/);
  assert.equal((digestPayload(anchor[0]!).reports as any[])[0].reason, 'anchor_day_missed');
  assert.match(capped, /… and 1 more/);
});

// ---------------------------------------------------------------------------
// Properties over random org trees and statuses.
// ---------------------------------------------------------------------------

const arbOrg = fc.integer({ min: 1, max: 40 }).chain((n) =>
  fc.record({
    // parent[i] < i: a forest (index -1 = root); a few links point to unknown managers.
    parents: fc.tuple(...Array.from({ length: n }, (_, i) => fc.integer({ min: -1, max: i - 1 }))),
    statuses: fc.array(fc.array(fc.constantFrom<WeekStatus | null>(...WEEK_STATUSES, null), { minLength: 5, maxLength: 5 }), { minLength: n, maxLength: n }),
    indirect: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    inactive: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    unknown: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }),
  }),
);

function orgCase(c: { parents: number[]; statuses: (WeekStatus | null)[][]; indirect: boolean[]; inactive: boolean[]; unknown: number[] }) {
  const id = (i: number) => `P${String(i).padStart(3, '0')}`;
  const managers = new Map<string, DigestManager>();
  const subjects: DigestSubject[] = [];
  const parentOf = (i: number): string | null => (c.unknown[i] === 0 ? 'GONE' : c.parents[i]! < 0 ? null : id(c.parents[i]!));
  c.parents.forEach((_, i) => {
    managers.set(id(i), { employeeId: id(i), name: `N${i}`, email: `${id(i)}@x`, managerId: parentOf(i), active: !c.inactive[i] });
    const ws: DigestWeek[] = [];
    c.statuses[i]!.forEach((s, k) => {
      if (s !== null) ws.push({ weekStart: addDays(W48, -7 * (4 - k)), status: s, present: k, required: 3 });
    });
    subjects.push({ employeeId: id(i), name: `N${i}`, managerId: parentOf(i), indirect: c.indirect[i]!, weeks: ws });
  });
  return { managers, subjects, parentOf, id };
}

test('property: each person out of compliance is in their direct manager’s digest once, in ancestors’ only when indirect; compliant people never', () => {
  fc.assert(fc.property(arbOrg, (c) => {
    const { managers, subjects } = orgCase(c);
    const digests = buildDigests({ weekStart: W48, subjects, managers });
    // one digest per manager, ordered, none empty
    assert.deepEqual(digests.map((g) => g.managerId), [...new Set(digests.map((g) => g.managerId))].sort());
    for (const g of digests) {
      assert.ok(g.entries.length > 0);
      assert.ok(managers.get(g.managerId)!.active);
      assert.equal(new Set(g.entries.map((e) => e.employeeId)).size, g.entries.length);
    }
    const listedTo = new Map<string, { managerId: string; relation: string }[]>();
    for (const g of digests) for (const e of g.entries) {
      let l = listedTo.get(e.employeeId);
      if (!l) listedTo.set(e.employeeId, (l = []));
      l.push({ managerId: g.managerId, relation: e.relation });
    }
    for (const s of subjects) {
      const current = s.weeks.find((w) => w.weekStart === W48);
      const listed = listedTo.get(s.employeeId) ?? [];
      if (current?.status !== 'non_compliant') {
        assert.equal(listed.length, 0, `${s.employeeId} is ${current?.status ?? 'not evaluated'} and must not be listed`);
        continue;
      }
      // expected: the chain of known managers above, cut to the direct manager unless indirect; inactive ones skipped
      const expected: { managerId: string; relation: string }[] = [];
      let m = s.managerId;
      let depth = 1;
      while (m !== null && managers.has(m)) {
        if (managers.get(m)!.active) expected.push({ managerId: m, relation: depth === 1 ? 'direct' : 'indirect' });
        if (!s.indirect) break;
        m = managers.get(m)!.managerId;
        depth++;
      }
      assert.deepEqual(listed.sort((a, b) => a.managerId.localeCompare(b.managerId)), expected.sort((a, b) => a.managerId.localeCompare(b.managerId)));
    }
  }), { numRuns: 300 });
});

test('property: digests are deterministic whatever the order of the input', () => {
  fc.assert(fc.property(arbOrg, fc.integer(), (c, seed) => {
    const { managers, subjects } = orgCase(c);
    const shuffled = [...subjects].sort((a, b) => ((a.employeeId.charCodeAt(3) * 31 + seed) % 7) - ((b.employeeId.charCodeAt(3) * 31 + seed) % 7));
    const a = buildDigests({ weekStart: W48, subjects, managers });
    const b = buildDigests({ weekStart: W48, subjects: shuffled.map((s) => ({ ...s, weeks: [...s.weeks].reverse() })), managers });
    assert.deepEqual(a, b);
    for (const g of a) {
      const r = renderDigest(g);
      assert.deepEqual(r, renderDigest(g));
      assert.ok(r.text.includes(`hubday team ${g.managerId} --week 2026-W48`));
      for (const e of g.entries) assert.ok(r.text.includes(`(${e.employeeId})`));
    }
  }), { numRuns: 100 });
});

test('property: weeks out is at least 1, newly only when 1, and never more than the history', () => {
  fc.assert(fc.property(fc.array(fc.constantFrom<WeekStatus | null>(...WEEK_STATUSES, null), { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 10 }), (codes, history) => {
    const ws = new Map<LocalDate, DigestWeek>();
    codes.forEach((s, k) => {
      const monday = addDays(W48, -7 * (codes.length - 1 - k));
      if (s !== null) ws.set(monday, { weekStart: monday, status: s, present: 0, required: 3 });
    });
    ws.set(W48, { weekStart: W48, status: 'non_compliant', present: 0, required: 3 });
    const r = runOfWeeksOut(ws, W48, history);
    assert.ok(r.weeksOut >= 1 && r.weeksOut <= history);
    if (r.newly) assert.equal(r.weeksOut, 1);
    if (r.atLeast) assert.equal(r.newly, false);
  }), { numRuns: 300 });
});
