/**
 * Manager digests (DESIGN "Workflows: manager awareness"), pure: from the weekly statuses of the
 * people out of compliance in a week (that week and a few before it) and the org links above
 * them, one digest per manager listing the reports who are out of compliance, each with
 * present/required, how many weeks in a row, and a trend.
 *
 * Who is listed to whom (our reading of "direct, and indirect if the policy says so"): a person
 * out of compliance is always listed to their direct manager; when the policy governing that
 * person's week has `digest.indirect`, also to every manager above, up the chain to the root.
 * The reach follows the person's own policy (the rules that judged the week), so two reports of
 * one manager may reach different heights. A manager who has left (inactive) gets no digest,
 * but the walk goes on above them.
 *
 * Digests carry ids, names, status codes (with the rule's reason code, such as
 * `anchor_day_missed`) and day counts only: never an exception, a leave kind or a private
 * reason. The weeks in a row and the trend follow DESIGN's "counted" weeks: only `compliant`
 * and `non_compliant` weeks count; an excused, exempt, grace or no-policy week
 * neither breaks nor extends a run; a week never evaluated ends it.
 */
import { addDays, isoWeekOf, type IsoWeek, type LocalDate } from './dates.js';
import type { WeekReason, WeekStatus } from './types.js';

/** One stored week of a person (what the digest reads of weekly compliance). */
export interface DigestWeek {
  weekStart: LocalDate;
  status: WeekStatus;
  /** The status's reason code (`below_requirement`, `anchor_day_missed`, …); optional. */
  reason?: WeekReason;
  present: number;
  required: number;
}

/** A person with a record in the digest week, and the weeks before it. */
export interface DigestSubject {
  employeeId: string;
  name: string;
  managerId: string | null;
  /** `digest.indirect` of the policy governing the person's digest week. */
  indirect: boolean;
  /** The person's records in the history window (any order; the digest week among them). */
  weeks: readonly DigestWeek[];
}

/** A person who may receive a digest (anyone above someone out of compliance). */
export interface DigestManager {
  employeeId: string;
  name: string;
  /** Null or empty: no address (the digest is built, not mailed). */
  email: string | null;
  managerId: string | null;
  /** False for someone who has left: no digest for them, but the chain goes on above. */
  active: boolean;
}

export interface DigestInput {
  /** The Monday of the digest week. */
  weekStart: LocalDate;
  /** How many weeks the trend shows, the digest week included (default 4). */
  trendWeeks?: number;
  /** How many weeks back "weeks in a row" is counted at most, the digest week included (default 8). */
  historyWeeks?: number;
  /** People with a record in the digest week; only the non-compliant ones are listed. */
  subjects: readonly DigestSubject[];
  /** Everyone who may be above them (more is fine), by id. */
  managers: ReadonlyMap<string, DigestManager>;
}

export type TrendDirection = 'improving' | 'worsening' | 'steady' | 'unknown';

export interface DigestTrend {
  /** The trend's weeks, oldest first, the digest week last. */
  weeks: IsoWeek[];
  /** Each week's status, null when the week was not evaluated. */
  statuses: (WeekStatus | null)[];
  /**
   * The digest week's attainment (present / required, at most 1) against the mean of the
   * earlier counted weeks of the trend: more than 0.05 higher `improving`, lower `worsening`,
   * else `steady`; `unknown` when no earlier week was counted.
   */
  direction: TrendDirection;
}

export interface DigestEntry {
  employeeId: string;
  name: string;
  /** The person's direct manager. */
  managerId: string;
  /** `direct` for the digest's manager's own reports; `indirect` further down. */
  relation: 'direct' | 'indirect';
  /** Steps from the digest's manager down to the person (1 = direct report). */
  depth: number;
  present: number;
  required: number;
  /** Why the week is non-compliant: `below_requirement`, or `anchor_day_missed` (present may then reach required). */
  reason: WeekReason | null;
  /** Non-compliant counted weeks in a row, ending with the digest week (at least 1). */
  weeksOut: number;
  /** True when the run reaches back past the history window (show as "8+"). */
  weeksOutAtLeast: boolean;
  /** True when this is the first week of the run (the counted week before was compliant, or there was none). */
  newly: boolean;
  trend: DigestTrend;
}

