/** The conditions and numbered parameters of a filtered SELECT, built up one optional field at a time. */
export interface SqlFilter {
  where: string[];
  params: unknown[];
  /** Adds a parameter and returns its placeholder (`$n`). */
  p(value: unknown): string;
  /** Adds a condition whose single "?" stands for `value`. */
  add(sql: string, value: unknown): void;
  /** `WHERE a AND b`, or nothing. */
  clause(): string;
}

export function sqlFilter(): SqlFilter {
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  return {
    where, params, p,
    add: (sql, value) => where.push(sql.replace('?', p(value))),
    clause: () => (where.length ? `WHERE ${where.join(' AND ')}` : ''),
  };
}
