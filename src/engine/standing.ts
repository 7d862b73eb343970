/**
 * Standing (DESIGN rule 7): the rolling view over recent complete weeks that
 * promotion and discipline decisions read.
 */
import { type LocalDate, addDays, isoWeekday, mondayOf } from './dates.js';
import { DEFAULT_STANDING } from './policy.js';
import type { Standing, StandingParams, WeekStatus, Tier } from './types.js';

export interface WeekSummary {
  weekStart: LocalDate;
  status: WeekStatus;
  required: number;
  present: number;
}

/** The Mondays of the `windowWeeks` complete ISO weeks ending on or before `asOf`, oldest first. */
export function standingWindow(asOf: LocalDate, windowWeeks: number): { from: LocalDate; to: LocalDate; mondays: LocalDate[] } {
  const lastMonday = isoWeekday(asOf) === 7 ? mondayOf(asOf) : addDays(mondayOf(asOf), -7);
  const mondays: LocalDate[] = [];
  for (let i = windowWeeks - 1; i >= 0; i--) mondays.push(addDays(lastMonday, -7 * i));
  return { from: mondays[0]!, to: addDays(lastMonday, 6), mondays };
}

export function tierFor(ratio: number, tiers: readonly Tier[]): string {
  const sorted = [...tiers].sort((a, b) => b.min - a.min);
  for (const t of sorted) if (ratio >= t.min) return t.name;
  return sorted[sorted.length - 1]!.name;
}

/**
 * Standing as of a date from the weekly summaries of the window's weeks (other
 * weeks are ignored). Only compliant and non_compliant weeks are counted.
 */
export function computeStanding(
  employeeId: string,
  asOf: LocalDate,
  weeks: readonly WeekSummary[],
  params: StandingParams = DEFAULT_STANDING,
  policy: { id: string; version: number } | null = null,
): Standing {
  const { from, to, mondays } = standingWindow(asOf, params.windowWeeks);
  const inWindow = new Set(mondays);
  let counted = 0;
  let compliant = 0;
  let presentDays = 0;
  let requiredDays = 0;
  const seen = new Set<string>();
  for (const w of weeks) {
    if (!inWindow.has(w.weekStart) || seen.has(w.weekStart)) continue;
    seen.add(w.weekStart);
    if (w.status !== 'compliant' && w.status !== 'non_compliant') continue;
    counted++;
    if (w.status === 'compliant') compliant++;
    presentDays += w.present;
    requiredDays += w.required;
  }
  let ratio: number | null = null;
  if (counted > 0) {
    ratio = params.measure === 'weeks' ? compliant / counted : requiredDays > 0 ? Math.min(1, presentDays / requiredDays) : 1;
  }
  return {
    employeeId,
    asOf,
    windowWeeks: params.windowWeeks,
    counted,
    compliant,
    ratio,
    goodStanding: ratio === null || ratio >= params.minRatio,
    tier: ratio === null ? null : tierFor(ratio, params.tiers),
    measure: params.measure,
    minRatio: params.minRatio,
    from,
    to,
    presentDays,
    requiredDays,
    policy,
  };
}
