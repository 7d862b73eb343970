/**
 * `hubday import KIND FILE`: header-based CSV import, streaming, validated row by
 * row, all or nothing per file (one transaction), or with `skipInvalid` the
 * rejected rows written with their reasons to a file and the rest imported.
 */
import { createWriteStream, renameSync, rmSync, type WriteStream } from 'node:fs';
import { appendAuditEntries } from '../store/audit.repository.js';
import type { Deps } from './deps.js';
import { readCsv, openCsvSource, CsvSyntaxError, type CsvRecord, type CsvSource } from '../import/csv-reader.js';
import { checkRow } from '../import/row-check.js';
import { parseBadgeFile, type BadgeBatch, type BadgeParseSetup } from '../import/badge-batches.js';
import { parseBadgeFileInThread } from '../import/badge-parse-thread.js';
import { availableParallelism } from 'node:os';
import { mapHeader, type ColumnSpec, type HeaderMap } from '../import/columns.js';
import * as rows from '../import/row-parsers.js';
import type { FieldError, ParseResult } from '../import/row-parsers.js';
import { HubdayError, inputError, type InputProblem } from '../errors.js';
import { csvLine } from '../store/csv-text.js';
import { officeIds, upsertOffices, upsertHolidayOverrides } from '../store/office.repository.js';
import { managerLinks, upsertEmployees } from '../store/employee.repository.js';
import { upsertLeave, type LeaveRecord } from '../store/hr.repository.js';
import { BadgeWeekImport } from '../store/badge.repository.js';
import { BadgeWeekBuffer } from '../import/badge-buffer.js';
import { knownRegion } from '../calendar/public-holidays.js';
import type { Db } from '../store/db.js';
import type { LocalDate } from '../engine/dates.js';
import type { TimeZone } from '../engine/time-zone.js';

/**
 * Badge events held in memory, grouped by employee and week, before the oldest are
 * written: large enough that a sorted export writes each (employee, week) once,
 * small enough to bound memory whatever the file size.
 */
const BADGE_BUFFER_EVENTS = 250_000;

export type ImportKind = 'offices' | 'employees' | 'badges' | 'leave' | 'holidays';
export const IMPORT_KINDS: readonly ImportKind[] = ['offices', 'employees', 'badges', 'leave', 'holidays'];

export interface ImportOptions {
  kind: ImportKind;
  /** A path, or "-" for standard input. */
  file: string;
  /** With a path: write rejected rows with reasons there and import the rest. */
  skipInvalid?: string;
  /** Who imports, for the audit log (default "operator"). */
  actor?: string;
  /** Badge events held in memory before the oldest are written (default 250,000; tests use small values). */
  badgeBufferEvents?: number;
  /** Parse the badge file in a worker thread (default: files from 8 MiB, on a machine with two cores or more). */
  parseInThread?: boolean;
}

export interface ImportSummary {
  kind: ImportKind;
  file: string;
  rows: number;
  new: number;
  updated: number;
  duplicate: number;
  rejected: number;
  rejectsFile: string | null;
}

const NO_FIELDS: string[] = [];

/** Validated rows of one file, each with the line it came from. */
interface Lined<T> {
  line: number;
  value: T;
  /** The row's fields as read, for the rejects file. */
  fields: string[];
}

/** Collects rejected rows (with --skip-invalid) into FILE.partial, renamed into place on success. */
class Rejects {
  private out: WriteStream | null = null;
  count = 0;
  constructor(private readonly path: string | undefined) {}
  /** Whether rejected rows are written out (--skip-invalid): only then are their fields needed. */
  get keepsRows(): boolean {
    return this.path !== undefined;
  }
  /** The file's header as read (trimmed): the columns of the rejects file. */
  header: string[] = [];
  setHeader(h: string[]): void {
    this.header = h;
  }
  add(p: InputProblem, fields: readonly string[]): void {
    if (!this.path) throw inputError(p);
    if (!this.out) {
      this.out = createWriteStream(`${this.path}.partial`);
      this.out.write(csvLine([...this.header, 'error_line', 'error_column', 'error_reason']));
    }
    const padded = this.header.map((_, i) => fields[i] ?? '');
    this.out.write(csvLine([...padded, p.line, p.columnName ?? String(p.column), p.reason]).replace(/(^|,)""(?=,|\n)/g, '$1'));
    this.count++;
  }
  async finish(ok: boolean): Promise<string | null> {
    if (!this.path) return null;
    if (!this.out) {
      if (ok) {
        // An empty rejects file (header only) says plainly that nothing was rejected.
        this.out = createWriteStream(`${this.path}.partial`);
        this.out.write(csvLine([...this.header, 'error_line', 'error_column', 'error_reason']));
      } else return null;
    }
    await new Promise<void>((resolve, reject) => this.out!.end((err?: Error | null) => (err ? reject(err) : resolve())));
    if (ok) renameSync(`${this.path}.partial`, this.path);
    else rmSync(`${this.path}.partial`, { force: true });
    return ok ? this.path : null;
  }
}

