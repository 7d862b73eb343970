import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  DEFAULT_TIERS, parsePolicyDocument, policiesInEffect, policyToDocument, resolvePolicy, scopeMatches, specificity,
  type PolicyError, type ScopeSubject,
} from './policy.js';
import { buildPolicy, date, evaluateWeeks, ins, SEA1 } from './test-factories.js';
import type { Policy } from './types.js';

function errorsOf(doc: unknown): PolicyError[] {
  const r = parsePolicyDocument(doc);
  assert.equal(r.ok, false, `expected errors for ${JSON.stringify(doc)}`);
  return r.ok ? [] : r.errors;
}
function pathsOf(doc: unknown): string[] {
  return errorsOf(doc).map((e) => e.path);
}
const base = { id: 'rto-3', effectiveFrom: '2026-01-05' };

describe('parsePolicyDocument', () => {
  test('fills in every default (DESIGN parameter table)', () => {
    const r = parsePolicyDocument(base);
    assert.ok(r.ok);
    assert.deepEqual(r.policy, {
      id: 'rto-3',
      name: 'rto-3',
      effectiveFrom: '2026-01-05',
      effectiveTo: null,
      scope: { orgs: [], levels: [], jobFamilies: [], offices: [], arrangements: [] },
      daysPerWeek: 3,
      dayStartsAtMinutes: 240,
      countOffices: 'any',
      minDwellMinutes: 0,
      singleSwipe: 'count',
      holidayRule: 'proportional',
      travelCounts: 'excused',
      anchorDays: [],
      graceDays: 14,
      standing: {
        windowWeeks: 12,
        measure: 'weeks',
        minRatio: 0.75,
        tiers: [
          { name: 'consistent', min: 0.9 },
          { name: 'regular', min: 0.75 },
          { name: 'occasional', min: 0.4 },
          { name: 'limited', min: 0 },
        ],
      },
      vpLevel: 10,
      digest: { indirect: false },
      discipline: { nonCompliantWeeksPerStep: 2, minDaysBetweenSteps: 14, compliantWeeksToResolve: 8 },
      exceptions: { expiryNoticeDays: 14 },
    });
  });

  test('workflow parameters: digest, discipline and exceptions take partial objects and are validated', () => {
    const r = parsePolicyDocument({ ...base, digest: { indirect: true }, discipline: { minDaysBetweenSteps: 30 }, exceptions: { expiryNoticeDays: 7 } });
    assert.ok(r.ok);
    assert.deepEqual(r.policy.digest, { indirect: true });
    assert.deepEqual(r.policy.discipline, { nonCompliantWeeksPerStep: 2, minDaysBetweenSteps: 30, compliantWeeksToResolve: 8 });
    assert.deepEqual(r.policy.exceptions, { expiryNoticeDays: 7 });
    assert.deepEqual(pathsOf({ ...base, digest: { indirect: 'yes' } }), ['digest.indirect']);
    assert.deepEqual(pathsOf({ ...base, discipline: { nonCompliantWeeksPerStep: -1, weeks: 2 } }), ['discipline.weeks', 'discipline.nonCompliantWeeksPerStep']);
    assert.deepEqual(pathsOf({ ...base, exceptions: 14 }), ['exceptions']);
  });

  test('the DESIGN policy file parses, partial standing takes the remaining defaults', () => {
    const r = parsePolicyDocument({
      id: 'rto-3', name: 'Three days a week', effectiveFrom: '2025-01-06',
      scope: { orgs: [], levels: [], jobFamilies: [], offices: [], arrangements: ['office', 'hybrid'] },
      daysPerWeek: 3, holidayRule: 'proportional', minDwellMinutes: 0,
      standing: { windowWeeks: 12, minRatio: 0.75 },
    });
    assert.ok(r.ok);
    assert.equal(r.policy.name, 'Three days a week');
    assert.deepEqual(r.policy.scope.arrangements, ['office', 'hybrid']);
    assert.equal(r.policy.standing.measure, 'weeks');
    assert.deepEqual(r.policy.standing.tiers, DEFAULT_TIERS);
  });

  test('every parameter can be set', () => {
    const r = parsePolicyDocument({
      ...base, effectiveTo: '2026-12-31', daysPerWeek: 4, dayStartsAt: '06:30', countOffices: 'home', minDwellMinutes: 240,
      singleSwipe: 'ignore', holidayRule: 'subtract', travelCounts: 'present', anchorDays: ['tuesday', 'Wed', 'Tue'],
      graceDays: 30, vpLevel: 9,
      scope: { orgs: ['eng'], levels: [5, 6], jobFamilies: ['sde'], offices: ['SEA1'], arrangements: ['remote'] },
      standing: { windowWeeks: 8, measure: 'days', minRatio: 0.625, tiers: { gold: 0.8, bronze: 0, silver: 0.5 } },
    });
    assert.ok(r.ok);
    const p = r.policy;
    assert.equal(p.effectiveTo, '2026-12-31');
    assert.equal(p.daysPerWeek, 4);
    assert.equal(p.dayStartsAtMinutes, 390);
    assert.equal(p.countOffices, 'home');
    assert.equal(p.minDwellMinutes, 240);
    assert.equal(p.singleSwipe, 'ignore');
    assert.equal(p.holidayRule, 'subtract');
    assert.equal(p.travelCounts, 'present');
    assert.deepEqual(p.anchorDays, ['Tue', 'Wed']);
    assert.equal(p.graceDays, 30);
    assert.equal(p.vpLevel, 9);
    assert.deepEqual(p.scope, { orgs: ['eng'], levels: [5, 6], jobFamilies: ['sde'], offices: ['SEA1'], arrangements: ['remote'] });
    assert.deepEqual(p.standing, {
      windowWeeks: 8, measure: 'days', minRatio: 0.625,
      tiers: [{ name: 'gold', min: 0.8 }, { name: 'silver', min: 0.5 }, { name: 'bronze', min: 0 }],
    });
  });

  const invalid: [string, Record<string, unknown>, string][] = [
    ['daysPerWeek above 7', { daysPerWeek: 8 }, 'daysPerWeek'],
    ['daysPerWeek fractional', { daysPerWeek: 2.5 }, 'daysPerWeek'],
    ['daysPerWeek as text', { daysPerWeek: '3' }, 'daysPerWeek'],
    ['dayStartsAt out of range', { dayStartsAt: '25:00' }, 'dayStartsAt'],
    ['dayStartsAt not a clock', { dayStartsAt: '4am' }, 'dayStartsAt'],
    ['dayStartsAt a number', { dayStartsAt: 4 }, 'dayStartsAt'],
    ['countOffices', { countOffices: 'all' }, 'countOffices'],
    ['minDwellMinutes negative', { minDwellMinutes: -1 }, 'minDwellMinutes'],
    ['singleSwipe', { singleSwipe: 'maybe' }, 'singleSwipe'],
    ['holidayRule', { holidayRule: 'round' }, 'holidayRule'],
    ['travelCounts', { travelCounts: 'yes' }, 'travelCounts'],
    ['anchorDays not a list', { anchorDays: 'Tue' }, 'anchorDays'],
    ['anchorDays item', { anchorDays: ['Tue', 'Funday'] }, 'anchorDays[1]'],
    ['anchorDays item that only begins like a weekday', { anchorDays: ['Monkey'] }, 'anchorDays[0]'],
    ['graceDays negative', { graceDays: -1 }, 'graceDays'],
    ['vpLevel fractional', { vpLevel: 1.5 }, 'vpLevel'],
    ['scope not an object', { scope: [] }, 'scope'],
    ['scope list not a list', { scope: { orgs: 'eng' } }, 'scope.orgs'],
    ['scope level not a number', { scope: { levels: [5, 'ten'] } }, 'scope.levels[1]'],
    ['scope arrangement', { scope: { arrangements: ['onsite'] } }, 'scope.arrangements[0]'],
    ['scope empty office id', { scope: { offices: [''] } }, 'scope.offices[0]'],
    ['scope unknown key', { scope: { teams: ['a'] } }, 'scope.teams'],
    ['standing not an object', { standing: 12 }, 'standing'],
    ['standing.windowWeeks zero', { standing: { windowWeeks: 0 } }, 'standing.windowWeeks'],
    ['standing.measure', { standing: { measure: 'hours' } }, 'standing.measure'],
    ['standing.minRatio above 1', { standing: { minRatio: 1.5 } }, 'standing.minRatio'],
    ['standing.tiers empty', { standing: { tiers: [] } }, 'standing.tiers'],
    ['standing.tiers bad min', { standing: { tiers: [{ name: 'a', min: 2 }] } }, 'standing.tiers'],
    ['standing.tiers duplicate names', { standing: { tiers: [{ name: 'a', min: 0.5 }, { name: 'a', min: 0 }] } }, 'standing.tiers'],
    ['standing unknown key', { standing: { window: 8 } }, 'standing.window'],
    ['unknown top-level field (a typo)', { daysPerweek: 2 }, 'daysPerweek'],
    ['version is assigned, not given', { version: 2 }, 'version'],
    ['effectiveFrom not a date', { effectiveFrom: '2026-02-30' }, 'effectiveFrom'],
    ['effectiveTo not a date', { effectiveTo: 'soon' }, 'effectiveTo'],
    ['effectiveTo before effectiveFrom', { effectiveTo: '2025-12-31' }, 'effectiveTo'],
    ['id with spaces', { id: 'rto 3' }, 'id'],
    ['id empty', { id: '  ' }, 'id'],
  ];
  for (const [what, patch, path] of invalid) {
    test(`reports ${what} at "${path}"`, () => {
      const errors = errorsOf({ ...base, ...patch });
      assert.deepEqual(errors.map((e) => e.path), [path], JSON.stringify(errors));
      assert.ok(errors[0]!.reason.length > 0);
    });
  }

  test('required fields, non-objects, and several errors at once', () => {
    assert.deepEqual(pathsOf({ effectiveFrom: '2026-01-05' }), ['id']);
    assert.deepEqual(pathsOf({ id: 'x' }), ['effectiveFrom']);
    assert.deepEqual(pathsOf(null), ['']);
    assert.deepEqual(pathsOf([base]), ['']);
    assert.deepEqual(pathsOf('rto-3'), ['']);
    assert.deepEqual(
      pathsOf({ ...base, daysPerWeek: 9, holidayRule: 'x', extra: true, standing: { minRatio: -1 } }).sort(),
      ['daysPerWeek', 'extra', 'holidayRule', 'standing.minRatio'],
    );
  });

  test('policyToDocument round-trips through parsePolicyDocument', () => {
    const p = buildPolicy({
      effectiveTo: '2027-01-03', dayStartsAt: '06:00', anchorDays: ['Tue'], holidayRule: 'cap',
      scope: { orgs: ['eng'], levels: [6], jobFamilies: [], offices: ['SEA1'], arrangements: [] },
      standing: { windowWeeks: 8, measure: 'days', minRatio: 0.625 },
    }, 3);
    const { version, ...doc } = policyToDocument(p);
    assert.equal(version, 3);
    const r = parsePolicyDocument(JSON.parse(JSON.stringify(doc)));
    assert.ok(r.ok);
    assert.deepEqual({ ...r.policy, version: 3 }, p);
  });
});

