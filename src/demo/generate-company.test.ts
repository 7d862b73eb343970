import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Holidays from 'date-holidays';
import { type LocalDate, dayNumber, isoWeekdayOfDayNumber, parseLocalDate, parseWorkWeek } from '../engine/dates.js';
import { type TimeZone, badgeDayNumber, isValidTimeZone, wallMinutes } from '../engine/time-zone.js';
import { CSV_HEADERS, type GeneratedCompany, generateCompany } from './generate-company.js';

const EMPLOYEES = 300;
const WEEKS = 4;
// 2026-10-19 … 2026-11-15: crosses the end of summer time in Europe (Oct 25) and North America (Nov 1).
const LAST_WEEK_MONDAY = '2026-11-09';

let root: string;
let a: GeneratedCompany;
let again: GeneratedCompany;
let other: GeneratedCompany;

type Row = Record<string, string>;
interface Files {
  offices: Row[];
  employees: Row[];
  badges: Row[];
  leave: Row[];
  holidays: Row[];
  headers: Record<string, string>;
  raw: Record<string, string>;
}
let files: Files;

/** Our generator never writes quoted fields with commas except in names of holidays. */
function parseCsv(text: string): { header: string; rows: Row[] } {
  const lines = text.split('\n');
  assert.equal(lines.at(-1), '', 'file ends with a newline');
  lines.pop();
  const header = lines[0]!;
  const cols = header.split(',');
  const rows = lines.slice(1).map((line, i) => {
    const cells = splitCsvLine(line);
    assert.equal(cells.length, cols.length, `line ${i + 2} has ${cols.length} cells: ${line}`);
    return Object.fromEntries(cols.map((c, j) => [c, cells[j]!]));
  });
  return { header, rows };
}

function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') out.push(cur), (cur = '');
    else cur += ch;
  }
  out.push(cur);
  return out;
}

async function load(company: GeneratedCompany): Promise<Files> {
  const result = { headers: {}, raw: {} } as Files;
  for (const name of ['offices', 'employees', 'badges', 'leave', 'holidays'] as const) {
    const text = await readFile(company.files[name], 'utf8');
    const { header, rows } = parseCsv(text);
    result[name] = rows;
    result.headers[name] = header;
    result.raw[name] = text;
  }
  return result;
}

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'hubday-gen-'));
  const opts = { employees: EMPLOYEES, weeks: WEEKS, lastWeekMonday: LAST_WEEK_MONDAY };
  a = await generateCompany({ ...opts, seed: 7, outDir: path.join(root, 'a') });
  again = await generateCompany({ ...opts, seed: 7, outDir: path.join(root, 'again') });
  other = await generateCompany({ ...opts, seed: 8, outDir: path.join(root, 'other') });
  files = await load(a);
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('the range runs from the first Monday to the last Sunday', () => {
  assert.equal(a.from, '2026-10-19');
  assert.equal(a.to, '2026-11-15');
  assert.equal(a.dir, path.join(root, 'a'));
});

test('the same seed gives the same bytes; another seed gives other data', async () => {
  const all = (c: GeneratedCompany) => [c.files.offices, c.files.employees, c.files.badges, c.files.leave, c.files.holidays, ...c.files.policies];
  const [x, y, z] = [all(a), all(again), all(other)];
  for (let i = 0; i < x.length; i++) {
    assert.deepEqual(await readFile(x[i]!), await readFile(y[i]!), `${path.basename(x[i]!)} is deterministic`);
  }
  assert.deepEqual({ ...a, dir: '', files: null }, { ...again, dir: '', files: null });
  const differs = await Promise.all([1, 2, 3].map(async (i) => !(await readFile(x[i]!)).equals(await readFile(z[i]!))));
  assert.deepEqual(differs, [true, true, true], 'employees, badges and leave differ with another seed');
});

