/**
 * The synthetic company behind `hubday demo` and the benchmark.
 *
 * Writes, into one folder, the CSV files of DESIGN.md ("The command line and
 * its files") and a few policy JSON files: offices across time zones, a
 * management tree with orgs and job families, leave, holiday overrides, and a
 * badge history with human patterns (personas) per person.
 *
 * Deterministic: the same options give the same bytes. Each employee draws from
 * their own seeded generator, so their data does not depend on anyone else's.
 * Streaming: badges and leave are written employee by employee in ~1 MB chunks
 * through write streams that honour backpressure; only the employee table
 * (small, numeric) is held in memory.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import path from 'node:path';
import { publicHolidays as officeHolidays } from '../calendar/public-holidays.js';
import { type LocalDate, dayNumber, fromDayNumber, isoWeekdayOfDayNumber, parseLocalDate, parseWorkWeek } from '../engine/dates.js';
import { type TimeZone, instantOfWallTime } from '../engine/time-zone.js';
import { Rng, WeightedTable, mixSeed } from './random.js';

export interface GenerateOptions {
  employees: number;
  weeks: number;
  /** 'YYYY-MM-DD', a Monday: the last generated week. */
  lastWeekMonday: string;
  seed: number;
  outDir: string;
}

export interface GeneratedCompany {
  dir: string;
  files: { offices: string; employees: string; badges: string; leave: string; holidays: string; policies: string[] };
  counts: { offices: number; employees: number; badgeEvents: number; leave: number; holidays: number };
  /** First Monday of the generated range. */
  from: string;
  /** Last Sunday of the generated range. */
  to: string;
  /** An ordinary hybrid individual contributor with an interesting week (a holiday, some leave). */
  exampleEmployeeId: string;
  /** A manager with at least five direct reports (the example employee's manager when possible). */
  exampleManagerId: string;
}

export const CSV_HEADERS = {
  offices: 'office_id,name,timezone,country,subdivision,work_week,ready_from',
  employees: 'employee_id,email,name,manager_id,level,job_family,org,home_office_id,arrangement,hire_date,termination_date',
  badges: 'event_id,employee_id,office_id,timestamp,direction',
  leave: 'employee_id,start_date,end_date,kind,status',
  holidays: 'office_id,date,name,action',
} as const;

// ---------------------------------------------------------------------------
// The fixed world: offices, orgs, job families, arrangements, names.
// ---------------------------------------------------------------------------

type Arrangement = 'office' | 'hybrid' | 'remote';
type JobFamily = 'software_engineering' | 'product' | 'design' | 'sales' | 'finance' | 'hr' | 'operations';

interface OfficeSpec {
  id: string;
  name: string;
  timezone: string;
  country: string;
  subdivision: string | null;
  workWeek: string;
  /** Share of the headcount whose home office this is. */
  weight: number;
  /** A new hub: it opens (ready_from) in the middle of the generated range. */
  newHub?: boolean;
}

const OFFICES: readonly OfficeSpec[] = [
  { id: 'SEA1', name: 'Seattle', timezone: 'America/Los_Angeles', country: 'US', subdivision: 'WA', workWeek: 'Mon-Fri', weight: 22 },
  { id: 'SFO1', name: 'San Francisco', timezone: 'America/Los_Angeles', country: 'US', subdivision: 'CA', workWeek: 'Mon-Fri', weight: 8 },
  { id: 'NYC1', name: 'New York', timezone: 'America/New_York', country: 'US', subdivision: 'NY', workWeek: 'Mon-Fri', weight: 10 },
  { id: 'AUS1', name: 'Austin', timezone: 'America/Chicago', country: 'US', subdivision: 'TX', workWeek: 'Mon-Fri', weight: 6, newHub: true },
  { id: 'YYZ1', name: 'Toronto', timezone: 'America/Toronto', country: 'CA', subdivision: 'ON', workWeek: 'Mon-Fri', weight: 6 },
  { id: 'LON1', name: 'London', timezone: 'Europe/London', country: 'GB', subdivision: 'ENG', workWeek: 'Mon-Fri', weight: 9 },
  { id: 'DUB1', name: 'Dublin', timezone: 'Europe/Dublin', country: 'IE', subdivision: null, workWeek: 'Mon-Fri', weight: 5 },
  { id: 'BER1', name: 'Berlin', timezone: 'Europe/Berlin', country: 'DE', subdivision: 'BE', workWeek: 'Mon-Fri', weight: 6 },
  { id: 'BLR1', name: 'Bengaluru', timezone: 'Asia/Kolkata', country: 'IN', subdivision: 'KA', workWeek: 'Mon-Fri', weight: 13 },
  { id: 'SIN1', name: 'Singapore', timezone: 'Asia/Singapore', country: 'SG', subdivision: null, workWeek: 'Mon-Fri', weight: 5 },
  { id: 'SYD1', name: 'Sydney', timezone: 'Australia/Sydney', country: 'AU', subdivision: 'NSW', workWeek: 'Mon-Fri', weight: 5 },
  { id: 'TLV1', name: 'Tel Aviv', timezone: 'Asia/Jerusalem', country: 'IL', subdivision: null, workWeek: 'Sun-Thu', weight: 5 },
];

/** Where executives sit. */
const EXEC_OFFICES = ['SEA1', 'SEA1', 'NYC1', 'SFO1'];

interface OrgSpec {
  name: string;
  /** The senior-VP area the org belongs to. */
  area: string;
  weight: number;
  families: ReadonlyArray<readonly [JobFamily, number]>;
}

const ORGS: readonly OrgSpec[] = [
  { name: 'Retail', area: 'Consumer', weight: 30, families: [['software_engineering', 38], ['product', 9], ['design', 5], ['operations', 33], ['sales', 15]] },
  { name: 'Devices', area: 'Consumer', weight: 15, families: [['software_engineering', 50], ['product', 14], ['design', 14], ['operations', 17], ['sales', 5]] },
  { name: 'Cloud', area: 'Technology', weight: 25, families: [['software_engineering', 55], ['product', 10], ['design', 4], ['sales', 24], ['operations', 7]] },
  { name: 'Ads', area: 'Technology', weight: 12, families: [['software_engineering', 36], ['product', 10], ['design', 9], ['sales', 45]] },
  { name: 'People', area: 'Corporate', weight: 8, families: [['hr', 78], ['operations', 12], ['software_engineering', 10]] },
  { name: 'Finance', area: 'Corporate', weight: 10, families: [['finance', 84], ['operations', 10], ['software_engineering', 6]] },
];
const SVP_AREAS = [...new Set(ORGS.map((o) => o.area))];

const IC_ARRANGEMENTS = new WeightedTable<Arrangement>([['hybrid', 70], ['office', 17.5], ['remote', 12.5]]);
const MANAGER_ARRANGEMENTS = new WeightedTable<Arrangement>([['hybrid', 72], ['office', 22], ['remote', 6]]);
const IC_LEVELS = new WeightedTable<number>([[4, 30], [5, 40], [6, 27], [7, 3]]);