export interface ManagerDigest {
  managerId: string;
  managerName: string;
  email: string | null;
  week: IsoWeek;
  weekStart: LocalDate;
  /** Direct reports first, then indirect ones (by depth, then their manager, then id); ids ascending within. */
  entries: DigestEntry[];
  direct: number;
  indirect: number;
}

export const DEFAULT_TREND_WEEKS = 4;
export const DEFAULT_HISTORY_WEEKS = 8;
const STEADY_MARGIN = 0.05;

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function attainment(w: DigestWeek): number {
  return w.required > 0 ? Math.min(1, w.present / w.required) : 1;
}

const isCounted = (s: WeekStatus): boolean => s === 'compliant' || s === 'non_compliant';

/** Weeks out in a row, and whether the run reaches the start of the history. */
export function runOfWeeksOut(
  byWeek: ReadonlyMap<LocalDate, DigestWeek>, weekStart: LocalDate, historyWeeks: number,
): { weeksOut: number; atLeast: boolean; newly: boolean } {
  let weeksOut = 0;
  let ended = false;
  for (let i = 0; i < historyWeeks; i++) {
    const w = byWeek.get(addDays(weekStart, -7 * i));
    if (!w) {
      ended = true;
      break;
    }
    if (!isCounted(w.status)) continue;
    if (w.status === 'compliant') {
      ended = true;
      break;
    }
    weeksOut++;
  }
  // The run may go on before the window when nothing ended it and the window's oldest week is out too.
  const atLeast = !ended && weeksOut > 0 && byWeek.get(addDays(weekStart, -7 * (historyWeeks - 1)))?.status === 'non_compliant';
  return { weeksOut, atLeast, newly: weeksOut === 1 && !atLeast };
}

export function trendOf(byWeek: ReadonlyMap<LocalDate, DigestWeek>, weekStart: LocalDate, trendWeeks: number): DigestTrend {
  const weeks: IsoWeek[] = [];
  const statuses: (WeekStatus | null)[] = [];
  const earlier: number[] = [];
  for (let i = trendWeeks - 1; i >= 0; i--) {
    const monday = addDays(weekStart, -7 * i);
    const w = byWeek.get(monday);
    weeks.push(isoWeekOf(monday));
    statuses.push(w ? w.status : null);
    if (i > 0 && w && isCounted(w.status)) earlier.push(attainment(w));
  }
  const current = byWeek.get(weekStart);
  let direction: TrendDirection = 'unknown';
  if (current && earlier.length > 0) {
    const mean = earlier.reduce((a, b) => a + b, 0) / earlier.length;
    const diff = attainment(current) - mean;
    direction = diff > STEADY_MARGIN ? 'improving' : diff < -STEADY_MARGIN ? 'worsening' : 'steady';
  }
  return { weeks, statuses, direction };
}

/** The managers who hear about a person: the direct manager, and everyone above when `indirect`. Cut at cycles. */
export function recipientsOf(subject: Pick<DigestSubject, 'employeeId' | 'managerId' | 'indirect'>, managers: ReadonlyMap<string, DigestManager>): { managerId: string; depth: number }[] {
  const out: { managerId: string; depth: number }[] = [];
  const seen = new Set<string>([subject.employeeId]);
  let id = subject.managerId;
  let depth = 1;
  while (id !== null && !seen.has(id)) {
    seen.add(id);
    const m = managers.get(id);
    if (!m) break;
    out.push({ managerId: id, depth });
    if (!subject.indirect) break;
    id = m.managerId;
    depth++;
  }
  return out;
}

