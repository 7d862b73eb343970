import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** TODO: the `people` commands. */
export function registerPeopleCommands(program: Command, ctx: CliContext): void {
  void program;
  void ctx;
}