const FIRST_NAMES = [
  'Aarav', 'Abigail', 'Adebayo', 'Aiko', 'Alejandro', 'Amara', 'Amelia', 'Ana', 'Ananya', 'Andrei', 'Arjun', 'Ava', 'Ben',
  'Camila', 'Carlos', 'Chen', 'Chloe', 'Daniel', 'David', 'Diego', 'Divya', 'Elena', 'Emeka', 'Emily', 'Emma', 'Ethan',
  'Fatima', 'Felix', 'Grace', 'Hana', 'Hannah', 'Hiroshi', 'Ibrahim', 'Isabella', 'Ivan', 'Jack', 'James', 'Jia', 'Jonas',
  'Julia', 'Kai', 'Karan', 'Kavya', 'Layla', 'Leah', 'Leon', 'Liam', 'Lucas', 'Lucia', 'Maya', 'Mateo', 'Mei', 'Mia',
  'Miguel', 'Mohammed', 'Nadia', 'Noah', 'Noa', 'Olivia', 'Omar', 'Oren', 'Priya', 'Rahul', 'Rina', 'Rohan', 'Sakura',
  'Samuel', 'Santiago', 'Sara', 'Sofia', 'Sven', 'Tariq', 'Thomas', 'Tomas', 'Valentina', 'Wei', 'Yara', 'Yusuf', 'Zoe',
];
const LAST_NAMES = [
  'Adeyemi', 'Ahmed', 'Alvarez', 'Anderson', 'Bauer', 'Becker', 'Brown', 'Byrne', 'Chen', 'Cohen', 'Costa', 'Das',
  'Davies', 'Diaz', 'Dubois', 'Evans', 'Fernandez', 'Fischer', 'Friedman', 'Garcia', 'Gupta', 'Hansen', 'Hernandez',
  'Hoffmann', 'Iyer', 'Jackson', 'Johnson', 'Kelly', 'Khan', 'Kim', 'Kowalski', 'Kumar', 'Lee', 'Levi', 'Li', 'Lopez',
  'Martin', 'Martinez', 'Meyer', 'Murphy', 'Nair', 'Nakamura', 'Nguyen', 'Novak', 'Obi', 'OConnor', 'Okafor', 'Olsen',
  'Patel', 'Perez', 'Petrov', 'Reddy', 'Roberts', 'Rodriguez', 'Rossi', 'Sato', 'Schmidt', 'Shapiro', 'Sharma', 'Silva',
  'Singh', 'Smith', 'Suzuki', 'Tan', 'Taylor', 'Thomas', 'Walsh', 'Wang', 'Weber', 'Williams', 'Wilson', 'Wong', 'Yamamoto',
  'Zhang',
];

// ---------------------------------------------------------------------------
// Personas: how a person uses the office. One row per persona, one mix per arrangement.
// ---------------------------------------------------------------------------

type PersonaName =
  | 'regular' | 'three_day' | 'tue_thu' | 'occasional' | 'rarely' | 'coffee_badger' | 'traveller' | 'night_shift' | 'remote';

interface Persona {
  /** Weights of wanting 0, 1, 2, 3, 4 or 5 office days in a full week. */
  daysWanted: readonly number[];
  /** Preference for each position of the office's work week (Mon…Fri, or Sun…Thu). */
  dayPreference: readonly number[];
  /** What a visit looks like. */
  visit: 'workday' | 'coffee' | 'night';
  /** Chance per week of a 2–3 day trip, badging at another office. */
  tripChance: number;
}

const PERSONAS: Record<PersonaName, Persona> = {
  regular:       { daysWanted: [0, 0, 2, 9, 45, 44],  dayPreference: [1, 1, 1, 1, 0.8],    visit: 'workday', tripChance: 0.02 },
  three_day:     { daysWanted: [0, 3, 12, 71, 12, 2], dayPreference: [0.7, 1.3, 1.3, 1.1, 0.4], visit: 'workday', tripChance: 0.01 },
  tue_thu:       { daysWanted: [0, 2, 15, 76, 7, 0],  dayPreference: [0.15, 4, 4, 4, 0.15], visit: 'workday', tripChance: 0.01 },
  occasional:    { daysWanted: [10, 45, 38, 6, 1, 0], dayPreference: [0.8, 1.2, 1.2, 1, 0.5], visit: 'workday', tripChance: 0 },
  rarely:        { daysWanted: [58, 36, 5, 1, 0, 0],  dayPreference: [1, 1, 1, 1, 0.6],    visit: 'workday', tripChance: 0 },
  coffee_badger: { daysWanted: [0, 3, 17, 62, 18, 0], dayPreference: [0.8, 1.2, 1.2, 1.1, 0.6], visit: 'coffee', tripChance: 0 },
  traveller:     { daysWanted: [0, 5, 20, 55, 20, 0], dayPreference: [1, 1.2, 1.2, 1.1, 0.6], visit: 'workday', tripChance: 0.22 },
  night_shift:   { daysWanted: [0, 0, 3, 10, 40, 47], dayPreference: [1, 1, 1, 1, 1],      visit: 'night', tripChance: 0 },
  remote:        { daysWanted: [96, 4, 0, 0, 0, 0],   dayPreference: [1, 1, 1, 1, 0.5],    visit: 'workday', tripChance: 0 },
};

const PERSONA_MIX: Record<Arrangement | 'office_operations', WeightedTable<PersonaName>> = {
  office: new WeightedTable<PersonaName>([['regular', 78], ['three_day', 10], ['occasional', 5], ['coffee_badger', 3], ['traveller', 4]]),
  /** Office-based operations staff: some work nights (in ~22:00, out ~06:00). */
  office_operations: new WeightedTable<PersonaName>([['night_shift', 45], ['regular', 50], ['three_day', 5]]),
  hybrid: new WeightedTable<PersonaName>([
    ['regular', 12], ['three_day', 35], ['tue_thu', 20], ['occasional', 12], ['rarely', 6], ['coffee_badger', 6], ['traveller', 9],
  ]),
  remote: new WeightedTable<PersonaName>([['remote', 95], ['rarely', 5]]),
};

/** Lengths of a PTO block, in workdays. */
const PTO_LENGTH = new WeightedTable<number>([[1, 24], [2, 15], [3, 12], [4, 8], [5, 20], [6, 2], [7, 2], [8, 2], [9, 3], [10, 8]]);

/** Chances per person-week (or per person) of life happening. */
const RATES = {
  ptoPerWeek: 0.055,
  ptoPending: 0.05,
  sickPerWeek: 0.03,
  bereavementPerWeek: 0.0008,
  parentalPerPerson: 0.005,
  customerTravelPerWeek: { sales: 0.05, other: 0.01 },
  tripBadgesAtOtherOffice: 0.85,
  badgeOnLeaveDay: 0.015,
  weekendVisitPerWeek: 0.004,
  badWeek: 0.08,
  veryBadWeek: 0.03,
  goodWeek: 0.04,
  companyBadWeekDrop: 0.35,
  lunchPair: 0.08,
  missingOut: 0.04,
  noDirection: 0.012,
  coffeeShortVisit: 0.8,
  newHire: 0.035,
  terminatedInRange: 0.011,
  terminatedBeforeRange: 0.003,
} as const;

