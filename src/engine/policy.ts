/**
 * Policies: defaults, validation of a policy document, and resolution of the
 * policy that governs an employee's week (DESIGN "Policy").
 */
import { type LocalDate, parseLocalDate, WEEKDAY_NAMES, type WeekdayName, weekdayNameOf, weekdayNumberOf } from './dates.js';
import type { Arrangement, DigestParams, DisciplineParams, ExceptionParams, Policy, PolicyScope, StandingParams, Tier } from './types.js';

export const DEFAULT_TIERS: readonly Tier[] = [
  { name: 'consistent', min: 0.9 },
  { name: 'regular', min: 0.75 },
  { name: 'occasional', min: 0.4 },
  { name: 'limited', min: 0 },
];

export const DEFAULT_STANDING: StandingParams = { windowWeeks: 12, measure: 'weeks', minRatio: 0.75, tiers: DEFAULT_TIERS };

/** The parameters a policy takes when a field is left out. */
export const POLICY_DEFAULTS = {
  daysPerWeek: 3,
  dayStartsAtMinutes: 240,
  countOffices: 'any',
  minDwellMinutes: 0,
  singleSwipe: 'count',
  holidayRule: 'proportional',
  travelCounts: 'excused',
  anchorDays: [] as WeekdayName[],
  graceDays: 14,
  vpLevel: 10,
} as const;

export const DEFAULT_DIGEST: DigestParams = { indirect: false };
export const DEFAULT_DISCIPLINE: DisciplineParams = { nonCompliantWeeksPerStep: 2, minDaysBetweenSteps: 14, compliantWeeksToResolve: 8 };
export const DEFAULT_EXCEPTIONS: ExceptionParams = { expiryNoticeDays: 14 };

/** Presence-day parameters used for days no policy covers. */
export const PRESENCE_DEFAULTS = {
  dayStartsAtMinutes: POLICY_DEFAULTS.dayStartsAtMinutes,
  countOffices: POLICY_DEFAULTS.countOffices,
  minDwellMinutes: POLICY_DEFAULTS.minDwellMinutes,
  singleSwipe: POLICY_DEFAULTS.singleSwipe,
} as const;

export interface PolicyError {
  /** JSON path of the offending field, e.g. "standing.minRatio". */
  path: string;
  reason: string;
}

export type PolicyDraft = Omit<Policy, 'version'>;

const TOP_KEYS = new Set([
  'id', 'name', 'description', 'notes', '$schema', 'effectiveFrom', 'effectiveTo', 'scope', 'daysPerWeek', 'dayStartsAt',
  'countOffices', 'minDwellMinutes', 'singleSwipe', 'holidayRule', 'travelCounts', 'anchorDays', 'graceDays',
  'standing', 'vpLevel', 'version', 'digest', 'discipline', 'exceptions',
]);
const SCOPE_KEYS = ['orgs', 'levels', 'jobFamilies', 'offices', 'arrangements'] as const;
const STANDING_KEYS = new Set(['windowWeeks', 'measure', 'minRatio', 'tiers']);
const ARRANGEMENTS: readonly Arrangement[] = ['office', 'hybrid', 'remote'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseClock(text: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 23 || min > 59) return null;
  return h * 60 + min;
}

export function formatClock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/**
 * Validates a policy document (the parsed JSON of a policy file) and fills in
 * defaults. Unknown fields are errors, so that a typo never silently falls back
 * to a default.
 */
