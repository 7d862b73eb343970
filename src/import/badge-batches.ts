/**
 * A badge file as batches of validated events in columns (typed arrays and one text of event
 * ids), the form in which they cross from a parsing thread to the thread that groups and writes
 * them (badge-parse-thread.ts) without a structured clone of millions of objects. The same
 * function runs on the calling thread for small files. Pure apart from reading the given chunks.
 */
import { readCsv, type CsvRecord } from './csv-reader.js';
import { mapHeader, type HeaderMap } from './columns.js';
import { BADGE_COLUMNS, badgeRowParser, type BadgeRow, type FieldError } from './row-parsers.js';
import { checkRow } from './row-check.js';
import type { InputProblem } from '../errors.js';

export interface BadgeBatch {
  /** Records read (the header excluded), valid or not. */
  rows: number;
  /** Valid events: the columns below hold this many. */
  count: number;
  /** Index into the setup's employeeIds. */
  employee: Int32Array;
  /** Index into the setup's officeIds. */
  office: Int32Array;
  /** Epoch milliseconds. */
  at: Float64Array;
  /** 0: no direction, 1: in, 2: out. */
  dir: Uint8Array;
  /** The event ids, joined by LF (an id holds no control character: the parser refuses them). */
  eventIds: string;
  /** Rows refused, in file order, with their fields as read (for the rejects file). */
  problems: Array<{ problem: InputProblem; fields: string[] }>;
}

export interface BadgeParseSetup {
  /** The file's name as shown in errors. */
  file: string;
  /** Employees and offices in the store: a row naming another is refused. */
  employeeIds: readonly string[];
  officeIds: readonly string[];
}

export type BadgeParseItem = { kind: 'header'; fields: string[] } | { kind: 'batch'; batch: BadgeBatch };

/**
 * Reads the header (yielded first, trimmed) and then batches of rows. Throws CsvSyntaxError
 * on malformed CSV or a bad header; yields nothing for an empty file.
 */
export async function* parseBadgeFile(source: AsyncIterable<string | Uint8Array>, setup: BadgeParseSetup): AsyncGenerator<BadgeParseItem> {
  const employeeIndex = new Map<string, number>();
  setup.employeeIds.forEach((id, i) => employeeIndex.set(id, i));
  const officeIndex = new Map<string, number>();
  setup.officeIds.forEach((id, i) => officeIndex.set(id, i));
  let header: HeaderMap | null = null;
  let width = 0;
  for await (const records of readCsv(source)) {
    let from = 0;
    if (header === null) {
      header = mapHeader(records[0]!.fields, BADGE_COLUMNS);
      width = records[0]!.fields.length;
      yield { kind: 'header', fields: records[0]!.fields.map((f) => f.trim()) };
      from = 1;
    }
    yield { kind: 'batch', batch: parseBadgeRecords(records, from, header, width, employeeIndex, officeIndex, setup.file) };
  }
}

function parseBadgeRecords(
  records: readonly CsvRecord[], from: number, h: HeaderMap, width: number,
  employeeIndex: ReadonlyMap<string, number>, officeIndex: ReadonlyMap<string, number>, file: string,
): BadgeBatch {
  const n = records.length - from;
  const employee = new Int32Array(n);
  const office = new Int32Array(n);
  const at = new Float64Array(n);
  const dir = new Uint8Array(n);
  const ids: string[] = [];
  const problems: BadgeBatch['problems'] = [];
  let emp = -1;
  let off = -1;
  // Rows of one employee and office come in runs: look an id up only when it changes.
  let lastEmployee = '';
  let lastOffice = '';
  const check = (r: BadgeRow): FieldError | null => {
    if (r.employeeId !== lastEmployee) {
      lastEmployee = r.employeeId;
      emp = employeeIndex.get(lastEmployee) ?? -1;
    }
    if (r.officeId !== lastOffice) {
      lastOffice = r.officeId;
      off = officeIndex.get(lastOffice) ?? -1;
    }
    return emp < 0 ? { column: 'employee_id', reason: `unknown employee "${r.employeeId}"` }
      : off < 0 ? { column: 'office_id', reason: `unknown office "${r.officeId}"` }
      : null;
  };
  const parse = badgeRowParser(h);
  let count = 0;
  for (let i = from; i < records.length; i++) {
    const rec = records[i]!;
    const result = checkRow(rec, h, width, parse, check, file);
    if ('problem' in result) {
      problems.push({ problem: result.problem, fields: rec.fields });
      continue;
    }
    const r = result.value;
    employee[count] = emp;
    office[count] = off;
    at[count] = r.at;
    dir[count] = r.direction === 'in' ? 1 : r.direction === 'out' ? 2 : 0;
    ids.push(r.eventId);
    count++;
  }
  return { rows: n, count, employee, office, at, dir, eventIds: ids.join('\n'), problems };
}
