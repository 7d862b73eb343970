/**
 * The benchmark's data: a synthetic company from the demo generator (seeded,
 * streamed to disk), generated once per size and seed and reused while the
 * marker file says it matches; and the 1,000 late badge events.
 */
import { createReadStream, createWriteStream, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { generateCompany, type GeneratedCompany } from '../demo/generate-company.js';
import { Rng, mixSeed } from '../demo/random.js';

export type SizeName = 'smoke' | 'small' | 'medium' | 'large';
export const SIZES: Record<SizeName, { employees: number; weeks: number }> = {
  smoke: { employees: 500, weeks: 4 },
  small: { employees: 5_000, weeks: 13 },
  medium: { employees: 50_000, weeks: 13 },
  large: { employees: 350_000, weeks: 13 },
};

/** Fixed, so every run of a size and seed sees the same bytes. A Monday. */
export const LAST_WEEK_MONDAY = '2026-11-16';
const MARKER = '.hubday-bench.json';
/** Bumped when what the benchmark does to a generated data set changes. */
const FORMAT = 3;

export interface Dataset {
  size: SizeName;
  seed: number;
  dir: string;
  company: GeneratedCompany;
  reused: boolean;
  /** Seconds spent generating (0 when reused). */
  generateSeconds: number;
  badgeBytes: number;
}

interface Marker {
  format: number;
  size: SizeName;
  employees: number;
  weeks: number;
  lastWeekMonday: string;
  seed: number;
  generator: string;
  company: GeneratedCompany;
}

/** A fingerprint of the generator's code: data made by another version is not reused. */
function generatorFingerprint(): string {
  const hash = createHash('sha256');
  for (const rel of ['../demo/generate-company.js', '../demo/random.js']) {
    hash.update(readFileSync(fileURLToPath(new URL(rel, import.meta.url))));
  }
  return hash.digest('hex').slice(0, 16);
}

export function defaultDataDir(tmp: string, size: SizeName, seed: number): string {
  return path.join(tmp, `hubday-bench-${size}-seed${seed}`);
}

/** Generates the company into `dir`, or reuses what a previous run left there for the same size and seed. */
export async function prepareDataset(opts: { size: SizeName; seed: number; dir: string; log: (line: string) => void }): Promise<Dataset> {
  const { size, seed } = opts;
  const dir = path.resolve(opts.dir);
  const { employees, weeks } = SIZES[size];
  const fingerprint = generatorFingerprint();
  const markerFile = path.join(dir, MARKER);
  const wanted = { format: FORMAT, size, employees, weeks, lastWeekMonday: LAST_WEEK_MONDAY, seed, generator: fingerprint };
  if (existsSync(markerFile)) {
    try {
      const m = JSON.parse(readFileSync(markerFile, 'utf8')) as Marker;
      const same = (Object.keys(wanted) as (keyof typeof wanted)[]).every((k) => m[k] === wanted[k]);
      const company = relocate(m.company, dir);
      const files = [company.files.offices, company.files.employees, company.files.badges, company.files.leave, company.files.holidays, ...company.files.policies];
      if (same && files.every((f) => existsSync(f))) {
        opts.log(`reusing the ${size} data set in ${dir} (same size, seed ${seed} and generator; delete the folder to generate it anew)`);
        return { size, seed, dir, company, reused: true, generateSeconds: 0, badgeBytes: statSync(company.files.badges).size };
      }
    } catch {
      // an unreadable marker: generate anew
    }
  }
  rmSync(markerFile, { force: true });
  await mkdir(dir, { recursive: true });
  opts.log(`generating the ${size} data set (${employees.toLocaleString('en-US')} employees × ${weeks} weeks, seed ${seed}) into ${dir}`);
  const t0 = performance.now();
  const company = await generateCompany({ employees, weeks, lastWeekMonday: LAST_WEEK_MONDAY, seed, outDir: dir });
  const generateSeconds = (performance.now() - t0) / 1000;
  const marker: Marker = { ...wanted, company };
  writeFileSync(markerFile, JSON.stringify(marker, null, 2) + '\n');
  return { size, seed, dir, company, reused: false, generateSeconds, badgeBytes: statSync(company.files.badges).size };
}


/** The same company with its file paths in `dir` (the folder may have been moved). */
function relocate(c: GeneratedCompany, dir: string): GeneratedCompany {
  const at = (f: string) => path.join(dir, path.basename(f));
  return {
    ...c,
    dir,
    files: {
      offices: at(c.files.offices), employees: at(c.files.employees), badges: at(c.files.badges), leave: at(c.files.leave),
      holidays: at(c.files.holidays), policies: c.files.policies.map(at),
    },
  };
}

/** Chosen fields of every data line of a CSV file whose leading fields are plain (ids, no quotes). */
async function fieldsOf(file: string, indexes: readonly number[]): Promise<string[][]> {
  const out: string[][] = [];
  const count = Math.max(...indexes) + 1;
  const lines = createInterface({ input: createReadStream(file, { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  let header = true;
  for await (const line of lines) {
    if (header) {
      header = false;
      continue;
    }
    if (line === '') continue;
    const fields = line.split(',', count);
    out.push(indexes.map((i) => fields[i] ?? ''));
  }
  return out;
}

/**
 * Writes `count` new badge events (new event ids, direction `in`) for random
 * existing employees at random instants across [from, to], mostly at their home
 * office. Seeded: the same company and seed give the same file.
 */
export async function writeLateEvents(company: GeneratedCompany, file: string, seed: number, count = 1000): Promise<number> {
  const employees = await fieldsOf(company.files.employees, [0, 7]); // employee_id, home_office_id
  const offices = (await fieldsOf(company.files.offices, [0])).map((f) => f[0]!);
  const rng = new Rng(mixSeed(seed, 0x1a7e));
  const fromMs = Date.parse(`${company.from}T00:00:00Z`);
  const toMs = Date.parse(`${company.to}T00:00:00Z`) + 86_400_000;
  const out = createWriteStream(file);
  out.write('event_id,employee_id,office_id,timestamp,direction\n');
  for (let i = 0; i < count; i++) {
    const e = rng.pick(employees);
    const office = rng.chance(0.8) ? e[1]! : rng.pick(offices);
    const at = new Date(Math.floor((fromMs + rng.float() * (toMs - fromMs)) / 1000) * 1000);
    if (!out.write(`late-${seed}-${i},${e[0]},${office},${at.toISOString().replace('.000Z', 'Z')},in\n`)) await once(out, 'drain');
  }
  out.end();
  await finished(out);
  return count;
}