const ANCHOR_WEEKDAYS = [2, 3]; // Tue, Wed: what the sales policy anchors
const CHUNK_CHARS = 1 << 20;
const CHUNK_BYTES = 1 << 20;
const NONE = Number.POSITIVE_INFINITY;

// ---------------------------------------------------------------------------
// Offices at run time: work week, opening, holidays, UTC offsets.
// ---------------------------------------------------------------------------

interface Office {
  spec: OfficeSpec;
  index: number;
  tz: TimeZone;
  /** ISO weekdays of the work week, in work-week order (Sunday first for Sun-Thu). */
  workdays: number[];
  readyDn: number;
  /** Over the range: holiday name by day offset, or undefined. */
  holidays: (string | undefined)[];
  /** Over the range ± padding: UTC offset in ms at local noon. */
  noonOffsetMs: Float64Array;
}

const OFFSET_PAD = 3;

function makeOffices(fromDn: number, toDn: number, weeks: number): Office[] {
  const readyDn = fromDn + 7 * Math.floor(weeks / 2);
  return OFFICES.map((spec, index) => {
    const tz = spec.timezone as TimeZone;
    const noonOffsetMs = new Float64Array(toDn - fromDn + 1 + 2 * OFFSET_PAD);
    for (let i = 0; i < noonOffsetMs.length; i++) {
      const dn = fromDn - OFFSET_PAD + i;
      noonOffsetMs[i] = (dn * 1440 + 720) * 60_000 - instantOfWallTime(tz, fromDayNumber(dn), 720);
    }
    return {
      spec,
      index,
      tz,
      workdays: parseWorkWeek(spec.workWeek)!.sort(workWeekOrder(spec.workWeek)),
      readyDn: spec.newHub ? readyDn : Number.NEGATIVE_INFINITY,
      holidays: new Array<string | undefined>(toDn - fromDn + 1),
      noonOffsetMs,
    };
  });
}

/** Orders ISO weekdays as they run in the work week: Sun-Thu starts on Sunday. */
function workWeekOrder(workWeek: string): (a: number, b: number) => number {
  const first = parseWorkWeek(workWeek.split('-')[0]!)?.[0] ?? 1;
  const rank = (d: number) => (d - first + 7) % 7;
  return (a, b) => rank(a) - rank(b);
}

/** The public holidays date-holidays gives for an office, by day number (as the engine reads them). */
function publicHolidays(spec: OfficeSpec, years: number[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const [date, name] of officeHolidays(spec, years)) out.set(dayNumber(date), name);
  return out;
}

interface HolidayOverride {
  officeId: string;
  dn: number;
  name: string;
  action: 'add' | 'remove';
}

/**
 * The company's holiday overrides: a company day after Thanksgiving for the US
 * offices that do not already have it, a company-wide "recharge day" inside the
 * range, and one minor federal holiday removed in Seattle (the office works that day).
 * Fills each office's holiday calendar over the range.
 */
function makeHolidays(offices: Office[], fromDn: number, toDn: number, weeks: number): HolidayOverride[] {
  const fromYear = Number(fromDayNumber(fromDn).slice(0, 4));
  const toYear = Number(fromDayNumber(toDn).slice(0, 4));
  const years: number[] = [];
  for (let y = fromYear - 1; y <= toYear + 1; y++) years.push(y);
  const overrides: HolidayOverride[] = [];
  const rechargeWeekDn = fromDn + 7 * Math.floor((weeks - 1) * 0.6);
  for (const office of offices) {
    const calendar = publicHolidays(office.spec, years);
    if (office.spec.country === 'US') {
      for (let y = fromYear; y <= toYear; y++) {
        const dayAfter = nthWeekdayOfMonth(y, 11, 4, 4) + 1;
        if (!calendar.has(dayAfter)) overrides.push({ officeId: office.spec.id, dn: dayAfter, name: 'Day after Thanksgiving (company holiday)', action: 'add' });
      }
    }
    // The last day of the office's work week, in the recharge week.
    const lastWorkday = office.workdays[office.workdays.length - 1]!;
    const recharge = rechargeWeekDn + lastWorkday - 1;
    // Never on a day the office already has off (a public holiday, or the day after Thanksgiving).
    const taken = (dn: number) => calendar.has(dn) || overrides.some((o) => o.officeId === office.spec.id && o.dn === dn);
    if (!taken(recharge)) overrides.push({ officeId: office.spec.id, dn: recharge, name: 'Company Recharge Day', action: 'add' });
    if (office.spec.id === 'SEA1') {
      // Seattle works one of the minor federal holidays: the one nearest the range.
      let removed: { dn: number; name: string; distance: number } | null = null;
      for (const [dn, name] of calendar) {
        if (!WORKED_HOLIDAYS.test(name)) continue;
        const distance = dn < fromDn ? fromDn - dn : dn > toDn ? dn - toDn : 0;
        if (removed === null || distance < removed.distance) removed = { dn, name, distance };
      }
      if (removed) overrides.push({ officeId: office.spec.id, dn: removed.dn, name: removed.name, action: 'remove' });
    }
    for (const o of overrides) {
      if (o.officeId !== office.spec.id) continue;
      if (o.action === 'add') calendar.set(o.dn, o.name);
      else calendar.delete(o.dn);
    }
    for (let dn = fromDn; dn <= toDn; dn++) office.holidays[dn - fromDn] = calendar.get(dn);
  }
  return overrides;
}

/** Federal holidays that many US companies work. */
const WORKED_HOLIDAYS = /Columbus|Veterans|Washington|Juneteenth/;

/** Day number of the n-th given ISO weekday of a month (month 1–12). */
function nthWeekdayOfMonth(year: number, month: number, isoWeekday: number, n: number): number {
  const first = dayNumber(`${year}-${String(month).padStart(2, '0')}-01` as LocalDate);
  return first + ((isoWeekday - isoWeekdayOfDayNumber(first) + 7) % 7) + 7 * (n - 1);
}

// ---------------------------------------------------------------------------
// The management tree.
// ---------------------------------------------------------------------------

interface Person {
  index: number;
  managerIndex: number;
  level: number;
  org: string;
  family: JobFamily;
  office: number;
  arrangement: Arrangement;
  hireDn: number;
  /** Last day employed (inclusive), or NONE. */
  termDn: number;
  directReports: number;
}

interface TeamContext {
  org: OrgSpec;
  family: JobFamily;
  office: number;
}

class OrgBuilder {
  readonly people: Person[] = [];
  private readonly officeTable: WeightedTable<number>;
  private readonly familyTables = new Map<string, WeightedTable<JobFamily>>();

  constructor(private readonly rng: Rng) {
    this.officeTable = new WeightedTable(OFFICES.map((o, i) => [i, o.weight] as const));
    for (const org of ORGS) this.familyTables.set(org.name, new WeightedTable(org.families));
  }

