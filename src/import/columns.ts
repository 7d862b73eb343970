/**
 * Maps a CSV header row onto the columns a file kind expects. Names are
 * trimmed and compared case-insensitively; columns may come in any order;
 * unknown extra columns are ignored.
 */
import { CsvSyntaxError } from './csv-reader.js';

export interface ColumnSpec {
  name: string;
  required: boolean;
}

export interface HeaderMap {
  /** Spec column name -> 0-based field index, or -1 when the column is optional and absent. */
  indexOf: Record<string, number>;
  /** The header's names as found (trimmed), one per field, in file order. */
  columns: string[];
}

/** Throws `CsvSyntaxError` (line 1) on a duplicate known column or a missing required one. */
export function mapHeader(header: string[], specs: readonly ColumnSpec[]): HeaderMap {
  const columns = header.map((h) => h.trim());
  const wanted = new Map<string, string>();
  for (const spec of specs) wanted.set(spec.name.toLowerCase(), spec.name);
  const indexOf: Record<string, number> = {};
  for (const spec of specs) indexOf[spec.name] = -1;
  for (let i = 0; i < columns.length; i++) {
    const name = wanted.get(columns[i]!.toLowerCase());
    if (name === undefined) continue;
    if (indexOf[name]! !== -1) {
      throw new CsvSyntaxError(1, i + 1, `duplicate column "${name}" (also column ${indexOf[name]! + 1})`);
    }
    indexOf[name] = i;
  }
  const missing = specs.filter((s) => s.required && indexOf[s.name] === -1).map((s) => `"${s.name}"`);
  if (missing.length > 0) {
    const found = columns.filter((c) => c !== '').join(', ') || 'no column names';
    const what = missing.length === 1 ? 'column' : 'columns';
    throw new CsvSyntaxError(1, header.length + 1, `missing required ${what} ${missing.join(', ')} (found: ${found})`);
  }
  return { indexOf, columns };
}