/** One digest per manager with at least one report out of compliance in the week, ordered by manager id. */
export function buildDigests(input: DigestInput): ManagerDigest[] {
  const trendWeeks = Math.max(1, input.trendWeeks ?? DEFAULT_TREND_WEEKS);
  const historyWeeks = Math.max(1, input.historyWeeks ?? DEFAULT_HISTORY_WEEKS);
  const week = isoWeekOf(input.weekStart);
  const byManager = new Map<string, DigestEntry[]>();
  for (const s of input.subjects) {
    const byWeek = new Map(s.weeks.map((w) => [w.weekStart, w]));
    const current = byWeek.get(input.weekStart);
    if (!current || current.status !== 'non_compliant' || s.managerId === null) continue;
    const recipients = recipientsOf(s, input.managers);
    if (recipients.length === 0) continue;
    const run = runOfWeeksOut(byWeek, input.weekStart, historyWeeks);
    const trend = trendOf(byWeek, input.weekStart, trendWeeks);
    for (const r of recipients) {
      if (!input.managers.get(r.managerId)!.active) continue;
      let list = byManager.get(r.managerId);
      if (!list) byManager.set(r.managerId, (list = []));
      list.push({
        employeeId: s.employeeId, name: s.name, managerId: s.managerId, relation: r.depth === 1 ? 'direct' : 'indirect', depth: r.depth,
        present: current.present, required: current.required, reason: current.reason ?? null, weeksOut: run.weeksOut, weeksOutAtLeast: run.atLeast, newly: run.newly,
        trend, // shared by the person's entries in every digest (read-only)
      });
    }
  }
  const digests: ManagerDigest[] = [];
  for (const [managerId, entries] of byManager) {
    const m = input.managers.get(managerId)!;
    entries.sort((a, b) => a.depth - b.depth || cmp(a.managerId, b.managerId) || cmp(a.employeeId, b.employeeId));
    const direct = entries.filter((e) => e.relation === 'direct').length;
    digests.push({
      managerId, managerName: m.name, email: m.email && m.email.trim() !== '' ? m.email : null, week, weekStart: input.weekStart,
      entries, direct, indirect: entries.length - direct,
    });
  }
  return digests.sort((a, b) => cmp(a.managerId, b.managerId));
}

/**
 * The digest week of an evaluation run: the latest of the evaluated weeks that is complete (its
 * Sunday before today), provided it is the week that ended most recently (its Sunday within the
 * seven days before today). An evaluation of older weeks sends nothing: a digest is news about
 * the week just ended (older weeks can be digested explicitly with `hubday digest --week`).
 */
export function digestWeekOf(mondays: readonly LocalDate[], today: LocalDate): LocalDate | null {
  let best: LocalDate | null = null;
  for (const m of mondays) {
    const sunday = addDays(m, 6);
    if (sunday < today && (best === null || m > best)) best = m;
  }
  if (best === null) return null;
  return addDays(best, 6) >= addDays(today, -7) ? best : null;
}

// ---------------------------------------------------------------------------
// Rendering: the mail a manager reads, and the JSON a webhook receives.
// ---------------------------------------------------------------------------

const CODES: Record<WeekStatus, string> = {
  compliant: 'C', non_compliant: 'N', excused: 'E', exempt: 'X', grace: 'G', no_policy: 'P', not_employed: '-',
};

export function statusCode(s: WeekStatus | null): string {
  return s === null ? '?' : CODES[s];
}

function pad(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => '  ' + r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
}

function weeksOutText(e: DigestEntry): string {
  if (e.newly) return 'newly out';
  return `${e.weeksOut}${e.weeksOutAtLeast ? '+' : ''} weeks in a row`;
}

export interface RenderOptions {
  /** At most this many lines per section; the rest are counted and pointed to `hubday team`. Default 50. */
  maxEntries?: number;
}

