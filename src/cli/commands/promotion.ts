import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** TODO: the `promotion` commands. */
export function registerPromotionCommands(program: Command, ctx: CliContext): void {
  void program;
  void ctx;
}