function displayName(file: string): string {
  return file === '-' ? '<stdin>' : file;
}

/**
 * Streams the records of a CSV source, maps the header, checks the field count,
 * parses each row and applies `check`; yields batches of valid rows.
 */
async function* validRows<T>(
  deps: Deps,
  file: string,
  specs: readonly ColumnSpec[],
  parse: (fields: string[], h: HeaderMap) => ParseResult<T>,
  check: (row: T) => FieldError | null,
  rejects: Rejects,
  counter: { rows: number },
): AsyncGenerator<Lined<T>[]> {
  const name = displayName(file);
  let header: HeaderMap | null = null;
  let width = 0;
  yield* fromSource(deps, file, name, counter, () => header !== null, async function* (stream) {
    for await (const batch of readCsv(stream)) {
      const valid: Lined<T>[] = [];
      for (const rec of batch as CsvRecord[]) {
        if (header === null) {
          header = mapHeader(rec.fields, specs);
          width = rec.fields.length;
          rejects.setHeader(rec.fields.map((f) => f.trim()));
          continue;
        }
        counter.rows++;
        const result = checkRow(rec, header, width, parse, check, name);
        if ('problem' in result) rejects.add(result.problem, rec.fields);
        // Without a rejects file a later refusal stops the import and needs no fields: none are kept.
        else valid.push({ line: rec.line, value: result.value, fields: rejects.keepsRows ? rec.fields : NO_FIELDS });
      }
      yield valid;
    }
  });
}

/**
 * Opens a CSV source and yields what `read` makes of its bytes, with a progress bar: a syntax
 * error becomes the input error naming the file, and a file without a header row is refused.
 */
async function* fromSource<T>(
  deps: Deps, file: string, name: string, counter: { rows: number }, hadHeader: () => boolean,
  read: (stream: AsyncIterable<Buffer>, source: CsvSource) => AsyncGenerator<T>,
): AsyncGenerator<T> {
  const source = openNamed(file, name);
  const progress = deps.progress?.(`importing ${name}`);
  try {
    for await (const item of read(source.stream as AsyncIterable<Buffer>, source)) {
      yield item;
      progress?.update(source.size ? source.bytesRead() / source.size : null, `${counter.rows.toLocaleString('en-US')} rows`);
    }
  } catch (e) {
    throw inputErrorOf(e, name);
  } finally {
    progress?.done();
    if (file !== '-') source.stream.destroy();
  }
  if (!hadHeader()) throw emptyFile(name);
}

