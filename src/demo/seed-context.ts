/** What the demo's workflow seeders receive: the generated company after evaluation. */
import type { LocalDate, IsoWeek } from '../engine/dates.js';

export interface DemoSeedContext {
  /** First and last day of the badge history (complete ISO weeks). */
  from: LocalDate;
  to: LocalDate;
  /** The last evaluated complete week and its Monday. */
  lastWeek: IsoWeek;
  lastMonday: LocalDate;
  /** The demo's "today" (the deps clock): a day in the week after `to`. */
  today: LocalDate;
  /** Employees granted the `hr` role by the demo (at least two). */
  hr: readonly string[];
  /** A seeded random number generator in [0, 1), so that the demo is reproducible. */
  random: () => number;
}

/** A seeder returns the lines it adds to the demo overview ("try next" commands and counts). */
export type DemoSeeder = (deps: import('../use-cases/deps.js').Deps, ctx: DemoSeedContext) => Promise<string[]>;
