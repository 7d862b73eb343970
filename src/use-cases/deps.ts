/** The ports every use case receives: a plain object, so tests choose which parts are real. */
import type { Db } from '../store/db.js';
import type { LocalDate } from '../engine/dates.js';

export interface Clock {
  now(): Date;
  /** Today's date in UTC. */
  today(): LocalDate;
}

export interface Progress {
  /** Called with a fraction from 0 to 1 (or null when unknown) and a short status text. */
  update(fraction: number | null, text: string): void;
  done(): void;
}

export interface Deps {
  db: Db;
  clock: Clock;
  /** Human-readable progress notes (stderr in the CLI). */
  log: (line: string) => void;
  progress?: (label: string) => Progress;
}

export const systemClock: Clock = {
  now: () => new Date(),
  today: () => new Date().toISOString().slice(0, 10) as LocalDate,
};

export function fixedClock(iso: string): Clock {
  const at = new Date(iso);
  return { now: () => at, today: () => at.toISOString().slice(0, 10) as LocalDate };
}