  build(n: number): Person[] {
    const rng = this.rng;
    const execOffice = () => {
      const id = rng.pick(EXEC_OFFICES);
      return OFFICES.findIndex((o) => o.id === id);
    };
    const ceo = this.add(-1, 12, ORGS[0]!, 'operations', execOffice(), 'office');
    this.people[ceo]!.org = 'Executive';
    if (n <= 1) return this.people;
    const areas = n >= 40 ? SVP_AREAS : [];
    const below = n - 1 - areas.length;
    const orgSizes = apportion(below, ORGS.map((o) => o.weight));
    if (areas.length === 0) {
      this.fill(ceo, below, this.teamContext(ORGS[0]!, this.people[ceo]!.office));
      return this.people;
    }
    for (const area of areas) {
      const orgs = ORGS.filter((o) => o.area === area);
      const svp = this.add(ceo, 11, orgs[0]!, 'operations', execOffice(), 'office');
      for (const org of orgs) {
        const size = orgSizes[ORGS.indexOf(org)]!;
        if (size <= 0) continue;
        const vps = size >= 150 ? Math.max(1, Math.round(size / 1500)) : 0; // ~1 VP per 1,500 people
        if (vps === 0) {
          this.subtree(svp, size, this.teamContext(org, this.officeTable.draw(rng)));
          continue;
        }
        const parts = this.split(size - vps, vps);
        for (const part of parts) {
          const ctx = this.teamContext(org, this.officeTable.draw(rng));
          const vp = this.add(svp, 10, org, ctx.family, ctx.office, MANAGER_ARRANGEMENTS.draw(rng) === 'remote' ? 'hybrid' : 'office');
          this.fill(vp, part, ctx);
        }
      }
    }
    return this.people;
  }

  private add(manager: number, level: number, org: OrgSpec, family: JobFamily, office: number, arrangement: Arrangement): number {
    const index = this.people.length;
    this.people.push({ index, managerIndex: manager, level, org: org.name, family, office, arrangement, hireDn: 0, termDn: NONE, directReports: 0 });
    if (manager >= 0) this.people[manager]!.directReports++;
    return index;
  }

  private teamContext(org: OrgSpec, office: number): TeamContext {
    return { org, family: this.familyTables.get(org.name)!.draw(this.rng), office };
  }

  /** One child of `parent` heading a subtree of `size` people (itself included). */
  private subtree(parent: number, size: number, ctx: TeamContext): void {
    if (size === 1) {
      this.addIC(parent, ctx);
      return;
    }
    const rng = this.rng;
    const level = size <= 13 ? (rng.chance(0.7) ? 6 : 7) : size <= 90 ? 7 : size <= 700 ? 8 : 9;
    const manager = this.add(parent, level, ctx.org, ctx.family, ctx.office, MANAGER_ARRANGEMENTS.draw(rng));
    this.fill(manager, size - 1, ctx);
  }

  /** `n` people under `parent`: a team of ICs, or sub-teams led by managers (span ~6–10). */
  private fill(parent: number, n: number, ctx: TeamContext): void {
    const rng = this.rng;
    if (n <= 12) {
      for (let i = 0; i < n; i++) this.addIC(parent, ctx);
      return;
    }
    // `span` direct reports: sub-teams led by managers (a manager and ~7 people
    // each), and, in smaller groups, the rest as individual contributors.
    const span = rng.int(6, 10);
    const managers = clamp(Math.round((n - span) / 7), 1, span);
    let ics = managers < span ? span - managers : rng.int(0, 2);
    if (n - ics < 6 * managers) ics = Math.max(0, n - 6 * managers);
    for (const part of this.split(n - ics, managers)) {
      const office = rng.chance(0.65) ? ctx.office : this.officeTable.draw(rng);
      this.subtree(parent, part, this.teamContext(ctx.org, office));
    }
    for (let i = 0; i < ics; i++) this.addIC(parent, ctx);
  }

  private addIC(manager: number, ctx: TeamContext): void {
    const rng = this.rng;
    const family = rng.chance(0.88) ? ctx.family : this.familyTables.get(ctx.org.name)!.draw(rng);
    const office = rng.chance(0.85) ? ctx.office : this.officeTable.draw(rng);
    const level = Math.min(IC_LEVELS.draw(rng), this.people[manager]!.level);
    this.add(manager, level, ctx.org, family, office, IC_ARRANGEMENTS.draw(rng));
  }

  /** Splits `total` into `parts` positive sizes of roughly equal size (±25%). */
  private split(total: number, parts: number): number[] {
    const weights = Array.from({ length: parts }, () => 0.75 + 0.5 * this.rng.float());
    return apportion(total, weights, 1);
  }

  /** Hire and termination dates: years back for most, a few new hires and leavers in the range. */
  assignDates(fromDn: number, toDn: number): void {
    const rng = this.rng;
    const rangeWeeks = (toDn - fromDn + 1) / 7;
    for (const p of this.people) {
      const isIC = p.directReports === 0;
      if (p.level >= 10) p.hireDn = fromDn - rng.int(3 * 365, 15 * 365);
      else if (!isIC) p.hireDn = fromDn - rng.int(365, 12 * 365);
      else if (rng.chance(RATES.newHire)) {
        // Most start on a Monday; some mid-week.
        const week = rng.int(0, rangeWeeks - 1);
        p.hireDn = fromDn + 7 * week + (rng.chance(0.65) ? 0 : rng.int(1, 4));
        continue;
      } else p.hireDn = fromDn - Math.min(20 * 365, 21 + Math.floor(-Math.log(1 - rng.float()) * 900));
      if (!isIC) continue;
      const u = rng.float();
      if (u < RATES.terminatedInRange) {
        const d = rng.int(fromDn + 2, toDn);
        p.termDn = d - (isoWeekdayOfDayNumber(d) >= 6 ? isoWeekdayOfDayNumber(d) - 5 : 0); // a weekday
      } else if (u < RATES.terminatedInRange + RATES.terminatedBeforeRange) {
        // Left shortly before the range, never before they were hired.
        p.termDn = Math.max(p.hireDn, fromDn - rng.int(3, 42));
      }
    }
  }
}

/** Splits `total` in proportion to `weights` (largest remainder), each part at least `min`. */
function apportion(total: number, weights: readonly number[], min = 0): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const spare = total - min * weights.length;
  const exact = weights.map((w) => (spare * w) / sum);
  const parts = exact.map((x) => Math.floor(x));
  let left = spare - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k++, left--) parts[order[k % order.length]![1]]!++;
  return parts.map((p) => p + min);
}

// ---------------------------------------------------------------------------
// Output: chunked writers, timestamps.
// ---------------------------------------------------------------------------

/** A write stream that remembers its error and waits for 'drain' when full. */
abstract class StreamWriter {
  private error: Error | null = null;
  private readonly stream: WriteStream;

  constructor(readonly file: string, highWaterMark: number) {
    this.stream = createWriteStream(file, { highWaterMark });
    this.stream.on('error', (e) => (this.error = e));
  }

  abstract flush(): Promise<void>;

