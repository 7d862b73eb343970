/** Derived results: presence days and weekly compliance records. */
import type { Db } from './db.js';
import type { LocalDate, IsoWeek } from '../engine/dates.js';
import { addDays } from '../engine/dates.js';
import type { ExcusedDay, PresenceDay, PresenceSource, WeeklyFacts, WeeklyRecord, WeekReason, WeekStatus, HolidayRule } from '../engine/types.js';
import { explainWeek } from '../engine/explain.js';
import { csvField } from './csv-text.js';

export const WEEKLY_COLUMNS = [
  'employee_id', 'week_start', 'week', 'policy_id', 'policy_version', 'status', 'reason', 'required', 'present', 'available',
  'week_length', 'policy_days_per_week', 'days_per_week', 'rule', 'home_office_id', 'present_days', 'excused', 'extra',
] as const;

/** The facts of a record that are not in its columns (null when there are none). */
function extraOf(f: WeeklyFacts): Record<string, unknown> | null {
  const extra: Record<string, unknown> = {};
  if (f.anchors.length > 0) extra.anchors = f.anchors;
  if (f.exception) extra.exception = f.exception;
  if (f.status === 'grace') {
    extra.graceUntil = f.graceUntil;
    extra.hireDate = f.hireDate;
  }
  if (f.status === 'not_employed') {
    extra.hireDate = f.hireDate;
    extra.terminationDate = f.terminationDate;
  }
  if (f.reason === 'office_not_ready') extra.readyFrom = f.readyFrom;
  return Object.keys(extra).length > 0 ? extra : null;
}

/** Present days as compact JSON: [[date, officeId, source, dwellMinutes, firstMs, lastMs(, reference)], …]. */
export function presentDaysJson(days: readonly PresenceDay[]): string | null {
  if (days.length === 0) return null;
  let s = '[';
  for (let i = 0; i < days.length; i++) {
    const d = days[i]!;
    if (i > 0) s += ',';
    s += `["${d.date}",${JSON.stringify(d.officeId)},"${d.source}",${d.dwellMinutes ?? 'null'},${d.firstAt ?? 'null'},${d.lastAt ?? 'null'}${d.reference ? `,${JSON.stringify(d.reference)}` : ''}]`;
  }
  return s + ']';
}

function presentDaysOf(v: unknown): PresenceDay[] {
  if (!Array.isArray(v)) return [];
  return v.map((d: unknown[]) => ({
    date: d[0] as LocalDate, officeId: d[1] as string, source: d[2] as PresenceSource, dwellMinutes: d[3] === null ? null : Number(d[3]),
    firstAt: d[4] === null ? null : Number(d[4]), lastAt: d[5] === null ? null : Number(d[5]),
    ...(typeof d[6] === 'string' ? { reference: d[6] } : {}),
  }));
}

/** A JSON text as a quoted CSV field (JSON always holds quotes). */
function quoted(json: string): string {
  return '"' + json.replace(/"/g, '""') + '"';
}

/** One weekly record as a COPY CSV line of WEEKLY_COLUMNS (hot path: built without intermediate arrays). */
export function weeklyCsvLine(f: WeeklyFacts): string {
  const extra = extraOf(f);
  const days = presentDaysJson(f.presentDays);
  return (
    csvField(f.employeeId) + ',' + f.weekStart + ',' + f.week + ',' + (f.policy ? csvField(f.policy.id) + ',' + f.policy.version : ',') + ',' +
    f.status + ',' + f.reason + ',' + f.required + ',' + f.present + ',' + f.available + ',' + f.weekLength + ',' + f.policyDaysPerWeek + ',' +
    f.daysPerWeek + ',' + (f.rule ?? '') + ',' + csvField(f.homeOfficeId) + ',' + (days === null ? '' : quoted(days)) + ',' +
    (f.excusedDays.length > 0 ? quoted(JSON.stringify(f.excusedDays)) : '') + ',' + (extra ? quoted(JSON.stringify(extra)) : '') + '\n'
  );
}

/** Deletes the stored results of the given weeks (for all employees, or the given ones). */
export async function deleteResults(db: Db, mondays: readonly LocalDate[], employeeIds?: readonly string[]): Promise<void> {
  if (mondays.length === 0) return;
  const sorted = [...mondays].sort();
  const first = sorted[0]!;
  const lastSunday = addDays(sorted[sorted.length - 1]!, 6);
  const who = employeeIds ? 'AND employee_id = ANY($3::text[])' : '';
  const params = employeeIds ? [first, lastSunday, employeeIds] : [first, lastSunday];
  await db.query(`DELETE FROM weekly_compliance WHERE week_start BETWEEN $1::date AND $2::date ${who}`, params);
}

interface WeeklyRowDb {
  employee_id: string; week_start: string; week: string; policy_id: string | null; policy_version: number | null; status: WeekStatus;
  reason: WeekReason; required: number; present: number; available: number; week_length: number; policy_days_per_week: number;
  days_per_week: number; rule: HolidayRule | null; home_office_id: string; present_days: unknown; excused: ExcusedDay[] | null; extra: Record<string, any> | null;
}

/** Stored weekly records, with their present days and explanations, keyed by employee then week start. */
export async function readWeeklyRecords(db: Db, employeeIds: readonly string[], from: LocalDate, to: LocalDate): Promise<Map<string, Map<LocalDate, WeeklyRecord>>> {
  const out = new Map<string, Map<LocalDate, WeeklyRecord>>();
  if (employeeIds.length === 0) return out;
  const rows = await db.query<WeeklyRowDb>(
    `SELECT ${WEEKLY_COLUMNS.join(', ')} FROM weekly_compliance
     WHERE employee_id = ANY($1::text[]) AND week_start BETWEEN $2::date AND $3::date ORDER BY employee_id, week_start`,
    [employeeIds, from, to],
  );
  for (const r of rows) {
    const extra = r.extra ?? {};
    const facts: WeeklyFacts = {
      employeeId: r.employee_id,
      week: r.week as IsoWeek,
      weekStart: r.week_start as LocalDate,
      policy: r.policy_id === null ? null : { id: r.policy_id, version: Number(r.policy_version) },
      status: r.status,
      reason: r.reason,
      required: Number(r.required),
      present: Number(r.present),
      available: Number(r.available),
      weekLength: Number(r.week_length),
      policyDaysPerWeek: Number(r.policy_days_per_week),
      daysPerWeek: Number(r.days_per_week),
      rule: r.rule,
      homeOfficeId: r.home_office_id,
      presentDays: presentDaysOf(typeof r.present_days === 'string' ? JSON.parse(r.present_days) : r.present_days),
      excusedDays: r.excused ?? [],
      anchors: extra.anchors ?? [],
      exception: extra.exception ?? null,
      hireDate: extra.hireDate ?? null,
      terminationDate: extra.terminationDate ?? null,
      graceUntil: extra.graceUntil ?? null,
      readyFrom: extra.readyFrom ?? null,
    };
    let m = out.get(r.employee_id);
    if (!m) out.set(r.employee_id, (m = new Map()));
    m.set(facts.weekStart, { ...facts, explanation: explainWeek(facts) });
  }
  return out;
}
