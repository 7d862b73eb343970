import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** TODO: the `outbox` commands. */
export function registerOutboxCommands(program: Command, ctx: CliContext): void {
  void program;
  void ctx;
}