  protected async write(chunk: string | Buffer): Promise<void> {
    if (this.error) throw this.error;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await finished(this.stream);
    if (this.error) throw this.error;
  }

  /** Closes the file without finishing it (after a failure). */
  destroy(): void {
    this.stream.destroy();
  }
}

/** Collects text and writes it in ~1 MB chunks. */
class ChunkWriter extends StreamWriter {
  private buffer = '';

  constructor(file: string) {
    super(file, 4 * CHUNK_CHARS);
  }

  add(text: string): void {
    this.buffer += text;
  }

  async flushIfFull(): Promise<void> {
    if (this.buffer.length >= CHUNK_CHARS) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer;
    this.buffer = '';
    await this.write(chunk);
  }
}

/**
 * Writes ASCII bytes straight into ~1 MB buffers and hands each full buffer to
 * the stream. Used for the badge file, where allocating a string per event
 * would cost more than generating it.
 */
class ByteWriter extends StreamWriter {
  buf: Buffer = Buffer.allocUnsafe(CHUNK_BYTES + 64 * 1024);
  pos = 0;

  constructor(file: string) {
    super(file, 4 * CHUNK_BYTES);
  }

  /** Makes room for at least `bytes` more bytes. */
  reserve(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  ascii(text: string): void {
    this.reserve(text.length);
    for (let i = 0; i < text.length; i++) this.buf[this.pos++] = text.charCodeAt(i);
  }

  async flushIfFull(): Promise<void> {
    if (this.pos >= CHUNK_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pos === 0) return;
    // The stream keeps the chunk until it is written: start a fresh buffer.
    const chunk = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(CHUNK_BYTES + 64 * 1024);
    this.pos = 0;
    await this.write(chunk);
  }
}

const CHAR = { colon: 58, zero: 48, a: 97, Z: 90 } as const;

/** Writes UTC instants as "2026-11-24T16:05:12Z" (20 bytes) into a buffer. */
class UtcStampWriter {
  private readonly dayPrefix: Uint8Array[] = [];

  constructor(private readonly firstDay: number, days: number) {
    for (let i = 0; i < days; i++) this.dayPrefix.push(Buffer.from(`${fromDayNumber(firstDay + i)}T`, 'latin1'));
  }

  /** Writes the instant (seconds since the epoch) at `pos`; returns the position after it. */
  write(buf: Uint8Array, pos: number, sec: number): number {
    const day = Math.floor(sec / 86400);
    let sod = sec - day * 86400;
    const prefix = this.dayPrefix[day - this.firstDay] ?? Buffer.from(`${fromDayNumber(day)}T`, 'latin1');
    for (let i = 0; i < 11; i++) buf[pos++] = prefix[i]!;
    const h = Math.floor(sod / 3600);
    sod -= h * 3600;
    const m = Math.floor(sod / 60);
    const s = sod - m * 60;
    buf[pos++] = CHAR.zero + Math.floor(h / 10);
    buf[pos++] = CHAR.zero + (h % 10);
    buf[pos++] = CHAR.colon;
    buf[pos++] = CHAR.zero + Math.floor(m / 10);
    buf[pos++] = CHAR.zero + (m % 10);
    buf[pos++] = CHAR.colon;
    buf[pos++] = CHAR.zero + Math.floor(s / 10);
    buf[pos++] = CHAR.zero + (s % 10);
    buf[pos++] = CHAR.Z;
    return pos;
  }
}

/** Writes a non-negative integer in base 36 (lower case); returns the position after it. */
function writeBase36(buf: Uint8Array, pos: number, n: number): number {
  let digits = 1;
  for (let x = n; x >= 36; x = Math.floor(x / 36)) digits++;
  const end = pos + digits;
  for (let x = n, i = end - 1; i >= pos; i--, x = Math.floor(x / 36)) {
    const d = x % 36;
    buf[i] = d < 10 ? CHAR.zero + d : CHAR.a + d - 10;
  }
  return end;
}

function writeBytes(buf: Uint8Array, pos: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) buf[pos++] = bytes[i]!;
  return pos;
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

// ---------------------------------------------------------------------------
// One person's life over the range: leave, trips and badges.
// ---------------------------------------------------------------------------

/** A person's habits: drawn once, varied a little every day. */
interface Habits {
  persona: PersonaName;
  arrival: number; // minutes after local midnight
  dwell: number; // minutes
  nightStart: number;
  lunchChance: number;
}

const AWAY = 1; // on leave (approved or pending) or travelling without badging

/** What a visit looks like; visits are packed into one number: day × 256 + office × 4 + kind. */
const VISIT = { workday: 0, coffee: 1, night: 2, weekend: 3 } as const;
type VisitKind = (typeof VISIT)[keyof typeof VISIT];
const packVisit = (dn: number, office: number, kind: VisitKind) => dn * 256 + office * 4 + kind;
const byNumber = (a: number, b: number) => a - b;

class LifeSimulator {
  readonly rng = new Rng(0);
  badgeEvents = 0;
  leaveRows = 0;
  private readonly days: number;
  private readonly flags: Uint8Array;
  private readonly officeTable: WeightedTable<number>;
  private readonly companyBadWeek: number;
  // Scratch space for one week.
  private readonly candidates: number[] = [];
  private readonly weights: number[] = [];
  private readonly visits: number[] = [];
  private readonly leaveDays: number[] = [];
  private person!: Person;
  private personId = '';
  private personIdBytes: Uint8Array = new Uint8Array(0);
  private readonly officeIdBytes: Uint8Array[];
  private readonly directionBytes = [Buffer.from(',in\n', 'latin1'), Buffer.from(',out\n', 'latin1'), Buffer.from(',\n', 'latin1')];
  /** Whether the current person has pto or sick leave in the range (for picking the example). */
  hadLeave = false;

  constructor(
    private readonly seed: number,
    private readonly fromDn: number,
    private readonly weeks: number,
    private readonly offices: Office[],
    private readonly badges: ByteWriter,
    private readonly leave: ChunkWriter,
    private readonly stamps: UtcStampWriter,
  ) {
    this.officeIdBytes = offices.map((o) => Buffer.from(`,${o.spec.id},`, 'latin1'));
    this.days = weeks * 7;
    this.flags = new Uint8Array(this.days);
    this.officeTable = new WeightedTable(OFFICES.map((o, i) => [i, o.weight] as const));
    this.companyBadWeek = weeks >= 3 ? new Rng(mixSeed(seed, 0xbad)).int(1, weeks - 2) : -1;
  }

