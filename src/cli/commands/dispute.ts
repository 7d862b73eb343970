import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** TODO: the `dispute` commands. */
export function registerDisputeCommands(program: Command, ctx: CliContext): void {
  void program;
  void ctx;
}
