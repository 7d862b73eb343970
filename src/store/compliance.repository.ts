/** Derived results: presence days and weekly compliance records. */
import { quoteIdent, type Db } from './db.js';
import { HubdayError } from '../errors.js';
import type { LocalDate, IsoWeek } from '../engine/dates.js';
import { addDays, dayNumber } from '../engine/dates.js';
import type { ExcusedDay, PresenceDay, PresenceSource, WeeklyFacts, WeeklyRecord, WeekReason, WeekStatus, HolidayRule } from '../engine/types.js';
import { explainWeek } from '../engine/explain.js';
import { CsvBytes } from './csv-bytes.js';

/** The columns of a weekly record as readers see them (the weekly_compliance view, migration 10). */
export const WEEKLY_COLUMNS = [
  'employee_id', 'week_start', 'week', 'policy_id', 'policy_version', 'status', 'reason', 'required', 'present', 'available',
  'week_length', 'policy_days_per_week', 'days_per_week', 'rule', 'home_office_id', 'present_days', 'excused', 'extra',
] as const;

/** The columns of weekly_record, where writers put a weekly record (writeWeeklyTuple). */
export const RECORD_COLUMNS = ['employee_id', 'week_start', 'status', 'facts'] as const;

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

const DAY_SEP = '\u001e';
const FIELD_SEP = '\u001f';

/**
 * Present days as stored in a weekly record (migration v7; the last of weekly_record.facts since
 * migration 10, the present_days column of the weekly_compliance view): one day per
 * U+001E-separated item, `date U+001F officeId U+001F source U+001F dwellMinutes U+001F
 * firstMs U+001F lastMs [U+001F reference]`, empty for null. Ids hold no control characters.
 */
export function encodePresentDays(days: readonly PresenceDay[]): string | null {
  if (days.length === 0) return null;
  writePacked(scratch, days);
  return scratch.takeText();
}

const scratch = new CsvBytes(1 << 10);

/** Writes the packed text of encodePresentDays (the one place that knows its layout). */
function writePacked(w: CsvBytes, days: readonly PresenceDay[]): void {
  for (let i = 0; i < days.length; i++) {
    const d = days[i]!;
    if (i > 0) w.byte(0x1e);
    w.raw(d.date).byte(0x1f).raw(d.officeId).byte(0x1f).raw(d.source).byte(0x1f);
    if (d.dwellMinutes !== null) w.num(d.dwellMinutes);
    w.byte(0x1f);
    if (d.firstAt !== null) w.num(d.firstAt);
    w.byte(0x1f);
    if (d.lastAt !== null) w.num(d.lastAt);
    if (d.reference) w.byte(0x1f).raw(d.reference);
  }
}

export function decodePresentDays(text: string | null): PresenceDay[] {
  if (text === null || text === '') return [];
  return text.split(DAY_SEP).map((item) => {
    const f = item.split(FIELD_SEP);
    const num = (v: string | undefined) => (v === undefined || v === '' ? null : Number(v));
    return {
      date: f[0] as LocalDate, officeId: f[1]!, source: f[2] as PresenceSource, dwellMinutes: num(f[3]), firstAt: num(f[4]), lastAt: num(f[5]),
      ...(f[6] ? { reference: f[6] } : {}),
    };
  });
}

/** A JSON column stored as text (migration v7); older rows or drivers may hand it over parsed. */
function jsonOf<T>(v: unknown): T | null {
  return v === null || v === undefined ? null : typeof v === 'string' ? (JSON.parse(v) as T) : (v as T);
}

/** Days from 1970-01-01 to 2000-01-01, where PostgreSQL counts a binary date from. */
const PG_EPOCH_DAYS = 10_957;

/**
 * The UTF-8 bytes of JSON.stringify(value), memoised by `shared`, frozen: the engine shares the
 * excused days of most weeks (an office's holidays), each excused day and the anchor checks
 * between records, so most records copy these whole.
 */
const sharedJsonBytes = new WeakMap<object, Uint8Array>();
function jsonBytes(value: unknown, shared: object): Uint8Array {
  let b = sharedJsonBytes.get(shared);
  if (b === undefined) sharedJsonBytes.set(shared, (b = utf8.encode(JSON.stringify(value))));
  return b;
}
const utf8 = new TextEncoder();