  simulate(p: Person, id: string): Habits {
    const rng = this.rng.reseed(mixSeed(this.seed, p.index, 0x11fe));
    this.person = p;
    this.personId = id;
    this.personIdBytes = Buffer.from(`,${id}`, 'latin1');
    this.hadLeave = false;
    const mix = p.arrangement === 'office' && p.family === 'operations' ? PERSONA_MIX.office_operations : PERSONA_MIX[p.arrangement];
    const habits: Habits = {
      persona: mix.draw(rng),
      arrival: Math.round(rng.around(555, 75)), // 08:00–10:30
      dwell: Math.round(rng.around(480, 100)), // 6h20–9h40
      nightStart: rng.chance(0.7) ? 1320 : 1140, // 22:00 (out ~06:00) or 19:00 (out ~03:00)
      lunchChance: rng.chance(0.3) ? RATES.lunchPair * 3 : RATES.lunchPair / 2,
    };
    this.flags.fill(0);
    this.makeLeave();
    const persona = PERSONAS[habits.persona];
    for (let w = 0; w < this.weeks; w++) this.week(w, persona, habits);
    return habits;
  }

  private employed(dn: number): boolean {
    return dn >= this.person.hireDn && dn <= this.person.termDn;
  }

  private addLeave(startDn: number, endDn: number, kind: string, status: 'approved' | 'pending'): void {
    const start = Math.max(startDn, this.person.hireDn);
    const end = Math.min(endDn, this.person.termDn);
    if (start > end) return;
    this.leave.add(`${this.personId},${fromDayNumber(start)},${fromDayNumber(end)},${kind},${status}\n`);
    this.leaveRows++;
    if (kind === 'pto' || kind === 'sick') this.hadLeave = true;
    for (let d = Math.max(start, this.fromDn); d <= Math.min(end, this.fromDn + this.days - 1); d++) this.flags[d - this.fromDn] |= AWAY;
  }

  private isAway(dn: number): boolean {
    const i = dn - this.fromDn;
    return i >= 0 && i < this.days && (this.flags[i]! & AWAY) !== 0;
  }

  /** PTO blocks, sick days, bereavement, and now and then a parental leave of whole weeks. */
  private makeLeave(): void {
    const rng = this.rng;
    const home = this.offices[this.person.office]!;
    if (rng.chance(RATES.parentalPerPerson)) {
      const start = this.fromDn + 7 * rng.int(-10, this.weeks - 1);
      if (this.employed(start)) this.addLeave(start, start + 7 * rng.int(6, 16) - 1, 'parental', 'approved');
    }
    for (let w = 0; w < this.weeks; w++) {
      const weekDn = this.fromDn + 7 * w;
      const someWorkday = () => weekDn + rng.pick(home.workdays) - 1;
      if (rng.chance(RATES.ptoPerWeek)) {
        const start = someWorkday();
        if (!this.isAway(start) && this.employed(start)) {
          const end = this.afterWorkdays(home, start, PTO_LENGTH.draw(rng));
          this.addLeave(start, end, 'pto', rng.chance(RATES.ptoPending) ? 'pending' : 'approved');
        }
      }
      if (rng.chance(RATES.sickPerWeek)) {
        const start = someWorkday();
        if (!this.isAway(start) && this.employed(start)) this.addLeave(start, this.afterWorkdays(home, start, rng.chance(0.25) ? 2 : 1), 'sick', 'approved');
      }
      if (rng.chance(RATES.bereavementPerWeek)) {
        const start = someWorkday();
        if (!this.isAway(start) && this.employed(start)) this.addLeave(start, this.afterWorkdays(home, start, 3), 'bereavement', 'approved');
      }
    }
  }

  /** The day on which a run of `n` workdays starting at `start` ends. */
  private afterWorkdays(office: Office, start: number, n: number): number {
    let d = start;
    for (let counted = 1; counted < n; ) {
      d++;
      if (office.workdays.includes(isoWeekdayOfDayNumber(d))) counted++;
    }
    return d;
  }

  /** One ISO week: which days, at which offices. */
  private week(w: number, persona: Persona, habits: Habits): void {
    const rng = this.rng;
    const p = this.person;
    const home = this.offices[p.office]!;
    const weekDn = this.fromDn + 7 * w;
    const cand = this.candidates;
    const leaveDays = this.leaveDays;
    const visits = this.visits;
    cand.length = 0;
    leaveDays.length = 0;
    visits.length = 0;

    // The days this person could come in: employed, the office open, no holiday, not away.
    for (let pos = 0; pos < home.workdays.length; pos++) {
      const dn = weekDn + home.workdays[pos]! - 1;
      if (!this.employed(dn) || dn < home.readyDn) continue;
      if (home.holidays[dn - this.fromDn] !== undefined && !rng.chance(0.01)) continue;
      if (this.isAway(dn)) leaveDays.push(dn);
      else cand.push(pos);
    }
    if (cand.length === 0 && leaveDays.length === 0) return;

    // How many days they want this week: the persona's habit, scaled to the days
    // available, and the ups and downs of real weeks.
    let wanted = drawIndex(persona.daysWanted, rng);
    wanted = rng.roundRandom((wanted * cand.length) / home.workdays.length);
    if (w === this.companyBadWeek && rng.chance(RATES.companyBadWeekDrop)) wanted--;
    const mood = rng.float();
    if (mood < RATES.veryBadWeek) wanted -= 2;
    else if (mood < RATES.veryBadWeek + RATES.badWeek) wanted--;
    else if (mood > 1 - RATES.goodWeek) wanted++;

    // Travel: a trip to another office (badging there), or a customer visit (no badge).
    if (cand.length >= 2 && rng.chance(persona.tripChance)) {
      // A run of days in date order (ISO weekday order: a Sun-Thu week's Sunday comes last).
      const length = Math.min(cand.length, rng.int(2, 3));
      const first = rng.int(0, cand.length - length);
      const trip = cand.slice().sort((x, y) => home.workdays[x]! - home.workdays[y]!).slice(first, first + length);
      for (const pos of trip) cand.splice(cand.indexOf(pos), 1);
      let other = this.officeTable.draw(rng);
      if (other === p.office) other = (other + 1 + rng.int(0, this.offices.length - 2)) % this.offices.length;
      const days = trip.map((pos) => weekDn + home.workdays[pos]! - 1).sort((a, b) => a - b);
      this.addLeave(days[0]!, days[days.length - 1]!, 'business_travel', 'approved');
      for (const dn of days) {
        if (rng.chance(RATES.tripBadgesAtOtherOffice) && dn >= this.offices[other]!.readyDn) {
          visits.push(packVisit(dn, other, VISIT.workday));
          wanted--;
        }
      }
    } else if (cand.length >= 1 && rng.chance(p.family === 'sales' ? RATES.customerTravelPerWeek.sales : RATES.customerTravelPerWeek.other)) {
      const idx = rng.int(0, cand.length - 1);
      const [pos] = cand.splice(idx, 1);
      const dn = weekDn + home.workdays[pos!]! - 1;
      this.addLeave(dn, dn, 'business_travel', 'approved');
    }

    // Pick the home-office days, weighted by the persona's preferred days
    // (sales staff lean to the anchor days of their policy).
    const weights = this.weights;
    weights.length = 0;
    for (const pos of cand) {
      const weekday = home.workdays[pos]!;
      let weight = persona.dayPreference[pos] ?? 1;
      if (p.family === 'sales' && ANCHOR_WEEKDAYS.includes(weekday)) weight *= 4;
      weights.push(weight);
    }
    const visitKind = VISIT[persona.visit];
    for (let k = Math.min(wanted, cand.length); k > 0; k--) {
      const i = drawIndex(weights, rng);
      const kind = visitKind === VISIT.coffee && !rng.chance(RATES.coffeeShortVisit) ? VISIT.workday : visitKind;
      visits.push(packVisit(weekDn + home.workdays[cand[i]!]! - 1, p.office, kind));
      weights[i] = 0;
    }

    // Now and then: in on a leave day, or a weekend visit.
    if (leaveDays.length > 0 && rng.chance(RATES.badgeOnLeaveDay)) {
      visits.push(packVisit(rng.pick(leaveDays), p.office, VISIT.workday));
    }
    const saturday = weekDn + 5;
    if (habits.persona !== 'remote' && rng.chance(RATES.weekendVisitPerWeek) && this.employed(saturday) && saturday >= home.readyDn) {
      visits.push(packVisit(saturday, p.office, VISIT.weekend));
    }

    if (visits.length > 1) visits.sort(byNumber);
    for (const v of visits) this.visit(Math.floor(v / 256), (v >> 2) & 63, (v & 3) as VisitKind, habits);
  }