export function parsePolicyDocument(doc: unknown): { ok: true; policy: PolicyDraft } | { ok: false; errors: PolicyError[] } {
  const errors: PolicyError[] = [];
  const err = (path: string, reason: string) => errors.push({ path, reason });
  if (!isObject(doc)) return { ok: false, errors: [{ path: '', reason: 'a policy must be a JSON object' }] };
  for (const key of Object.keys(doc)) if (!TOP_KEYS.has(key)) err(key, `unknown field "${key}"`);

  const str = (key: string, required: boolean): string | null => {
    const v = doc[key];
    if (v === undefined || v === null) {
      if (required) err(key, 'is required');
      return null;
    }
    if (typeof v !== 'string' || v.trim() === '') {
      err(key, 'must be a non-empty string');
      return null;
    }
    return v.trim();
  };
  const int = (obj: Record<string, unknown>, key: string, path: string, min: number, max: number, dflt: number): number => {
    const v = obj[key];
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      err(path, `must be a whole number from ${min} to ${max}`);
      return dflt;
    }
    return v;
  };
  const oneOf = <T extends string>(key: string, values: readonly T[], dflt: T): T => {
    const v = doc[key];
    if (v === undefined) return dflt;
    if (typeof v !== 'string' || !values.includes(v as T)) {
      err(key, `must be one of ${values.map((x) => `"${x}"`).join(', ')}`);
      return dflt;
    }
    return v as T;
  };

  const id = str('id', true);
  if (id !== null && !/^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$/.test(id)) err('id', 'must be 1–64 letters, digits, "-", "_" or "."');
  const name = str('name', false) ?? id ?? '';
  const fromText = str('effectiveFrom', true);
  const effectiveFrom = fromText === null ? null : parseLocalDate(fromText);
  if (fromText !== null && effectiveFrom === null) err('effectiveFrom', `not a date (expected YYYY-MM-DD): "${fromText}"`);
  const toText = str('effectiveTo', false);
  const effectiveTo = toText === null ? null : parseLocalDate(toText);
  if (toText !== null && effectiveTo === null) err('effectiveTo', `not a date (expected YYYY-MM-DD): "${toText}"`);
  if (effectiveFrom && effectiveTo && effectiveTo < effectiveFrom) err('effectiveTo', 'is before effectiveFrom');
  if (doc.version !== undefined) err('version', 'is assigned by hubday when the policy is applied; leave it out');

  // Scope
  const scope: { -readonly [K in keyof PolicyScope]: PolicyScope[K] } = { orgs: [], levels: [], jobFamilies: [], offices: [], arrangements: [] };
  if (doc.scope !== undefined) {
    if (!isObject(doc.scope)) err('scope', 'must be an object');
    else {
      for (const key of Object.keys(doc.scope)) {
        if (!(SCOPE_KEYS as readonly string[]).includes(key)) err(`scope.${key}`, `unknown field "${key}" (scope takes ${SCOPE_KEYS.join(', ')})`);
      }
      for (const key of SCOPE_KEYS) {
        const v = doc.scope[key];
        if (v === undefined) continue;
        if (!Array.isArray(v)) {
          err(`scope.${key}`, 'must be a list');
          continue;
        }
        v.forEach((item, i) => {
          const path = `scope.${key}[${i}]`;
          if (key === 'levels') {
            if (typeof item !== 'number' || !Number.isInteger(item)) err(path, 'must be a whole number');
            else scope.levels = [...scope.levels, item];
          } else if (key === 'arrangements') {
            if (!ARRANGEMENTS.includes(item as Arrangement)) err(path, 'must be "office", "hybrid" or "remote"');
            else scope.arrangements = [...scope.arrangements, item as Arrangement];
          } else if (typeof item !== 'string' || item.trim() === '') err(path, 'must be a non-empty string');
          else (scope[key] as string[]) = [...(scope[key] as string[]), item.trim()];
        });
      }
    }
  }

  const daysPerWeek = int(doc, 'daysPerWeek', 'daysPerWeek', 0, 7, POLICY_DEFAULTS.daysPerWeek);
  let dayStartsAtMinutes: number = POLICY_DEFAULTS.dayStartsAtMinutes;
  if (doc.dayStartsAt !== undefined) {
    const m = typeof doc.dayStartsAt === 'string' ? parseClock(doc.dayStartsAt) : null;
    if (m === null) err('dayStartsAt', 'must be a local time "HH:MM" from 00:00 to 23:59');
    else dayStartsAtMinutes = m;
  }
  const countOffices = oneOf('countOffices', ['any', 'home'] as const, POLICY_DEFAULTS.countOffices);
  const minDwellMinutes = int(doc, 'minDwellMinutes', 'minDwellMinutes', 0, 1440, POLICY_DEFAULTS.minDwellMinutes);
  const singleSwipe = oneOf('singleSwipe', ['count', 'ignore'] as const, POLICY_DEFAULTS.singleSwipe);
  const holidayRule = oneOf('holidayRule', ['proportional', 'cap', 'subtract'] as const, POLICY_DEFAULTS.holidayRule);
  const travelCounts = oneOf('travelCounts', ['present', 'excused'] as const, POLICY_DEFAULTS.travelCounts);
  const graceDays = int(doc, 'graceDays', 'graceDays', 0, 3660, POLICY_DEFAULTS.graceDays);
  const vpLevel = int(doc, 'vpLevel', 'vpLevel', 0, 99, POLICY_DEFAULTS.vpLevel);

  const anchorDays: WeekdayName[] = [];
  if (doc.anchorDays !== undefined && doc.anchorDays !== null) {
    if (!Array.isArray(doc.anchorDays)) err('anchorDays', 'must be a list of weekdays such as ["Tue", "Wed"]');
    else
      doc.anchorDays.forEach((d, i) => {
        const n = typeof d === 'string' ? weekdayNumberOf(d) : null;
        const name = n === null ? undefined : weekdayNameOf(n);
        if (!name) err(`anchorDays[${i}]`, `must be a weekday: ${WEEKDAY_NAMES.join(', ')}`);
        else if (!anchorDays.includes(name)) anchorDays.push(name);
      });
  }

  // Standing
  let standing: StandingParams = DEFAULT_STANDING;
  if (doc.standing !== undefined) {
    const s = doc.standing;
    if (!isObject(s)) err('standing', 'must be an object');
    else {
      for (const key of Object.keys(s)) if (!STANDING_KEYS.has(key)) err(`standing.${key}`, `unknown field "${key}"`);
      const windowWeeks = int(s, 'windowWeeks', 'standing.windowWeeks', 1, 260, DEFAULT_STANDING.windowWeeks);
      let measure = DEFAULT_STANDING.measure;
      if (s.measure !== undefined) {
        if (s.measure !== 'weeks' && s.measure !== 'days') err('standing.measure', 'must be "weeks" or "days"');
        else measure = s.measure;
      }
      let minRatio = DEFAULT_STANDING.minRatio;
      if (s.minRatio !== undefined) {
        if (typeof s.minRatio !== 'number' || !(s.minRatio >= 0 && s.minRatio <= 1)) err('standing.minRatio', 'must be a number from 0 to 1');
        else minRatio = s.minRatio;
      }
      let tiers = DEFAULT_TIERS;
      if (s.tiers !== undefined) {
        const parsed = parseTiers(s.tiers);
        if (typeof parsed === 'string') err('standing.tiers', parsed);
        else tiers = parsed;
      }
      standing = { windowWeeks, measure, minRatio, tiers };
    }
  }

  // Workflow parameters: objects of whole numbers / booleans with defaults.
  const section = <T extends object>(key: string, dflt: T, fields: Record<keyof T & string, [number, number] | 'boolean'>): T => {
    const v = doc[key];
    if (v === undefined) return dflt;
    if (!isObject(v)) {
      err(key, 'must be an object');
      return dflt;
    }
    for (const k of Object.keys(v)) if (!(k in fields)) err(`${key}.${k}`, `unknown field "${k}" (${key} takes ${Object.keys(fields).join(', ')})`);
    const out: Record<string, unknown> = { ...(dflt as Record<string, unknown>) };
    for (const [k, spec] of Object.entries(fields) as [string, [number, number] | 'boolean'][]) {
      if (v[k] === undefined) continue;
      if (spec === 'boolean') {
        if (typeof v[k] !== 'boolean') err(`${key}.${k}`, 'must be true or false');
        else out[k] = v[k];
      } else out[k] = int(v, k, `${key}.${k}`, spec[0], spec[1], (dflt as unknown as Record<string, number>)[k]!);
    }
    return out as T;
  };
  const digest = section<DigestParams>('digest', DEFAULT_DIGEST, { indirect: 'boolean' });
  const discipline = section<DisciplineParams>('discipline', DEFAULT_DISCIPLINE, {
    nonCompliantWeeksPerStep: [0, 52], minDaysBetweenSteps: [0, 365], compliantWeeksToResolve: [1, 104],
  });
  const exceptions = section<ExceptionParams>('exceptions', DEFAULT_EXCEPTIONS, { expiryNoticeDays: [0, 365] });

  if (errors.length > 0 || id === null || effectiveFrom === null) return { ok: false, errors };
  return {
    ok: true,
    policy: {
      id, name, effectiveFrom, effectiveTo, scope, daysPerWeek, dayStartsAtMinutes, countOffices, minDwellMinutes,
      singleSwipe, holidayRule, travelCounts, anchorDays, graceDays, standing, vpLevel, digest, discipline, exceptions,
    },
  };
}