/** JSON.stringify(days), from the JSON of each shared day (the engine shares them). */
function writeExcused(w: CsvBytes, days: readonly ExcusedDay[]): void {
  if (Object.isFrozen(days)) {
    w.bytes(jsonBytes(days, days));
    return;
  }
  w.byte(0x5b);
  for (let i = 0; i < days.length; i++) {
    const d = days[i]!;
    if (i > 0) w.comma();
    if (Object.isFrozen(d)) w.bytes(jsonBytes(d, d));
    else w.raw(JSON.stringify(d));
  }
  w.byte(0x5d);
}

/** U+001D, between the fields of weekly_record.facts. */
const FACT_SEP = 0x1d;

/** The last record's first six facts (home office and policy), and their bytes with the separator after. */
const shared = { home: '', policyId: null as string | null, version: 0, weekLength: -1, policyDays: -1, rule: null as string | null, bytes: new Uint8Array(0) as Uint8Array };
const sharedScratch = new CsvBytes(1 << 8);

/** The bytes of a record's first six facts: most records share them with the record before (same employee, same policy). */
function sharedFacts(f: WeeklyFacts): Uint8Array {
  const s = shared;
  const policyId = f.policy?.id ?? null;
  const version = f.policy?.version ?? 0;
  if (f.homeOfficeId !== s.home || policyId !== s.policyId || version !== s.version || f.weekLength !== s.weekLength || f.policyDaysPerWeek !== s.policyDays || f.rule !== s.rule) {
    const w = sharedScratch;
    w.raw(f.homeOfficeId).byte(FACT_SEP);
    if (policyId !== null) w.raw(policyId).byte(FACT_SEP).num(version);
    else w.byte(FACT_SEP);
    w.byte(FACT_SEP).num(f.weekLength).byte(FACT_SEP).num(f.policyDaysPerWeek).byte(FACT_SEP);
    if (f.rule) w.raw(f.rule);
    w.byte(FACT_SEP);
    s.home = f.homeOfficeId;
    s.policyId = policyId;
    s.version = version;
    s.weekLength = f.weekLength;
    s.policyDays = f.policyDaysPerWeek;
    s.rule = f.rule;
    s.bytes = w.take();
  }
  return s.bytes;
}

/**
 * Writes one weekly record as a binary COPY tuple of RECORD_COLUMNS (the hot path of bulk
 * evaluation; copyFrom(..., 'binary')): the key and status as fields, the other facts in one text
 * in the order of FACT_FIELDS (migration 10), which the weekly_compliance view splits again.
 * Ids, the packed present days and JSON hold no U+001D (ids no control character at all, and
 * JSON escapes them), so the fields are unambiguous.
 */
export function writeWeeklyTuple(w: CsvBytes, f: WeeklyFacts): void {
  w.int16(RECORD_COLUMNS.length);
  w.textField(f.employeeId);
  w.int32(4).int32(dayNumber(f.weekStart) - PG_EPOCH_DAYS);
  w.textField(f.status);
  const at = w.startField();
  w.bytes(sharedFacts(f));
  w.raw(f.reason).byte(FACT_SEP).num(f.present).byte(FACT_SEP).num(f.required).byte(FACT_SEP)
    .num(f.available).byte(FACT_SEP).num(f.daysPerWeek).byte(FACT_SEP);
  if (f.excusedDays.length > 0) writeExcused(w, f.excusedDays);
  w.byte(FACT_SEP);
  const extra = extraOf(f);
  // Most extras hold only the week's anchor checks, which the engine shares between records.
  if (extra) {
    if (Object.keys(extra).length === 1 && extra.anchors && Object.isFrozen(f.anchors)) w.bytes(jsonBytes(extra, f.anchors));
    else w.raw(JSON.stringify(extra));
  }
  w.byte(FACT_SEP);
  if (f.presentDays.length > 0) writePacked(w, f.presentDays);
  w.endField(at);
}

/**
 * Evaluations that write weekly records take this transaction-level advisory lock in turn
 * (pg_advisory_xact_lock): two at once would otherwise replace the same weeks together (the
 * second failed on a duplicate key before partitions; now it waits for the first to commit).
 */
const EVALUATION_LOCK = 0x68756265;