  /** The badge events of one visit: in, maybe a lunch out/in, usually an out. */
  private visit(dn: number, office: number, kind: VisitKind, habits: Habits): void {
    const rng = this.rng;
    switch (kind) {
      case VISIT.night: {
        const start = habits.nightStart + rng.int(-20, 20);
        this.emit(office, dn, start, IN);
        if (!rng.chance(RATES.missingOut)) this.emit(office, dn, start + rng.int(450, 510), OUT);
        return;
      }
      case VISIT.coffee: {
        const start = clamp(Math.round(habits.arrival + rng.around(0, 45)), 420, 690);
        this.emit(office, dn, start, IN);
        this.emit(office, dn, start + rng.int(30, 90), OUT);
        return;
      }
      case VISIT.weekend: {
        const start = rng.int(600, 840);
        this.emit(office, dn, start, IN);
        this.emit(office, dn, start + rng.int(60, 240), OUT);
        return;
      }
      case VISIT.workday: {
        const start = clamp(Math.round(habits.arrival + rng.around(0, 40)), 450, 660);
        const leave = start + clamp(Math.round(habits.dwell + rng.around(0, 70)), 360, 600);
        this.emit(office, dn, start, IN);
        if (rng.chance(habits.lunchChance)) {
          const out = Math.max(start + 90, rng.int(690, 780));
          const back = out + rng.int(20, 60);
          if (back < leave - 60) {
            this.emit(office, dn, out, OUT);
            this.emit(office, dn, back, IN);
          }
        }
        if (!rng.chance(RATES.missingOut)) this.emit(office, dn, leave, OUT);
        return;
      }
    }
  }

  /**
   * One badge event at a local wall time (minutes past midnight of day `dn`, may
   * run past 24:00), written as a CSV line straight into the badge buffer.
   */
  private emit(officeIndex: number, dn: number, minutes: number, direction: typeof IN | typeof OUT): void {
    const office = this.offices[officeIndex]!;
    let day = dn;
    let m = minutes;
    if (m >= 1440) {
      day += Math.floor(m / 1440);
      m %= 1440;
    }
    // From 04:00 local on, no zone changes its offset any more that day: use the cached noon offset.
    const ms =
      m >= 240
        ? (day * 1440 + m) * 60_000 - office.noonOffsetMs[day - this.fromDn + OFFSET_PAD]!
        : instantOfWallTime(office.tz, fromDayNumber(day), m);
    const sec = ms / 1000 + this.rng.int(0, 59);
    const dir = this.rng.chance(RATES.noDirection) ? NO_DIRECTION : direction;

    const out = this.badges;
    out.reserve(128);
    const buf = out.buf;
    let pos = out.pos;
    buf[pos++] = 98; // 'b'
    pos = writeBase36(buf, pos, this.badgeEvents++);
    pos = writeBytes(buf, pos, this.personIdBytes); // ",E100001"
    pos = writeBytes(buf, pos, this.officeIdBytes[officeIndex]!); // ",SEA1,"
    pos = this.stamps.write(buf, pos, sec);
    pos = writeBytes(buf, pos, this.directionBytes[dir]!); // ",in\n"
    out.pos = pos;
  }
}

const IN = 0;
const OUT = 1;
const NO_DIRECTION = 2;

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** An index drawn in proportion to `weights` (0 when all are zero). */
function drawIndex(weights: readonly number[], rng: Rng): number {
  let total = 0;
  for (const w of weights) total += w;
  let x = rng.float() * total;
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i]!;
    if (x < 0) return i;
  }
  return 0;
}

// ---------------------------------------------------------------------------
// Policies.
// ---------------------------------------------------------------------------

function policies(fromDn: number): Array<{ file: string; policy: object }> {
  const date = (dn: number) => fromDayNumber(dn - (isoWeekdayOfDayNumber(dn) - 1));
  const scope = (s: { jobFamilies?: string[]; arrangements?: string[] }) => ({
    orgs: [], levels: [], jobFamilies: s.jobFamilies ?? [], offices: [], arrangements: s.arrangements ?? [],
  });
  const standing = { windowWeeks: 12, minRatio: 0.75 };
  return [
    {
      file: 'rto-3.json',
      policy: {
        // Company-wide, so remote staff are covered and show as exempt (DESIGN rule 6) rather than no_policy.
        id: 'rto-3', name: 'Three days a week', effectiveFrom: date(fromDn - 364),
        scope: scope({}),
        daysPerWeek: 3, holidayRule: 'proportional', minDwellMinutes: 0, standing,
      },
    },
    {
      file: 'rto-office-4.json',
      policy: {
        id: 'rto-office-4', name: 'Four days a week for office-based staff', effectiveFrom: date(fromDn - 182),
        scope: scope({ arrangements: ['office'] }),
        daysPerWeek: 4, holidayRule: 'proportional', minDwellMinutes: 0, standing,
      },
    },
    {
      file: 'rto-sales-anchor.json',
      policy: {
        id: 'rto-sales-anchor', name: 'Sales: three days, in on Tuesday and Wednesday', effectiveFrom: date(fromDn - 56),
        scope: scope({ jobFamilies: ['sales'], arrangements: ['office', 'hybrid'] }),
        daysPerWeek: 3, anchorDays: ['Tue', 'Wed'], minDwellMinutes: 120, singleSwipe: 'count', holidayRule: 'proportional', standing,
      },
    },
  ];
}

// ---------------------------------------------------------------------------
// The generator.
// ---------------------------------------------------------------------------