/** Tiers as `[{"name": "consistent", "min": 0.9}, …]` or `{"consistent": 0.9, …}`; returned best first. */
function parseTiers(v: unknown): Tier[] | string {
  let list: Tier[];
  if (Array.isArray(v)) {
    list = [];
    for (const t of v) {
      // The lowest ratio of a tier: "min" (or "minRatio", as the standing parameter is named).
      const min = isObject(t) ? (t.min ?? t.minRatio) : undefined;
      if (!isObject(t) || typeof t.name !== 'string' || t.name.trim() === '' || typeof min !== 'number' || !(min >= 0 && min <= 1)) {
        return 'must be a list of {"name": text, "min": number from 0 to 1}';
      }
      list.push({ name: t.name.trim(), min });
    }
  } else if (isObject(v)) {
    list = [];
    for (const [name, min] of Object.entries(v)) {
      if (typeof min !== 'number' || !(min >= 0 && min <= 1)) return `tier "${name}" must have a lowest ratio from 0 to 1`;
      list.push({ name, min });
    }
  } else return 'must be a list of {"name", "min"} or an object of name → lowest ratio';
  if (list.length === 0) return 'must name at least one tier';
  if (new Set(list.map((t) => t.name)).size !== list.length) return 'tier names must be unique';
  return list.sort((a, b) => b.min - a.min);
}

