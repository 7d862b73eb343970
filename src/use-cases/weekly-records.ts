/** Weekly records for some employees and weeks: the stored ones, and the missing ones computed live. */
import type { Deps } from './deps.js';
import { type LocalDate } from '../engine/dates.js';
import type { WeeklyRecord } from '../engine/types.js';
import { readWeeklyRecords } from '../store/compliance.repository.js';
import { computeWeeksLive } from './evaluate-weeks.js';

export async function weeklyRecordsFor(deps: Deps, employeeIds: readonly string[], mondays: readonly LocalDate[]): Promise<Map<string, WeeklyRecord[]>> {
  const out = new Map<string, WeeklyRecord[]>();
  if (mondays.length === 0) return out;
  const sorted = [...mondays].sort();
  const stored = await readWeeklyRecords(deps.db, employeeIds, sorted[0]!, sorted[sorted.length - 1]!);
  const missingIds: string[] = [];
  const missingWeeks = new Set<LocalDate>();
  for (const id of employeeIds) {
    const have = stored.get(id);
    const gaps = sorted.filter((m) => !have?.has(m));
    if (gaps.length > 0) {
      missingIds.push(id);
      gaps.forEach((g) => missingWeeks.add(g));
    }
  }
  const live = await computeWeeksLive(deps, missingIds, [...missingWeeks]);
  for (const id of employeeIds) {
    const have = stored.get(id);
    const computed = new Map((live.get(id) ?? []).map((w) => [w.weekStart, w]));
    const list: WeeklyRecord[] = [];
    for (const m of sorted) {
      const rec = have?.get(m) ?? computed.get(m);
      if (rec) list.push(rec);
    }
    out.set(id, list);
  }
  return out;
}
