/**
 * The one error type. Codes are stable strings, mapped once to CLI exit codes
 * (and, when the HTTP API comes, once to HTTP statuses).
 */
export type ErrorCode = 'invalid_input' | 'invalid_usage' | 'not_found' | 'conflict' | 'forbidden' | 'store_unavailable' | 'internal';

/** Where in an input file something is wrong. */
export interface InputProblem {
  file: string;
  line: number;
  /** 1-based field number in the CSV record (or character column for JSON). */
  column: number;
  /** The column's name, when known. */
  columnName?: string;
  reason: string;
}

export class HubdayError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly problems: readonly InputProblem[] = [],
    /** For refusals of a workflow step: a stable code such as `approver_not_vp`. */
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'HubdayError';
  }
}

export const EXIT_CODES: Record<ErrorCode, number> = {
  invalid_input: 2,
  invalid_usage: 2,
  not_found: 2,
  conflict: 1,
  forbidden: 1,
  store_unavailable: 1,
  internal: 1,
};

export function formatProblem(p: InputProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.columnName ? `${p.columnName}: ` : ''}${p.reason}`;
}

export function inputError(p: InputProblem): HubdayError {
  return new HubdayError('invalid_input', formatProblem(p), [p]);
}

/**
 * A workflow step refused by a rule (engine transition functions return these): a stable
 * `reason` code for scripts and a sentence for people.
 */
export interface Refusal {
  ok: false;
  /** `forbidden`: this actor may not take the step; `conflict`: the step's preconditions do not hold. */
  code: 'forbidden' | 'conflict';
  reason: string;
  message: string;
}

export function refusal(code: Refusal['code'], reason: string, message: string): Refusal {
  return { ok: false, code, reason, message };
}

/** The error a use case throws for a refusal. */
export function refusedError(r: Refusal): HubdayError {
  return new HubdayError(r.code, r.message, [], r.reason);
}
