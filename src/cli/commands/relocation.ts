import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** TODO: the `relocation` commands. */
export function registerRelocationCommands(program: Command, ctx: CliContext): void {
  void program;
  void ctx;
}
