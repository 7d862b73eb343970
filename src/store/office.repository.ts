import type { Db } from './db.js';
import type { Office } from '../engine/types.js';
import type { LocalDate } from '../engine/dates.js';
import type { TimeZone } from '../engine/time-zone.js';
import type { HolidayOverride } from '../calendar/public-holidays.js';

interface OfficeRowDb {
  office_id: string; name: string; timezone: string; country: string; subdivision: string | null; work_week: number[]; ready_from: string | null;
}

export async function listOffices(db: Db): Promise<Office[]> {
  const rows = await db.query<OfficeRowDb>('SELECT office_id, name, timezone, country, subdivision, work_week, ready_from FROM office ORDER BY office_id');
  return rows.map((r) => ({
    officeId: r.office_id,
    name: r.name,
    timezone: r.timezone as TimeZone,
    country: r.country,
    subdivision: r.subdivision,
    workWeek: r.work_week.map(Number),
    readyFrom: r.ready_from as LocalDate | null,
  }));
}

export async function officeIds(db: Db): Promise<Set<string>> {
  const rows = await db.query<{ office_id: string }>('SELECT office_id FROM office');
  return new Set(rows.map((r) => r.office_id));
}

/** Upserts offices by id; returns how many were new and how many updated. */
export async function upsertOffices(db: Db, offices: readonly Office[]): Promise<{ inserted: number; updated: number }> {
  let inserted = 0;
  let updated = 0;
  for (let i = 0; i < offices.length; i += 500) {
    const batch = offices.slice(i, i + 500);
    const rows = await db.query<{ inserted: boolean }>(
      `INSERT INTO office (office_id, name, timezone, country, subdivision, work_week, ready_from)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(office_id text, name text, timezone text, country text, subdivision text, work_week smallint[], ready_from date)
       ON CONFLICT (office_id) DO UPDATE SET name = EXCLUDED.name, timezone = EXCLUDED.timezone, country = EXCLUDED.country,
         subdivision = EXCLUDED.subdivision, work_week = EXCLUDED.work_week, ready_from = EXCLUDED.ready_from, updated_at = now()
       RETURNING (xmax = 0) AS inserted`,
      [JSON.stringify(batch.map((o) => ({
        office_id: o.officeId, name: o.name, timezone: o.timezone, country: o.country, subdivision: o.subdivision,
        work_week: o.workWeek, ready_from: o.readyFrom,
      })))],
    );
    for (const r of rows) r.inserted ? inserted++ : updated++;
  }
  return { inserted, updated };
}

export async function listHolidayOverrides(db: Db): Promise<HolidayOverride[]> {
  const rows = await db.query<{ office_id: string; date: string; name: string; action: 'add' | 'remove' }>(
    'SELECT office_id, date, name, action FROM holiday_override ORDER BY office_id, date',
  );
  return rows.map((r) => ({ officeId: r.office_id, date: r.date as LocalDate, name: r.name, action: r.action }));
}

export async function upsertHolidayOverrides(db: Db, rows: readonly HolidayOverride[]): Promise<{ inserted: number; updated: number }> {
  let inserted = 0;
  let updated = 0;
  for (let i = 0; i < rows.length; i += 1000) {
    const res = await db.query<{ inserted: boolean }>(
      `INSERT INTO holiday_override (office_id, date, name, action)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(office_id text, date date, name text, action text)
       ON CONFLICT (office_id, date) DO UPDATE SET name = EXCLUDED.name, action = EXCLUDED.action
       RETURNING (xmax = 0) AS inserted`,
      [JSON.stringify(rows.slice(i, i + 1000).map((h) => ({ office_id: h.officeId, date: h.date, name: h.name, action: h.action })))],
    );
    for (const r of res) r.inserted ? inserted++ : updated++;
  }
  return { inserted, updated };
}