test('header rows are exactly the documented columns', () => {
  assert.deepEqual(files.headers, {
    offices: 'office_id,name,timezone,country,subdivision,work_week,ready_from',
    employees: 'employee_id,email,name,manager_id,level,job_family,org,home_office_id,arrangement,hire_date,termination_date',
    badges: 'event_id,employee_id,office_id,timestamp,direction',
    leave: 'employee_id,start_date,end_date,kind,status',
    holidays: 'office_id,date,name,action',
  });
  assert.deepEqual(files.headers, { ...CSV_HEADERS });
});

test('counts match the files', () => {
  assert.deepEqual(a.counts, {
    offices: files.offices.length,
    employees: files.employees.length,
    badgeEvents: files.badges.length,
    leave: files.leave.length,
    holidays: files.holidays.length,
  });
  assert.equal(a.counts.employees, EMPLOYEES);
  assert.ok(a.counts.badgeEvents > EMPLOYEES * WEEKS * 2, `a believable number of events: ${a.counts.badgeEvents}`);
});

test('offices: real zones and regions, a Sun-Thu office, one new hub opening inside the range', () => {
  assert.ok(files.offices.length >= 10);
  const ids = new Set(files.offices.map((o) => o.office_id));
  assert.equal(ids.size, files.offices.length);
  const countries = new Holidays().getCountries('en') as Record<string, string>;
  for (const o of files.offices) {
    assert.ok(isValidTimeZone(o.timezone!), o.timezone);
    assert.ok(countries[o.country!], `country ${o.country}`);
    if (o.subdivision) assert.ok((new Holidays().getStates(o.country!, 'en') as Record<string, string>)[o.subdivision], `${o.country} ${o.subdivision}`);
    assert.ok(parseWorkWeek(o.work_week!), o.work_week);
  }
  assert.ok(files.offices.some((o) => o.work_week === 'Sun-Thu'));
  const opening = files.offices.filter((o) => o.ready_from);
  assert.equal(opening.length, 1);
  assert.ok(opening[0]!.ready_from! > a.from && opening[0]!.ready_from! <= a.to);
  assert.ok(new Set(files.offices.map((o) => o.timezone)).size >= 8, 'spread across time zones');
});

test('holiday overrides: company days added, one removed, at known offices', () => {
  const offices = new Set(files.offices.map((o) => o.office_id));
  for (const h of files.holidays) {
    assert.ok(offices.has(h.office_id!), h.office_id);
    assert.ok(parseLocalDate(h.date!), h.date);
    assert.ok(h.name!.length > 0);
    assert.ok(h.action === 'add' || h.action === 'remove');
  }
  assert.ok(files.holidays.filter((h) => h.action === 'add').length >= 2);
  assert.equal(files.holidays.filter((h) => h.action === 'remove').length, 1);
  assert.ok(files.holidays.some((h) => h.action === 'add' && h.date! >= a.from && h.date! <= a.to), 'a company day inside the range');
});