/** The mail of a digest: subject and plain-text body. Ids, names, status codes and numbers only. */
export function renderDigest(d: ManagerDigest, opts: RenderOptions = {}): { subject: string; text: string } {
  const max = opts.maxEntries ?? 50;
  const total = d.entries.length;
  const people = (n: number) => (n === 1 ? '1 person' : `${n} people`);
  const subject = `hubday weekly digest ${d.week}: ${people(total)} on your team out of compliance`;
  const sunday = addDays(d.weekStart, 6);
  const lines: string[] = [];
  lines.push(`Hello ${d.managerName},`, '');
  const split = d.indirect > 0 ? ` (${d.direct} direct, ${d.indirect} indirect)` : '';
  lines.push(`In week ${d.week} (${d.weekStart} to ${sunday}), ${people(total)} on your team${split}`);
  lines.push(`${total === 1 ? 'was' : 'were'} out of compliance with the office-attendance policy that applies to them.`, '');
  const section = (title: string, entries: DigestEntry[], withVia: boolean) => {
    if (entries.length === 0) return;
    lines.push(`${title} (${entries.length})`);
    const head = ['Person', ...(withVia ? ['Reports to'] : []), 'Present', 'Out', `Last ${entries[0]!.trend.weeks.length} weeks`, 'Trend'];
    const rows = entries.slice(0, max).map((e) => [
      `${e.name} (${e.employeeId})`, ...(withVia ? [e.managerId] : []), `${e.present} of ${e.required}${e.reason === 'anchor_day_missed' ? ', anchor day missed' : ''}`, weeksOutText(e),
      e.trend.statuses.map(statusCode).join(' '), e.trend.direction,
    ]);
    lines.push(...pad([head, ...rows]));
    if (entries.length > max) lines.push(`  … and ${entries.length - max} more (see hubday team below)`);
    lines.push('');
  };
  section('Direct reports', d.entries.filter((e) => e.relation === 'direct'), false);
  section('Indirect reports', d.entries.filter((e) => e.relation === 'indirect'), true);
  const first = d.entries[0]!;
  lines.push('Present: office days present of the days required that week (holidays and leave already');
  lines.push(`lower the requirement). Last ${first.trend.weeks.length} weeks: ${first.trend.weeks[0]} to ${d.week}, oldest first:`);
  lines.push('C compliant, N non-compliant, E excused, X exempt, G new-hire grace, P no policy, - not employed,');
  lines.push('? not evaluated.', '');
  lines.push('To see each day and how each week was judged:');
  lines.push(`  hubday team ${d.managerId} --week ${d.week}${d.indirect > 0 ? ' --indirect' : ''} --as ${d.managerId}`);
  lines.push(`  hubday compliance ${first.employeeId} --from ${d.weekStart} --to ${sunday} --as ${d.managerId}`);
  lines.push('');
  lines.push('A record may be wrong (a badge reader down, a day worked elsewhere): the person can dispute a day,');
  lines.push('and approved exceptions are already applied. This digest is information, not a decision.');
  lines.push('You receive one digest a week, only when someone on your team is out of compliance.');
  return { subject, text: lines.join('\n') + '\n' };
}

/** At most this many people in a payload (a top manager's indirect digest can list a whole company). */
export const PAYLOAD_MAX_REPORTS = 1000;

/**
 * The structured digest (the outbox payload, what a webhook receives): ids, codes and numbers
 * only. Lists the first PAYLOAD_MAX_REPORTS people (direct reports first) and counts the rest
 * in `reportsOmitted`.
 */
export function digestPayload(d: ManagerDigest, maxReports: number = PAYLOAD_MAX_REPORTS): Record<string, unknown> {
  return {
    type: 'digest.weekly',
    managerId: d.managerId,
    week: d.week,
    weekStart: d.weekStart,
    weekEnd: addDays(d.weekStart, 6),
    counts: { direct: d.direct, indirect: d.indirect },
    reportsOmitted: Math.max(0, d.entries.length - maxReports),
    reports: d.entries.slice(0, maxReports).map((e) => ({
      employeeId: e.employeeId, managerId: e.managerId, relation: e.relation, depth: e.depth, status: 'non_compliant',
      reason: e.reason, present: e.present, required: e.required, weeksOut: e.weeksOut, weeksOutAtLeast: e.weeksOutAtLeast, newly: e.newly,
      trend: { weeks: e.trend.weeks, statuses: e.trend.statuses, direction: e.trend.direction },
    })),
  };
}

/** The outbox dedupe key of a manager's digest of a week: exactly one per manager and week. */
export function digestKey(managerId: string, week: IsoWeek): string {
  return `digest:${managerId}:${week}`;
}
