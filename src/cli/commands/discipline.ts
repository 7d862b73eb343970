import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** TODO: the `discipline` commands. */
export function registerDisciplineCommands(program: Command, ctx: CliContext): void {
  void program;
  void ctx;
}
