/** One CSV record through its field count, its parser and a check against the store. Pure. */
import type { CsvRecord } from './csv-reader.js';
import type { HeaderMap } from './columns.js';
import type { FieldError, ParseResult } from './row-parsers.js';
import type { InputProblem } from '../errors.js';

export function checkRow<T>(
  rec: CsvRecord,
  h: HeaderMap,
  width: number,
  parse: (fields: string[], h: HeaderMap) => ParseResult<T>,
  check: (row: T) => FieldError | null,
  file: string,
): { problem: InputProblem } | { value: T } {
  if (rec.fields.length !== width) {
    return {
      problem: {
        file, line: rec.line, column: Math.min(rec.fields.length, width) + 1,
        reason: `expected ${width} fields as in the header, found ${rec.fields.length}`,
      },
    };
  }
  const parsed = parse(rec.fields, h);
  const error = parsed.ok ? check(parsed.value) : parsed.error;
  if (!error) return { value: (parsed as { value: T }).value };
  return { problem: { file, line: rec.line, column: (h.indexOf[error.column] ?? -1) + 1 || 1, columnName: error.column, reason: error.reason } };
}
