/** The workflow seeders `hubday demo` runs after evaluation, in order. */
import type { DemoSeeder } from './seed-context.js';
import { seedPromotionsDisciplineDemo } from './seed-promotions-discipline.js';
import { seedHrCasesDemo } from './seed-hr-cases.js';
import { seedDigestsDemo } from './seed-digests.js';

export const DEMO_SEEDERS: readonly { name: string; seed: DemoSeeder }[] = [
  { name: 'promotions and discipline', seed: seedPromotionsDisciplineDemo },
  { name: 'exceptions, relocation, disputes and outages', seed: seedHrCasesDemo },
  { name: 'manager digests', seed: seedDigestsDemo },
];
