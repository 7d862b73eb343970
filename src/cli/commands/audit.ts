import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** TODO: the `audit` commands. */
export function registerAuditCommands(program: Command, ctx: CliContext): void {
  void program;
  void ctx;
}