test('the org tree: valid managers, one root, no cycles, believable shape', () => {
  const byId = new Map(files.employees.map((e) => [e.employee_id!, e]));
  assert.equal(byId.size, EMPLOYEES, 'employee ids are unique');
  assert.equal(new Set(files.employees.map((e) => e.email)).size, EMPLOYEES, 'emails are unique');
  const roots = files.employees.filter((e) => e.manager_id === '');
  assert.equal(roots.length, 1);
  assert.equal(roots[0]!.level, '12');
  for (const e of files.employees) {
    if (e.manager_id) assert.ok(byId.has(e.manager_id), `${e.employee_id}'s manager ${e.manager_id} exists`);
    // Walk up: the root must be reached within the number of employees.
    let steps = 0;
    for (let cur = e; cur.manager_id; cur = byId.get(cur.manager_id)!) assert.ok(++steps <= EMPLOYEES, `cycle above ${e.employee_id}`);
  }
  const reports = new Map<string, number>();
  for (const e of files.employees) if (e.manager_id) reports.set(e.manager_id, (reports.get(e.manager_id) ?? 0) + 1);
  const seniorManagers = files.employees.filter((e) => reports.has(e.employee_id!) && Number(e.level) >= 10);
  assert.ok(seniorManagers.length >= 2);
  assert.ok(seniorManagers.length < 0.02 * EMPLOYEES, `${seniorManagers.length} managers at level ≥ 10`);
  for (const e of files.employees) {
    if (e.manager_id) assert.ok(Number(byId.get(e.manager_id)!.level) >= Number(e.level), `${e.employee_id} is not above their manager`);
  }
  const spans = [...reports.values()];
  const meanSpan = spans.reduce((x, y) => x + y, 0) / spans.length;
  assert.ok(meanSpan >= 4 && meanSpan <= 11, `mean span ${meanSpan}`);
  const offices = new Set(files.offices.map((o) => o.office_id));
  for (const e of files.employees) {
    assert.ok(offices.has(e.home_office_id!));
    assert.ok(parseLocalDate(e.hire_date!));
    if (e.termination_date) assert.ok(e.termination_date >= e.hire_date!);
    assert.ok(['software_engineering', 'product', 'design', 'sales', 'finance', 'hr', 'operations'].includes(e.job_family!));
  }
  const withManager = files.employees.filter((e) => e.manager_id);
  const sameOffice = withManager.filter((e) => byId.get(e.manager_id!)!.home_office_id === e.home_office_id).length;
  assert.ok(sameOffice / withManager.length > 0.6, 'most share their manager\'s office');
  assert.ok(new Set(files.employees.map((e) => e.org)).size >= 6);
});

test('arrangements, hires and leavers are mixed as stated', () => {
  const share = (f: (e: Row) => boolean) => files.employees.filter(f).length / EMPLOYEES;
  const hybrid = share((e) => e.arrangement === 'hybrid');
  const office = share((e) => e.arrangement === 'office');
  const remote = share((e) => e.arrangement === 'remote');
  assert.equal(hybrid + office + remote, 1);
  assert.ok(hybrid > 0.6 && hybrid < 0.8, `hybrid ${hybrid}`);
  assert.ok(office > 0.1 && office < 0.27, `office ${office}`);
  assert.ok(remote > 0.05 && remote < 0.2, `remote ${remote}`);
  assert.ok(share((e) => e.hire_date! < a.from) > 0.9, 'most were hired before the range');
  assert.ok(share((e) => e.hire_date! >= a.from) < 0.08);
});

