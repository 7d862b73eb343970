/**
 * What runs after weekly records were (re)written, inside the evaluation's own transaction, so
 * that the records and what follows from them commit together. Called by evaluate-weeks and
 * evaluate-changed with the weeks they wrote. Each step is set-based (a few statements for the
 * whole run, never one per employee).
 */
import type { Db } from '../store/db.js';
import type { Deps } from './deps.js';
import type { LocalDate } from '../engine/dates.js';
import { enqueueDigests, runDigestInput, type DigestInput } from './digests.js';
import { flagCasesForReview } from './discipline.js';

export interface EvaluatedWeeks {
  /** Mondays of the weeks written. */
  mondays: readonly LocalDate[];
  /** The employees whose weeks were written (undefined: everyone). */
  employeeIds?: readonly string[];
  /** What the digests of that week read, when the run computed it all (see digestInputOf). */
  digest?: { monday: LocalDate; input: DigestInput };
}

/**
 * `publish`: puts the new records where readers and the steps below find them (a full
 * evaluation's swap, finishWeekSwap), after which readers wait for the commit. Digests computed
 * by the run itself read no stored record, so they go before it and keep that wait short.
 */
export async function afterEvaluation(tx: Db, deps: Deps, run: EvaluatedWeeks, publish?: () => Promise<void>): Promise<void> {
  const known = runDigestInput(deps, run) !== undefined;
  // Manager digests into the outbox (workflow: manager awareness).
  if (known) await enqueueDigests(tx, deps, run);
  await publish?.();
  if (!known) await enqueueDigests(tx, deps, run);
  // Discipline cases whose evidence weeks changed are flagged for review (workflow: discipline).
  await flagCasesForReview(tx, deps, run);
}