export async function generateCompany(opts: GenerateOptions): Promise<GeneratedCompany> {
  const { employees: n, weeks, seed } = opts;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`employees must be a positive integer, got ${n}`);
  if (!Number.isInteger(weeks) || weeks < 1) throw new RangeError(`weeks must be a positive integer, got ${weeks}`);
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a number, got ${seed}`);
  const last = parseLocalDate(opts.lastWeekMonday);
  if (!last || isoWeekdayOfDayNumber(dayNumber(last)) !== 1) throw new RangeError(`lastWeekMonday must be a Monday (YYYY-MM-DD), got "${opts.lastWeekMonday}"`);
  const toDn = dayNumber(last) + 6;
  const fromDn = dayNumber(last) - 7 * (weeks - 1);
  const dir = path.resolve(opts.outDir);
  await mkdir(dir, { recursive: true });
  const file = (name: string) => path.join(dir, name);

  // Offices and holidays.
  const offices = makeOffices(fromDn, toDn, weeks);
  const overrides = makeHolidays(offices, fromDn, toDn, weeks);
  await writeFile(
    file('offices.csv'),
    [CSV_HEADERS.offices, ...offices.map((o) => [
      o.spec.id, csvField(o.spec.name), o.spec.timezone, o.spec.country, o.spec.subdivision ?? '', o.spec.workWeek,
      Number.isFinite(o.readyDn) ? fromDayNumber(o.readyDn) : '',
    ].join(','))].join('\n') + '\n',
  );
  overrides.sort((a, b) => a.dn - b.dn || a.officeId.localeCompare(b.officeId));
  await writeFile(
    file('holidays.csv'),
    [CSV_HEADERS.holidays, ...overrides.map((o) => `${o.officeId},${fromDayNumber(o.dn)},${csvField(o.name)},${o.action}`)].join('\n') + '\n',
  );

  // Policies.
  const policyFiles: string[] = [];
  for (const { file: name, policy } of policies(fromDn)) {
    await writeFile(file(name), JSON.stringify(policy, null, 2) + '\n');
    policyFiles.push(file(name));
  }

  // People.
  const builder = new OrgBuilder(new Rng(mixSeed(seed, 0x0c0ffee)));
  const people = builder.build(n);
  builder.assignDates(fromDn, toDn);
  const ids = people.map((p) => `E${100001 + p.index}`);
  await writeEmployees(file('employees.csv'), people, ids, seed, offices);

  // Their lives: leave and badges, one employee after the other.
  const badges = new ByteWriter(file('badges.csv'));
  const leave = new ChunkWriter(file('leave.csv'));
  badges.ascii(CSV_HEADERS.badges + '\n');
  leave.add(CSV_HEADERS.leave + '\n');
  const stamps = new UtcStampWriter(fromDn - 3, weeks * 7 + 6);
  const life = new LifeSimulator(seed, fromDn, weeks, offices, badges, leave, stamps);
  const example = new ExamplePicker(people, offices, fromDn, toDn);
  try {
    for (const p of people) {
      const habits = life.simulate(p, ids[p.index]!);
      example.consider(p, habits, life.hadLeave);
      await badges.flushIfFull();
      await leave.flushIfFull();
    }
    await badges.close();
    await leave.close();
  } catch (e) {
    badges.destroy();
    leave.destroy();
    throw e;
  }

  const exampleEmployee = example.best() ?? people[people.length - 1]!;
  const exampleManager =
    exampleEmployee.managerIndex >= 0 && people[exampleEmployee.managerIndex]!.directReports >= 5
      ? people[exampleEmployee.managerIndex]!
      : people.find((p) => p.directReports >= 5 && p.level <= 8) ?? people.reduce((a, b) => (b.directReports > a.directReports ? b : a));

  return {
    dir,
    files: {
      offices: file('offices.csv'),
      employees: file('employees.csv'),
      badges: file('badges.csv'),
      leave: file('leave.csv'),
      holidays: file('holidays.csv'),
      policies: policyFiles,
    },
    counts: { offices: offices.length, employees: people.length, badgeEvents: life.badgeEvents, leave: life.leaveRows, holidays: overrides.length },
    from: fromDayNumber(fromDn),
    to: fromDayNumber(toDn),
    exampleEmployeeId: ids[exampleEmployee.index]!,
    exampleManagerId: ids[exampleManager.index]!,
  };
}

async function writeEmployees(fileName: string, people: Person[], ids: string[], seed: number, offices: Office[]): Promise<void> {
  const out = new ChunkWriter(fileName);
  out.add(CSV_HEADERS.employees + '\n');
  const rng = new Rng(0);
  const emailCounts = new Map<string, number>();
  for (const p of people) {
    rng.reseed(mixSeed(seed, p.index, 0x4a3e));
    const first = rng.pick(FIRST_NAMES);
    const lastName = rng.pick(LAST_NAMES);
    const local = `${first}.${lastName}`.toLowerCase();
    const count = (emailCounts.get(local) ?? 0) + 1;
    emailCounts.set(local, count);
    const email = `${local}${count > 1 ? count : ''}@example.com`;
    out.add(
      `${ids[p.index]},${email},${first} ${lastName},${p.managerIndex >= 0 ? ids[p.managerIndex] : ''},${p.level},${p.family},${p.org},` +
        `${offices[p.office]!.spec.id},${p.arrangement},${fromDayNumber(p.hireDn)},${p.termDn === NONE ? '' : fromDayNumber(p.termDn)}\n`,
    );
    await out.flushIfFull();
  }
  await out.close().catch((e) => {
    out.destroy();
    throw e;
  });
}

/**
 * Picks the example employee: an ordinary hybrid IC, employed throughout, with a
 * three-day habit, at the office with the most holidays in the range (US offices
 * first), whose manager has at least five reports and who took some leave.
 */
class ExamplePicker {
  private bestPerson: Person | null = null;
  private bestScore = -1;
  private readonly office: number;
  private static readonly PERFECT = 6;

  constructor(private readonly people: Person[], offices: Office[], private readonly fromDn: number, private readonly toDn: number) {
    const holidayWorkdays = (o: Office) => {
      let count = 0;
      for (let dn = fromDn; dn <= toDn; dn++) {
        if (o.holidays[dn - fromDn] !== undefined && o.workdays.includes(isoWeekdayOfDayNumber(dn))) count++;
      }
      return count + (o.spec.country === 'US' ? 0.5 : 0) + (o.spec.newHub ? -10 : 0);
    };
    this.office = offices.reduce((a, b) => (holidayWorkdays(b) > holidayWorkdays(a) ? b : a)).index;
  }

  consider(p: Person, habits: Habits, hadLeave: boolean): void {
    if (this.bestScore >= ExamplePicker.PERFECT) return;
    if (p.arrangement !== 'hybrid' || p.directReports > 0 || p.hireDn > this.fromDn - 60 || p.termDn <= this.toDn) return;
    const manager = p.managerIndex >= 0 ? this.people[p.managerIndex]! : null;
    const score =
      1 +
      (habits.persona === 'three_day' || habits.persona === 'tue_thu' ? 1 : 0) +
      (p.office === this.office ? 1 : 0) +
      (manager !== null && manager.directReports >= 5 ? 1 : 0) +
      (hadLeave ? 1 : 0) +
      (p.level <= 6 ? 1 : 0);
    if (score > this.bestScore) {
      this.bestScore = score;
      this.bestPerson = p;
    }
  }

  best(): Person | null {
    return this.bestPerson;
  }
}