test('badges reference known people and offices, inside the range and the employment', () => {
  const employees = new Map(files.employees.map((e) => [e.employee_id!, e]));
  const offices = new Map(files.offices.map((o) => [o.office_id!, o]));
  const lo = Date.parse(`${a.from}T00:00:00Z`) - 86_400_000;
  const hi = Date.parse(`${a.to}T00:00:00Z`) + 3 * 86_400_000;
  const ids = new Set<string>();
  let noDirection = 0;
  let elsewhere = 0;
  for (const b of files.badges) {
    assert.ok(!ids.has(b.event_id!), `duplicate event id ${b.event_id}`);
    ids.add(b.event_id!);
    const e = employees.get(b.employee_id!);
    assert.ok(e, `employee ${b.employee_id}`);
    const office = offices.get(b.office_id!);
    assert.ok(office, `office ${b.office_id}`);
    assert.match(b.timestamp!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const at = Date.parse(b.timestamp!);
    assert.ok(at >= lo && at < hi, `${b.timestamp} inside [from − 1 day, to + 2 days]`);
    assert.ok(['in', 'out', ''].includes(b.direction!), b.direction);
    if (b.direction === '') noDirection++;
    if (b.office_id !== e.home_office_id) elsewhere++;
    const tz = office.timezone as TimeZone;
    if (b.direction === 'in') {
      // Arrivals happen at human hours, local time (this also checks the UTC conversion across DST ends).
      const local = ((wallMinutes(tz, at) % 1440) + 1440) % 1440;
      assert.ok(local >= 7 * 60 && local < 23 * 60, `${b.event_id} in at ${Math.floor(local / 60)}:${local % 60} local`);
      // Nobody badges in before being hired or after leaving.
      const day = badgeDayNumber(tz, at, 240);
      assert.ok(day >= dayNumber(e.hire_date as LocalDate), `${b.event_id} after hire`);
      if (e.termination_date) assert.ok(day <= dayNumber(e.termination_date as LocalDate), `${b.event_id} before termination`);
      if (office.ready_from) assert.ok(day >= dayNumber(office.ready_from as LocalDate), `${b.event_id} after the office opened`);
    }
  }
  assert.ok(noDirection > 0, 'some events have no direction');
  assert.ok(elsewhere > 0, 'some people badge at another office');
});

test('human patterns: office days per week spread from none to five, remote staff rarely in', () => {
  const offices = new Map(files.offices.map((o) => [o.office_id!, o]));
  const from = dayNumber(a.from as LocalDate);
  const days = new Map<string, Set<number>>();
  for (const b of files.badges) {
    if (b.direction === 'out') continue;
    const day = badgeDayNumber(offices.get(b.office_id!)!.timezone as TimeZone, Date.parse(b.timestamp!), 240);
    let s = days.get(b.employee_id!);
    if (!s) days.set(b.employee_id!, (s = new Set()));
    s.add(day);
  }
  const histogram = [0, 0, 0, 0, 0, 0, 0, 0];
  let remoteDays = 0;
  let remoteWeeks = 0;
  for (const e of files.employees) {
    const s = days.get(e.employee_id!) ?? new Set<number>();
    for (let w = 0; w < WEEKS; w++) {
      let n = 0;
      for (let d = from + 7 * w; d < from + 7 * w + 7; d++) if (s.has(d)) n++;
      if (e.arrangement === 'remote') (remoteDays += n), remoteWeeks++;
      else histogram[n]!++;
    }
  }
  for (const n of [0, 1, 2, 3, 4, 5]) assert.ok(histogram[n]! > 0, `some weeks with ${n} days: ${histogram}`);
  const weeks = histogram.reduce((x, y) => x + y, 0);
  const threePlus = (histogram[3]! + histogram[4]! + histogram[5]! + histogram[6]! + histogram[7]!) / weeks;
  assert.ok(threePlus > 0.5 && threePlus < 0.9, `share of weeks with ≥ 3 days: ${threePlus}`);
  assert.ok(remoteDays / remoteWeeks < 0.3, 'remote staff almost never badge');
});

test('leave: valid ranges, known kinds, mostly approved, no badge-ins on most leave days', () => {
  const employees = new Map(files.employees.map((e) => [e.employee_id!, e]));
  const kinds = new Set<string>();
  for (const l of files.leave) {
    const e = employees.get(l.employee_id!);
    assert.ok(e, l.employee_id);
    assert.ok(parseLocalDate(l.start_date!) && parseLocalDate(l.end_date!), `${l.start_date}…${l.end_date}`);
    assert.ok(l.start_date! <= l.end_date!, `${l.start_date} ≤ ${l.end_date}`);
    assert.ok(l.start_date! >= e.hire_date!, 'leave starts after hire');
    if (e.termination_date) assert.ok(l.end_date! <= e.termination_date);
    assert.ok(['pto', 'sick', 'parental', 'bereavement', 'business_travel'].includes(l.kind!), l.kind);
    assert.ok(l.status === 'approved' || l.status === 'pending', l.status);
    kinds.add(l.kind!);
  }
  for (const k of ['pto', 'sick', 'business_travel']) assert.ok(kinds.has(k), `some ${k}`);
  const approved = files.leave.filter((l) => l.status === 'approved').length / files.leave.length;
  assert.ok(approved > 0.9 && approved < 1, `approved share ${approved}`);

  // People stay home on their leave days (but now and then come in anyway).
  const offices = new Map(files.offices.map((o) => [o.office_id!, o]));
  const inDays = new Set<string>();
  for (const b of files.badges) {
    if (b.direction !== 'in') continue;
    inDays.add(`${b.employee_id} ${badgeDayNumber(offices.get(b.office_id!)!.timezone as TimeZone, Date.parse(b.timestamp!), 240)}`);
  }
  let leaveWorkdays = 0;
  let badgedAnyway = 0;
  for (const l of files.leave) {
    if (l.kind === 'business_travel') continue;
    for (let d = dayNumber(l.start_date as LocalDate); d <= dayNumber(l.end_date as LocalDate); d++) {
      if (isoWeekdayOfDayNumber(d) > 5 || d < dayNumber(a.from as LocalDate) || d > dayNumber(a.to as LocalDate)) continue;
      leaveWorkdays++;
      if (inDays.has(`${l.employee_id} ${d}`)) badgedAnyway++;
    }
  }
  assert.ok(leaveWorkdays > 50);
  assert.ok(badgedAnyway / leaveWorkdays < 0.05, `${badgedAnyway} of ${leaveWorkdays} leave days with a badge-in`);
});

test('policies: the DESIGN format, rto-3 effective well before the range', async () => {
  assert.ok(a.files.policies.length >= 2);
  const policies = await Promise.all(a.files.policies.map(async (f) => JSON.parse(await readFile(f, 'utf8'))));
  const rto3 = policies.find((p) => p.id === 'rto-3');
  assert.ok(rto3);
  assert.ok(rto3.effectiveFrom < a.from);
  assert.equal(isoWeekdayOfDayNumber(dayNumber(rto3.effectiveFrom)), 1);
  assert.equal(rto3.daysPerWeek, 3);
  assert.equal(rto3.holidayRule, 'proportional');
  assert.deepEqual(rto3.scope.arrangements, [], 'company-wide: remote staff are covered (and exempt)');
  assert.deepEqual(rto3.standing, { windowWeeks: 12, minRatio: 0.75 });
  const sales = policies.find((p) => p.scope.jobFamilies.includes('sales'));
  assert.ok(sales);
  assert.deepEqual(sales.anchorDays, ['Tue', 'Wed']);
  assert.equal(sales.minDwellMinutes, 120);
  for (const p of policies) {
    assert.deepEqual(Object.keys(p.scope).sort(), ['arrangements', 'jobFamilies', 'levels', 'offices', 'orgs']);
    assert.ok(parseLocalDate(p.effectiveFrom));
  }
});

test('the examples: an ordinary hybrid IC and a manager with at least five reports', () => {
  const byId = new Map(files.employees.map((e) => [e.employee_id!, e]));
  const employee = byId.get(a.exampleEmployeeId);
  assert.ok(employee);
  assert.equal(employee.arrangement, 'hybrid');
  assert.ok(!files.employees.some((e) => e.manager_id === a.exampleEmployeeId), 'an individual contributor');
  assert.ok(employee.hire_date! < a.from && !employee.termination_date);
  assert.ok(files.badges.some((b) => b.employee_id === a.exampleEmployeeId), 'who badges');
  assert.ok(byId.has(a.exampleManagerId));
  assert.ok(files.employees.filter((e) => e.manager_id === a.exampleManagerId).length >= 5);
});

test('bad options are refused', async () => {
  const base = { employees: 10, weeks: 1, lastWeekMonday: '2026-11-09', seed: 1, outDir: path.join(root, 'bad') };
  await assert.rejects(generateCompany({ ...base, lastWeekMonday: '2026-11-10' }), RangeError);
  await assert.rejects(generateCompany({ ...base, employees: 0 }), RangeError);
  await assert.rejects(generateCompany({ ...base, weeks: 0 }), RangeError);
});

test('tiny companies still work', async () => {
  const tiny = await generateCompany({ employees: 3, weeks: 1, lastWeekMonday: '2026-11-09', seed: 3, outDir: path.join(root, 'tiny') });
  assert.equal(tiny.counts.employees, 3);
  const { rows } = parseCsv(await readFile(tiny.files.employees, 'utf8'));
  assert.equal(rows.filter((r) => r.manager_id === '').length, 1);
});
