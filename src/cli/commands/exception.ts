import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** TODO: the `exception` commands. */
export function registerExceptionCommands(program: Command, ctx: CliContext): void {
  void program;
  void ctx;
}