export async function lockEvaluations(tx: Db): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [EVALUATION_LOCK]);
}

/** A partition of weekly_record: the weeks with week_start in [from, to) (Mondays). */
export interface WeekPartition {
  name: string;
  from: LocalDate;
  to: LocalDate;
}

const BOUND_RE = /^FOR VALUES FROM \('(\d{4}-\d{2}-\d{2})'\) TO \('(\d{4}-\d{2}-\d{2})'\)$/;

/** The partitions of weekly_record (migrations 9 and 10), in week order. */
export async function weekPartitions(db: Db): Promise<WeekPartition[]> {
  const rows = await db.query<{ name: string; bound: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'weekly_record'::regclass`,
  );
  return rows.map((r) => {
    const m = BOUND_RE.exec(r.bound);
    if (!m) throw new HubdayError('internal', `partition ${r.name} of weekly_record has bounds hubday does not read: ${r.bound}`);
    return { name: r.name, from: m[1] as LocalDate, to: m[2] as LocalDate };
  }).sort((a, b) => (a.from < b.from ? -1 : 1));
}

/**
 * A new table for the weeks [from, to), shaped like weekly_record (columns, primary key,
 * index) and constrained to its weeks, so that attaching it needs no scan. Not attached yet;
 * named after its weeks and the creating transaction, so that no two partitions share a name.
 */
async function newWeekTable(tx: Db, from: LocalDate, to: LocalDate): Promise<string> {
  const [{ xid }] = (await tx.query<{ xid: string }>('SELECT txid_current()::text AS xid')) as [{ xid: string }];
  const table = `weekly_record_${from.replaceAll('-', '')}_${to.replaceAll('-', '')}_${xid}`;
  await tx.exec(`CREATE TABLE ${quoteIdent(table)} (LIKE weekly_record INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES);
    ALTER TABLE ${quoteIdent(table)} ADD CONSTRAINT weeks CHECK (week_start >= '${from}' AND week_start < '${to}')`);
  return table;
}

/** Attaching takes a SHARE UPDATE EXCLUSIVE lock on weekly_record: readers and writers go on. */
async function attachWeekTable(tx: Db, table: string, from: LocalDate, to: LocalDate): Promise<void> {
  await tx.exec(`ALTER TABLE weekly_record ATTACH PARTITION ${quoteIdent(table)} FOR VALUES FROM ('${from}') TO ('${to}')`);
}

/**
 * Makes sure every given week has a partition to go to: each run of consecutive weeks that has
 * none gets one. For writers that add records to stored weeks (evaluate --changed, and a full
 * evaluation that replaces only part of a partition).
 */
export async function ensureWeekPartitions(tx: Db, mondays: readonly LocalDate[]): Promise<void> {
  const parts = await weekPartitions(tx);
  const missing = [...new Set(mondays)].sort().filter((m) => !parts.some((p) => p.from <= m && m < p.to));
  for (let i = 0; i < missing.length;) {
    let j = i + 1;
    while (j < missing.length && missing[j] === addDays(missing[j - 1]!, 7)) j++;
    const from = missing[i]!;
    const to = addDays(missing[j - 1]!, 7);
    await attachWeekTable(tx, await newWeekTable(tx, from, to), from, to);
    i = j;
  }
}

/** A full evaluation's records, written into a table of their own and swapped in at the end. */
export interface WeekSwap {
  /** Where the records go (COPY). */
  table: string;
  from: LocalDate;
  to: LocalDate;
  /** The partitions it replaces: all inside [from, to). */
  replaces: string[];
}

/**
 * For a full evaluation of the weeks [firstMonday, lastMonday]: a fresh table to write their
 * records into, when the stored partitions that hold any of those weeks hold nothing else (they
 * are then dropped whole at finishWeekSwap). Null when one reaches outside the range: the
 * caller then deletes and writes the weeks in place. Call under lockEvaluations.
 */
export async function startWeekSwap(tx: Db, firstMonday: LocalDate, lastMonday: LocalDate): Promise<WeekSwap | null> {
  const from = firstMonday;
  const to = addDays(lastMonday, 7);
  const overlapping = (await weekPartitions(tx)).filter((p) => p.from < to && p.to > from);
  if (overlapping.some((p) => p.from < from || p.to > to)) return null;
  return { table: await newWeekTable(tx, from, to), from, to, replaces: overlapping.map((p) => p.name) };
}

/**
 * Puts the new records in place of the old: drops the partitions replaced and attaches the new
 * table. Dropping a partition locks weekly_record (ACCESS EXCLUSIVE): readers see the old
 * records until here, then wait for the transaction to end, and never see a mix.
 */
export async function finishWeekSwap(tx: Db, swap: WeekSwap): Promise<void> {
  for (const name of swap.replaces) await tx.exec(`DROP TABLE ${quoteIdent(name)}`);
  await attachWeekTable(tx, swap.table, swap.from, swap.to);
}

/** (employee, week) pairs as a relation: $1 the employees, $2 the weeks (text[], date[], pair by pair). */
export const PAIRS_SQL = '(SELECT unnest($1::text[]) AS employee_id, unnest($2::date[]) AS week_start)';

/** Deletes the records of the pairs of PAIRS_SQL. */
export const DELETE_PAIRS_SQL = `DELETE FROM weekly_record w USING ${PAIRS_SQL} p WHERE w.employee_id = p.employee_id AND w.week_start = p.week_start`;

/** Up to this many (employee, week) pairs, their records are found one by one by the primary key. */
const PAIRS_BY_KEY = 10_000;

/**
 * Runs `statements` (on the transaction tx) with the planner finding up to PAIRS_BY_KEY pairs by
 * the primary key (a nested loop of index scans), whatever the statistics say. A partition that a
 * full evaluation has just swapped in has none until it is analyzed (never, on PGlite, which has
 * no autovacuum), and the planner then hashes the whole partition for a handful of pairs: at
 * 50,000 people 650,000 records read for 1,000 late events (0.6-1.1 s instead of 0.1 s), at
 * 350,000 people 4.55 million (3 s). Beyond that many pairs, the planner chooses. Analyzing each
 * partition as it is swapped in would mend this at the root, but costs every evaluation 0.5 s
 * (PostgreSQL, 4.55 million records) or 0.66 s (PGlite, 650,000) for this one statement: the other
 * reads of weekly records by pair (discipline evidence, digests) plan index lookups without them.
 */
export async function byPrimaryKey<T>(tx: Db, pairs: number, statements: () => Promise<T>): Promise<T> {
  if (pairs > PAIRS_BY_KEY) return statements();
  await tx.exec('SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off');
  const result = await statements();
  await tx.exec('SET LOCAL enable_hashjoin TO DEFAULT; SET LOCAL enable_mergejoin TO DEFAULT');
  return result;
}

/** Deletes the records of the (employee, week) pairs ids[i], weeks[i], inside the transaction tx. */
export async function deleteWeeklyPairs(tx: Db, ids: readonly string[], weeks: readonly string[]): Promise<void> {
  await byPrimaryKey(tx, ids.length, () => tx.query(DELETE_PAIRS_SQL, [ids, weeks]));
}

/** Deletes the stored results of the given weeks (for all employees, or the given ones). */
export async function deleteResults(db: Db, mondays: readonly LocalDate[], employeeIds?: readonly string[]): Promise<void> {
  if (mondays.length === 0) return;
  const sorted = [...mondays].sort();
  const first = sorted[0]!;
  const lastSunday = addDays(sorted[sorted.length - 1]!, 6);
  const who = employeeIds ? 'AND employee_id = ANY($3::text[])' : '';
  const params = employeeIds ? [first, lastSunday, employeeIds] : [first, lastSunday];
  await db.query(`DELETE FROM weekly_record WHERE week_start BETWEEN $1::date AND $2::date ${who}`, params);
}

interface WeeklyRowDb {
  employee_id: string; week_start: string; week: string; policy_id: string | null; policy_version: number | null; status: WeekStatus;
  reason: WeekReason; required: number; present: number; available: number; week_length: number; policy_days_per_week: number;
  days_per_week: number; rule: HolidayRule | null; home_office_id: string; present_days: string | null; excused: unknown; extra: unknown;
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
    const extra = jsonOf<Record<string, any>>(r.extra) ?? {};
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
      presentDays: decodePresentDays(r.present_days),
      excusedDays: jsonOf<ExcusedDay[]>(r.excused) ?? [],
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
