/**
 * `hubday evaluate --changed`: re-evaluates only the (employee, week) pairs whose
 * badge data changed after they were evaluated (late events, marked by the
 * badge import), in one transaction.
 */
import type { Deps } from './deps.js';
import { type LocalDate, addDays } from '../engine/dates.js';
import { evaluateEmployeeFacts } from '../engine/compliance.js';
import { WEEK_STATUSES, type WeekStatus } from '../engine/types.js';
import { loadContext } from './load-context.js';
import { eventWindowMs, loadHrFacts, type EvaluateSummary } from './evaluate-weeks.js';
import { inputOf } from './evaluate-compute.js';
import { getEmployees } from '../store/employee.repository.js';
import { eventsInWindows } from '../store/badge.repository.js';
import { deleteWeeklyPairs, ensureWeekPartitions, lockEvaluations, PAIRS_SQL, writeWeeklyTuple, RECORD_COLUMNS } from '../store/compliance.repository.js';
import { CsvBytes } from '../store/csv-bytes.js';
import { afterEvaluation } from './after-evaluation.js';

export async function evaluateChanged(deps: Deps): Promise<EvaluateSummary & { pairs: number }> {
  const byStatus = Object.fromEntries(WEEK_STATUSES.map((s) => [s, 0])) as Record<WeekStatus, number>;
  const dirty = await deps.db.query<{ employee_id: string; week_start: string }>('SELECT employee_id, week_start FROM dirty_week ORDER BY employee_id, week_start');
  if (dirty.length === 0) {
    const today = deps.clock.today();
    return { from: today, to: today, weeks: 0, employees: 0, records: 0, presenceDays: 0, events: 0, byStatus, pairs: 0 };
  }
  const weeksOf = new Map<string, LocalDate[]>();
  let first = dirty[0]!.week_start as LocalDate;
  let last = first;
  for (const r of dirty) {
    const w = r.week_start as LocalDate;
    if (w < first) first = w;
    if (w > last) last = w;
    let list = weeksOf.get(r.employee_id);
    if (!list) weeksOf.set(r.employee_id, (list = []));
    list.push(w);
  }
  const ids = [...weeksOf.keys()];
  const ctx = await loadContext(deps, first, addDays(last, 6));
  const employees = await getEmployees(deps.db, ids);
  const hr = await loadHrFacts(deps, first, addDays(last, 6), ids);
  // Each employee's events only around their own changed weeks.
  const windows = new Map([...weeksOf].map(([id, weeks]) => {
    const sorted = [...weeks].sort();
    return [id, eventWindowMs(sorted[0]!, sorted[sorted.length - 1]!)] as const;
  }));
  const events = await eventsInWindows(deps.db, windows);
  // The records as binary COPY tuples, written by the same writer as a full evaluation's.
  const tuples = new CsvBytes();
  let presenceDays = 0;
  for (const e of employees) {
    const input = inputOf(e, events.get(e.employeeId) ?? [], hr);
    for (const f of evaluateEmployeeFacts(input, ctx, weeksOf.get(e.employeeId)!)) {
      writeWeeklyTuple(tuples, f);
      byStatus[f.status]++;
      presenceDays += f.presentDays.length;
    }
  }
  const pairIds = dirty.map((r) => r.employee_id);
  const pairWeeks = dirty.map((r) => r.week_start);
  let records = 0;
  await deps.db.transaction(async (tx) => {
    await lockEvaluations(tx);
    await ensureWeekPartitions(tx, pairWeeks as LocalDate[]);
    await deleteWeeklyPairs(tx, pairIds, pairWeeks);
    records = await tx.copyFrom('weekly_record', RECORD_COLUMNS, tuples.length > 0 ? [tuples.take()] : [], 'binary');
    await tx.query(`DELETE FROM dirty_week d USING ${PAIRS_SQL} p WHERE d.employee_id = p.employee_id AND d.week_start = p.week_start`, [pairIds, pairWeeks]);
    await afterEvaluation(tx, deps, { mondays: [...new Set(pairWeeks as LocalDate[])].sort(), employeeIds: ids });
  });
  return {
    from: first, to: addDays(last, 6), weeks: new Set(pairWeeks).size, employees: employees.length, records, presenceDays,
    events: [...events.values()].reduce((n, l) => n + l.length, 0), byStatus, pairs: dirty.length,
  };
}