describe('policy resolution (DESIGN "Policy")', () => {
  const subject: ScopeSubject = { org: 'eng', level: 6, jobFamily: 'sde', homeOfficeId: 'SEA1', arrangement: 'hybrid' };
  const mon = date('2026-11-23');

  test('an empty list matches all; a non-empty list must contain the value', () => {
    const all = buildPolicy().scope;
    assert.equal(scopeMatches(all, subject), true);
    assert.equal(scopeMatches(all, { ...subject, org: null, jobFamily: null }), true);
    assert.equal(scopeMatches({ ...all, orgs: ['eng'] }, subject), true);
    assert.equal(scopeMatches({ ...all, orgs: ['sales'] }, subject), false);
    assert.equal(scopeMatches({ ...all, orgs: ['eng'] }, { ...subject, org: null }), false);
    assert.equal(scopeMatches({ ...all, levels: [5, 6] }, subject), true);
    assert.equal(scopeMatches({ ...all, levels: [7] }, subject), false);
    assert.equal(scopeMatches({ ...all, jobFamilies: ['pm'] }, subject), false);
    assert.equal(scopeMatches({ ...all, offices: ['SEA1'] }, subject), true);
    assert.equal(scopeMatches({ ...all, offices: ['LON1'] }, subject), false);
    assert.equal(scopeMatches({ ...all, arrangements: ['office', 'hybrid'] }, subject), true);
    assert.equal(scopeMatches({ ...all, arrangements: ['remote'] }, subject), false);
    assert.equal(specificity(all), 0);
    assert.equal(specificity({ ...all, orgs: ['eng'], arrangements: ['hybrid'] }), 2);
  });

  test('the most specific matching policy wins', () => {
    const general = buildPolicy({ id: 'general' });
    const org = buildPolicy({ id: 'eng', scope: { orgs: ['eng'] } });
    const orgOffice = buildPolicy({ id: 'eng-sea', scope: { orgs: ['eng'], offices: ['SEA1'] } });
    const other = buildPolicy({ id: 'sales-sea', scope: { orgs: ['sales'], offices: ['SEA1'], levels: [6] } });
    assert.equal(resolvePolicy([general, org, orgOffice, other], subject, mon)?.id, 'eng-sea');
    assert.equal(resolvePolicy([general, org], subject, mon)?.id, 'eng');
    assert.equal(resolvePolicy([other, general], subject, mon)?.id, 'general');
    assert.equal(resolvePolicy([orgOffice, org, general], { ...subject, homeOfficeId: 'LON1' }, mon)?.id, 'eng');
  });

  test('ties: the latest effectiveFrom, then the highest version', () => {
    const a = buildPolicy({ id: 'a', effectiveFrom: '2025-01-06', scope: { orgs: ['eng'] } });
    const b = buildPolicy({ id: 'b', effectiveFrom: '2026-01-05', scope: { levels: [6] } });
    assert.equal(resolvePolicy([a, b], subject, mon)?.id, 'b');
    assert.equal(resolvePolicy([b, a], subject, mon)?.id, 'b');
    const c1 = buildPolicy({ id: 'c', effectiveFrom: '2026-01-05', scope: { offices: ['SEA1'] } }, 1);
    const d4 = buildPolicy({ id: 'd', effectiveFrom: '2026-01-05', scope: { arrangements: ['hybrid'] } }, 4);
    assert.equal(resolvePolicy([a, c1, d4], subject, mon)?.id, 'd');
    assert.equal(resolvePolicy([d4, c1, a], subject, mon)?.id, 'd');
  });

  test('a new version supersedes from its effectiveFrom; earlier weeks keep the old version', () => {
    const v1 = buildPolicy({ daysPerWeek: 2, effectiveFrom: '2026-01-05' }, 1);
    const v2 = buildPolicy({ daysPerWeek: 3, effectiveFrom: '2026-11-23' }, 2);
    const inForce = (d: string) => policiesInEffect([v2, v1], date(d)).map((p) => `${p.id}@${p.version}`);
    assert.deepEqual(inForce('2026-11-16'), ['rto-3@1']);
    assert.deepEqual(inForce('2026-11-23'), ['rto-3@2']);
    assert.deepEqual(inForce('2026-01-04'), []);
    // Through the evaluation: the same history, the version and requirement per week.
    const events = ins(SEA1, '2026-11-17', '2026-11-18', '2026-11-24', '2026-11-25');
    const [w47, w48] = evaluateWeeks({ policies: [v1, v2], events }, '2026-W47', '2026-W48');
    assert.deepEqual([w47!.policy, w47!.required, w47!.status], [{ id: 'rto-3', version: 1 }, 2, 'compliant']);
    assert.deepEqual([w48!.policy, w48!.required, w48!.status], [{ id: 'rto-3', version: 2 }, 3, 'non_compliant']);
    // A re-issued version with the same effectiveFrom: the highest version wins.
    const v3 = buildPolicy({ daysPerWeek: 1, effectiveFrom: '2026-11-23' }, 3);
    assert.deepEqual(inForce('2026-11-23'), ['rto-3@2']);
    assert.deepEqual(policiesInEffect([v1, v3, v2], date('2026-11-23')).map((p) => p.version), [3]);
  });

  test('the new version of an id replaces the old one even if its scope no longer matches', () => {
    const v1 = buildPolicy({ effectiveFrom: '2026-01-05' }, 1);
    const v2 = buildPolicy({ effectiveFrom: '2026-11-23', scope: { orgs: ['sales'] } }, 2);
    assert.equal(resolvePolicy([v1, v2], subject, date('2026-11-16'))?.version, 1);
    assert.equal(resolvePolicy([v1, v2], subject, date('2026-11-23')), null);
  });

  test('effectiveTo is the last Monday a policy can govern', () => {
    const p = buildPolicy({ effectiveFrom: '2026-01-05', effectiveTo: '2026-11-23' });
    assert.equal(resolvePolicy([p], subject, date('2026-11-23'))?.id, 'rto-3');
    assert.equal(resolvePolicy([p], subject, date('2026-11-30')), null);
    const later = buildPolicy({ id: 'next', effectiveFrom: '2026-11-30' });
    assert.equal(resolvePolicy([p, later], subject, date('2026-11-30'))?.id, 'next');
  });

  test('no matching policy resolves to null and the week is no_policy', () => {
    assert.equal(resolvePolicy([], subject, mon), null);
    const notYet = buildPolicy({ effectiveFrom: '2026-11-24' }); // in effect from a Tuesday: not on that week's Monday
    assert.equal(resolvePolicy([notYet], subject, mon), null);
    const w = evaluateWeeks({ policies: [notYet], events: ins(SEA1, '2026-11-24') }, '2026-W48', '2026-W49');
    assert.deepEqual(w.map((r) => r.status), ['no_policy', 'non_compliant']);
    assert.equal(w[0]!.policy, null);
    assert.equal(w[0]!.required, 0);
  });

  test('property: resolution does not depend on the order of the policy list', () => {
    const arbPolicy = fc.record({
      id: fc.constantFrom('a', 'b', 'c'),
      version: fc.integer({ min: 1, max: 3 }),
      from: fc.constantFrom('2025-01-06', '2026-01-05', '2026-06-01', '2026-11-23'),
      orgs: fc.constantFrom([], ['eng'], ['sales']),
      levels: fc.constantFrom([], [6], [7]),
      arrangements: fc.constantFrom([], ['hybrid'], ['office', 'remote']),
    }).map((r) => buildPolicy({ id: r.id, effectiveFrom: r.from, scope: { orgs: r.orgs, levels: r.levels, arrangements: r.arrangements } }, r.version));
    // One version number per id (as a store assigns them).
    const arbList = fc.uniqueArray(arbPolicy, { selector: (p: Policy) => `${p.id}@${p.version}`, maxLength: 7 });
    fc.assert(
      fc.property(arbList, fc.integer(), (list, seed) => {
        const shuffled = [...list].sort((x, y) => ((x.version * 31 + x.id.charCodeAt(0) + seed) % 7) - ((y.version * 31 + y.id.charCodeAt(0) + seed) % 7));
        const a = resolvePolicy(list, subject, mon);
        const b = resolvePolicy(shuffled, subject, mon);
        assert.deepEqual(a && `${a.id}@${a.version}`, b && `${b.id}@${b.version}`);
      }),
      { numRuns: 200 },
    );
  });
});

test('tiers may give their lowest ratio as "min" or "minRatio", or as an object of name → ratio', () => {
  const a = parsePolicyDocument({ id: 't', effectiveFrom: '2026-01-05', standing: { tiers: [{ name: 'in', minRatio: 0.6 }, { name: 'out', min: 0 }] } });
  const b = parsePolicyDocument({ id: 't', effectiveFrom: '2026-01-05', standing: { tiers: { out: 0, in: 0.6 } } });
  assert.ok(a.ok && b.ok);
  if (a.ok && b.ok) {
    assert.deepEqual(a.policy.standing.tiers, [{ name: 'in', min: 0.6 }, { name: 'out', min: 0 }]);
    assert.deepEqual(b.policy.standing.tiers, a.policy.standing.tiers);
  }
});