function openNamed(file: string, name: string): CsvSource {
  try {
    return openCsvSource(file);
  } catch (e) {
    throw new HubdayError('invalid_input', `${name}: cannot read the file: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

/** A CSV syntax error (or a bad header) as the input error naming the file, for the whole file; any other error as it is. */
function inputErrorOf(e: unknown, name: string): unknown {
  return e instanceof CsvSyntaxError ? inputError({ file: name, line: e.line, column: e.column, reason: e.reason, wholeFile: true }) : e;
}

const emptyFile = (name: string) => inputError({ file: name, line: 1, column: 1, reason: 'the file is empty: expected a header row', wholeFile: true });

/** Files from this size are parsed in a worker thread (when the machine has a second core). */
const PARSE_THREAD_FROM_BYTES = 8 << 20;

/**
 * The badge file as batches of valid events (badge-batches.ts), parsed in a worker thread for
 * large files (badge-parse-thread.ts); the refused rows go to `rejects` (which throws without
 * --skip-invalid), in file order.
 */
async function* badgeBatches(
  deps: Deps, file: string, setup: BadgeParseSetup, inThread: boolean | undefined, rejects: Rejects, counter: { rows: number },
): AsyncGenerator<BadgeBatch> {
  let header = false;
  yield* fromSource(deps, file, setup.file, counter, () => header, async function* (stream, source) {
    const threaded = inThread ?? (availableParallelism() > 1 && (source.size === null || source.size >= PARSE_THREAD_FROM_BYTES));
    for await (const item of threaded ? parseBadgeFileInThread(stream, setup) : parseBadgeFile(stream, setup)) {
      if (item.kind === 'header') {
        header = true;
        rejects.setHeader(item.fields);
        continue;
      }
      const b = item.batch;
      counter.rows += b.rows;
      for (const p of b.problems) rejects.add(p.problem, p.fields);
      yield b;
    }
  });
}

async function* leaveRecords(batches: AsyncGenerator<Lined<rows.LeaveRow>[]>): AsyncGenerator<LeaveRecord[]> {
  for await (const batch of batches) yield batch.map((l) => ({ ...l.value, startDate: l.value.startDate as LocalDate, endDate: l.value.endDate as LocalDate }));
}

async function collect<T>(gen: AsyncGenerator<Lined<T>[]>): Promise<Lined<T>[]> {
  const all: Lined<T>[] = [];
  for await (const batch of gen) for (const r of batch) all.push(r);
  return all;
}

async function existingIds(db: Db, table: 'employee' | 'office'): Promise<Set<string>> {
  if (table === 'office') return officeIds(db);
  const rows = await db.query<{ employee_id: string }>('SELECT employee_id FROM employee');
  return new Set(rows.map((r) => r.employee_id));
}

export async function importFile(deps: Deps, opts: ImportOptions): Promise<ImportSummary> {
  const rejects = new Rejects(opts.skipInvalid);
  let ok = false;
  try {
    const summary = await runImport(deps, opts, rejects);
    ok = true;
    summary.rejectsFile = await rejects.finish(true);
    return summary;
  } finally {
    if (!ok) await rejects.finish(false).catch(() => undefined);
  }
}

async function runImport(deps: Deps, opts: ImportOptions, rejects: Rejects): Promise<ImportSummary> {
  const name = displayName(opts.file);
  const counter = { rows: 0 };
  const summary: ImportSummary = { kind: opts.kind, file: name, rows: 0, new: 0, updated: 0, duplicate: 0, rejected: 0, rejectsFile: null };
  const reject = (line: number, h: string[], column: string, reason: string, fields: string[] = []) =>
    rejects.add({ file: name, line, column: h.indexOf(column) + 1 || 1, columnName: column, reason }, fields);
  const finish = async (db: Db, n: { inserted: number; updated: number; duplicate?: number }) => {
    summary.rows = counter.rows;
    summary.new = n.inserted;
    summary.updated = n.updated;
    summary.duplicate = n.duplicate ?? 0;
    summary.rejected = rejects.count;
    const run = await db.query<{ import_id: string | number }>(
      'INSERT INTO import_run (kind, file, rows_new, rows_updated, rows_duplicate, rows_rejected) VALUES ($1, $2, $3, $4, $5, $6) RETURNING import_id',
      [opts.kind, name, summary.new, summary.updated, summary.duplicate, summary.rejected],
    );
    await auditImport(db, Number(run[0]!.import_id));
    return summary;
  };

  // The import and its audit entry commit together (DESIGN: every change is audited).
  const auditImport = (tx: Db, importId: number) => appendAuditEntries(tx, [{
    actor: opts.actor ?? 'operator', action: `import.${opts.kind}`, subject: null, entity: `import_run:${importId}`,
    after: { file: name, rows: summary.rows, new: summary.new, updated: summary.updated, duplicate: summary.duplicate, rejected: summary.rejected },
  }], deps.clock.now());

  switch (opts.kind) {
    case 'badges': {
      const employeeIndex = new Map<string, number>();
      for (const id of await existingIds(deps.db, 'employee')) employeeIndex.set(id, employeeIndex.size);
      const setup: BadgeParseSetup = { file: name, employeeIds: [...employeeIndex.keys()], officeIds: [...await existingIds(deps.db, 'office')] };
      return deps.db.transaction(async (tx) => {
        const writer = await BadgeWeekImport.open(tx, employeeIndex);
        const importId = Number((await tx.query<{ id: number }>(`SELECT nextval(pg_get_serial_sequence('import_run', 'import_id')) AS id`))[0]!.id);
        const buffer = new BadgeWeekBuffer(opts.badgeBufferEvents ?? BADGE_BUFFER_EVENTS, setup.employeeIds, setup.officeIds);
        let valid = 0;
        let inserted = 0;
        // While the store writes one batch of weeks, the next rows are parsed and validated.
        let writing: Promise<number> | null = null;
        const flush = async (all: boolean) => {
          if (writing) inserted += await writing;
          writing = null;
          const weeks = buffer.take(all);
          if (weeks.count === 0) return;
          writing = writer.writeGroups(weeks);
          writing.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
        };
        for await (const batch of badgeBatches(deps, opts.file, setup, opts.parseInThread, rejects, counter)) {
          valid += batch.count;
          buffer.addBatch(batch);
          if (buffer.full) await flush(false);
        }
        await flush(true);
        if (writing) inserted += await writing;
        summary.rows = counter.rows;
        summary.new = inserted;
        summary.duplicate = valid - inserted;
        summary.rejected = rejects.count;
        await tx.query(
          'INSERT INTO import_run (import_id, kind, file, rows_new, rows_updated, rows_duplicate, rows_rejected) VALUES ($1, $2, $3, $4, 0, $5, $6)',
          [importId, opts.kind, name, summary.new, summary.duplicate, summary.rejected],
        );
        await auditImport(tx, importId);
        return summary;
      });
    }
    case 'offices': {
      const check = (r: rows.OfficeRow): FieldError | null => {
        const region = knownRegion(r.country, r.subdivision);
        return region.ok ? null : { column: r.subdivision && region.reason.includes('subdivision') ? 'subdivision' : 'country', reason: region.reason };
      };
      const list = await collect(validRows(deps, opts.file, rows.OFFICE_COLUMNS, rows.parseOfficeRow, check, rejects, counter));
      const unique = dedupe(list, (r) => r.officeId, 'office_id', name, rejects);
      return deps.db.transaction(async (tx) =>
        finish(tx, await upsertOffices(tx, unique.map((r) => ({ ...r.value, timezone: r.value.timezone as TimeZone, readyFrom: r.value.readyFrom as LocalDate | null })))),
      );
    }
    case 'employees': {
      const offices = await existingIds(deps.db, 'office');
      const check = (r: rows.EmployeeRow): FieldError | null =>
        offices.has(r.homeOfficeId) ? null : { column: 'home_office_id', reason: `unknown office "${r.homeOfficeId}"` };
      const stored = await managerLinks(deps.db);
      // Streamed: the rows go to the store as they are read; what the checks of the whole file need
      // (the first line of each id, the manager links) is kept compact beside them.
      const firstLine = new Map<string, number>();
      const repeated: Array<{ line: number; key: string; first: number; fields: string[] }> = [];
      const links: ManagerLink[] = [];
      const valid = validRows(deps, opts.file, rows.EMPLOYEE_COLUMNS, rows.parseEmployeeRow, check, rejects, counter);
      async function* firsts(): AsyncGenerator<rows.EmployeeRow[]> {
        for await (const batch of valid) {
          const out: rows.EmployeeRow[] = [];
          for (const l of batch) {
            const e = l.value;
            const first = firstLine.get(e.employeeId);
            if (first !== undefined) {
              repeated.push({ line: l.line, key: e.employeeId, first, fields: l.fields });
              continue;
            }
            firstLine.set(e.employeeId, l.line);
            // Some HRIS exports list the head of the company as their own manager: that is the root of the tree.
            const managerId = e.managerId === e.employeeId ? null : e.managerId;
            links.push({ line: l.line, employeeId: e.employeeId, managerId, fields: l.fields });
            out.push(managerId === e.managerId ? e : { ...e, managerId });
          }
          yield out;
        }
      }
      // After the last row: a repeated id is refused (naming its first line), then the manager links.
      const settle = (): string[] => {
        for (const r of repeated) rejects.add(repeatProblem(name, r.line, r.key, r.first, 'employee_id', rejects.header), r.fields);
        const kept = new Set(checkManagers(links, stored, (l, reason) => reject(l.line, rejects.header, 'manager_id', reason, l.fields)));
        return links.filter((l) => !kept.has(l)).map((l) => l.employeeId);
      };
      return deps.db.transaction(async (tx) => finish(tx, await upsertEmployees(tx, firsts(), settle)));
    }
    case 'leave': {
      const employees = await existingIds(deps.db, 'employee');
      const check = (r: rows.LeaveRow): FieldError | null =>
        employees.has(r.employeeId) ? null : { column: 'employee_id', reason: `unknown employee "${r.employeeId}"` };
      // Streamed: each batch of valid rows goes to the store as it is read (bounded memory, whatever
      // the file's size); a bad row without --skip-invalid aborts the transaction, which writes nothing.
      const valid = validRows(deps, opts.file, rows.LEAVE_COLUMNS, rows.parseLeaveRow, check, rejects, counter);
      return deps.db.transaction(async (tx) => finish(tx, await upsertLeave(tx, leaveRecords(valid))));
    }
    case 'holidays': {
      const offices = await existingIds(deps.db, 'office');
      const check = (r: rows.HolidayRow): FieldError | null =>
        offices.has(r.officeId) ? null : { column: 'office_id', reason: `unknown office "${r.officeId}"` };
      const list = await collect(validRows(deps, opts.file, rows.HOLIDAY_COLUMNS, rows.parseHolidayRow, check, rejects, counter));
      const unique = dedupe(list, (r) => `${r.officeId}\u0000${r.date}`, 'date', name, rejects);
      return deps.db.transaction(async (tx) =>
        finish(tx, await upsertHolidayOverrides(tx, unique.map((l) => ({ ...l.value, date: l.value.date as LocalDate })))),
      );
    }
  }
}

/** A key repeated inside one file is ambiguous: the later row is an error naming the first. */
function dedupe<T>(list: Lined<T>[], key: (v: T) => string, column: string, file: string, rejects: Rejects): Lined<T>[] {
  const first = new Map<string, number>();
  const out: Lined<T>[] = [];
  for (const l of list) {
    const k = key(l.value);
    const prev = first.get(k);
    if (prev !== undefined) {
      rejects.add(repeatProblem(file, l.line, k, prev, column, rejects.header), l.fields);
      continue;
    }
    first.set(k, l.line);
    out.push(l);
  }
  return out;
}

function repeatProblem(file: string, line: number, key: string, first: number, column: string, header: readonly string[]): InputProblem {
  return { file, line, column: header.findIndex((x) => x.toLowerCase() === column) + 1 || 1, columnName: column, reason: `"${key.replace('\u0000', ' ')}" appears twice in the file (first on line ${first})` };
}

/** What the manager checks need of an employee row of the file. */
interface ManagerLink {
  line: number;
  employeeId: string;
  managerId: string | null;
  /** The row's fields as read, for the rejects file. */
  fields: string[];
}

/**
 * Manager references must name an employee in the store or in the file, and
 * the links must form a tree (no one is their own manager, directly or not).
 * Repeats until stable, since rejecting a manager can orphan their reports.
 */
function checkManagers(list: ManagerLink[], stored: Map<string, string | null>, reject: (l: ManagerLink, reason: string) => void): ManagerLink[] {
  let current = list;
  for (;;) {
    const links = new Map(stored);
    for (const l of current) links.set(l.employeeId, l.managerId);
    const bad = new Map<ManagerLink, string>();
    for (const l of current) {
      const m = l.managerId;
      if (m === null) continue;
      if (!links.has(m)) bad.set(l, `unknown employee "${m}"`);
    }
    if (bad.size === 0) {
      // Cycles: one walk up from each employee not met yet, so that each link is followed once
      // (at 350,000 people a walk per person took half a second). The rows on a cycle are refused,
      // each naming the cycle from itself; those leading into one are not (their manager is refused).
      const byId = new Map(current.map((l) => [l.employeeId, l]));
      const state = new Map<string, 'walking' | 'done'>();
      for (const l of current) {
        const path: string[] = [];
        let id: string | null = l.employeeId;
        while (id !== null && !state.has(id)) {
          state.set(id, 'walking');
          path.push(id);
          id = links.get(id) ?? null;
        }
        if (id !== null && state.get(id) === 'walking') {
          const cycle = path.slice(path.indexOf(id));
          cycle.forEach((member, i) => {
            const row = byId.get(member);
            if (row) bad.set(row, `the manager links form a cycle (${[...cycle.slice(i), ...cycle.slice(0, i)].join(' → ')} → ${member})`);
          });
        }
        for (const p of path) state.set(p, 'done');
      }
    }
    if (bad.size === 0) return current;
    for (const l of current) if (bad.has(l)) reject(l, bad.get(l)!);
    current = current.filter((l) => !bad.has(l));
  }
}
