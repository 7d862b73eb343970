/** The workflow seeders `hubday demo` runs after evaluation, in order. */
import type { DemoSeeder } from './seed-context.js';

export const DEMO_SEEDERS: readonly { name: string; seed: DemoSeeder }[] = [];
