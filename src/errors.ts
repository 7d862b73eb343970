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
  /** The file itself is malformed (CSV syntax, header, empty): --skip-invalid cannot skip a row of it. */
  wholeFile?: true;
}

import type { Refusal, Transition } from './engine/refusal.js';

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

/** The error a use case throws for a refusal. */
export function refusedError(r: Refusal): HubdayError {
  return new HubdayError(r.code, r.message, [], r.reason);
}

/** The state of an allowed transition, or the refusal thrown as a HubdayError. */
export function orThrow<S>(t: Transition<S>): S {
  if (!t.ok) throw refusedError(t);
  return t.state;
}
