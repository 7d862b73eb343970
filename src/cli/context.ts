/** What every command module receives from main: output, the store, and argument helpers. */
import type { Command } from 'commander';
import type { Deps } from '../use-cases/deps.js';
import type { Actor } from '../engine/org.js';
import { HubdayError } from '../errors.js';
import { parseLocalDate, type LocalDate } from '../engine/dates.js';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
}

export interface CliContext {
  io: Io;
  /** Opens (and migrates) the store, runs fn with the ports, closes the store when the command ends. */
  withDeps<T>(fn: (deps: Deps) => Promise<T>): Promise<T>;
  /** Opens the store and resolves `--as` (or $HUBDAY_ACTOR; the operator when neither is given). */
  withActor<T>(as: string | undefined, fn: (deps: Deps, actor: Actor) => Promise<T>): Promise<T>;
  json(value: unknown): void;
}

/** The `--as` option every workflow command takes. */
export const AS_FLAGS = '--as <employee>';
export const AS_HELP = 'who is acting: an employee id (default $HUBDAY_ACTOR; without either, the store operator)';

/** Adds `--as` and `--json` to a command. */
export function actorCommand(cmd: Command): Command {
  return cmd.option(AS_FLAGS, AS_HELP).option('--json', 'print as JSON');
}

export function dateArg(name: string, value: string | undefined): LocalDate {
  if (value === undefined) throw new HubdayError('invalid_usage', `${name} is required (YYYY-MM-DD)`);
  const d = parseLocalDate(value);
  if (!d) throw new HubdayError('invalid_usage', `${name} must be a date YYYY-MM-DD, got "${value}"`);
  return d;
}

export function intArg(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new HubdayError('invalid_usage', `${name} must be a whole number from ${min} to ${max}, got "${value}"`);
  return n;
}