/** The facts of an employee that policy scopes match against. */
export interface ScopeSubject {
  org: string | null;
  level: number;
  jobFamily: string | null;
  homeOfficeId: string;
  arrangement: Arrangement;
}

export function scopeMatches(scope: PolicyScope, s: ScopeSubject): boolean {
  return (
    (scope.orgs.length === 0 || (s.org !== null && scope.orgs.includes(s.org))) &&
    (scope.levels.length === 0 || scope.levels.includes(s.level)) &&
    (scope.jobFamilies.length === 0 || (s.jobFamily !== null && scope.jobFamilies.includes(s.jobFamily))) &&
    (scope.offices.length === 0 || scope.offices.includes(s.homeOfficeId)) &&
    (scope.arrangements.length === 0 || scope.arrangements.includes(s.arrangement))
  );
}

export function specificity(scope: PolicyScope): number {
  return (
    (scope.orgs.length > 0 ? 1 : 0) +
    (scope.levels.length > 0 ? 1 : 0) +
    (scope.jobFamilies.length > 0 ? 1 : 0) +
    (scope.offices.length > 0 ? 1 : 0) +
    (scope.arrangements.length > 0 ? 1 : 0)
  );
}

/**
 * The versions in effect on a date: for each policy id, the version with the
 * latest effectiveFrom on or before the date (ties: the highest version). A
 * new version of a policy supersedes the earlier ones from its effectiveFrom;
 * before that date the earlier version still governs, so history is stable.
 */
const inEffectMemo = new WeakMap<readonly Policy[], Map<LocalDate, Policy[]>>();

export function policiesInEffect(policies: readonly Policy[], on: LocalDate): Policy[] {
  // Memoised per policy list and date (a pure function of both; lists are not mutated).
  let byDate = inEffectMemo.get(policies);
  if (!byDate) inEffectMemo.set(policies, (byDate = new Map()));
  let found = byDate.get(on);
  if (!found) byDate.set(on, (found = computeInEffect(policies, on)));
  return found;
}

function computeInEffect(policies: readonly Policy[], on: LocalDate): Policy[] {
  const best = new Map<string, Policy>();
  for (const p of policies) {
    if (p.effectiveFrom > on) continue;
    const cur = best.get(p.id);
    if (!cur || p.effectiveFrom > cur.effectiveFrom || (p.effectiveFrom === cur.effectiveFrom && p.version > cur.version)) best.set(p.id, p);
  }
  return [...best.values()].filter((p) => p.effectiveTo === null || on <= p.effectiveTo);
}

/**
 * The policy that judges a week (DESIGN: the policies in effect on its Monday;
 * of those whose scope matches, the most specific wins, ties broken by the
 * latest effectiveFrom, then the highest version, then the id).
 */
export function resolvePolicy(policies: readonly Policy[], subject: ScopeSubject, monday: LocalDate): Policy | null {
  let winner: Policy | null = null;
  let winnerSpec = -1;
  for (const p of policiesInEffect(policies, monday)) {
    if (!scopeMatches(p.scope, subject)) continue;
    const spec = specificity(p.scope);
    if (
      winner === null ||
      spec > winnerSpec ||
      (spec === winnerSpec &&
        (p.effectiveFrom > winner.effectiveFrom ||
          (p.effectiveFrom === winner.effectiveFrom && (p.version > winner.version || (p.version === winner.version && p.id < winner.id)))))
    ) {
      winner = p;
      winnerSpec = spec;
    }
  }
  return winner;
}

/** A policy as its JSON document (the shape of a policy file, with version). */
export function policyToDocument(p: Policy): Record<string, unknown> {
  return {
    id: p.id,
    version: p.version,
    name: p.name,
    effectiveFrom: p.effectiveFrom,
    ...(p.effectiveTo ? { effectiveTo: p.effectiveTo } : {}),
    scope: p.scope,
    daysPerWeek: p.daysPerWeek,
    dayStartsAt: formatClock(p.dayStartsAtMinutes),
    countOffices: p.countOffices,
    minDwellMinutes: p.minDwellMinutes,
    singleSwipe: p.singleSwipe,
    holidayRule: p.holidayRule,
    travelCounts: p.travelCounts,
    anchorDays: p.anchorDays,
    graceDays: p.graceDays,
    standing: p.standing,
    vpLevel: p.vpLevel,
    digest: p.digest,
    discipline: p.discipline,
    exceptions: p.exceptions,
  };
}
