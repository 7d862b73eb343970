/**
 * The template of a new embedded store: a PostgreSQL cluster that PGlite has just created and
 * closed, made once when the project is built (`npm run build` runs this file) and copied into
 * each new data folder. Creating a cluster runs initdb inside the WebAssembly engine: measured
 * here, creating a store took 5.5 s and peaked at 800 MiB of RSS, where opening one takes 1.0 s
 * and 290 MiB. Copying the template's 30 MB takes a fraction of a second.
 *
 * Layout: `dist/pglite-template/template.json` ({"pglite": version, "created"}) and
 * `dist/pglite-template/pgdata/`. A store is made from a template only by the PGlite version
 * that made it (after an upgrade of the package without a build, stores are created as before).
 * The template is written to a scratch folder beside it and renamed into place, so a build
 * that is interrupted leaves either the old template or none.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PGlite } from '@electric-sql/pglite';

const INFO_FILE = 'template.json';
const PGDATA_DIR = 'pgdata';

/** Where the build puts the template: dist/pglite-template. */
export function defaultTemplateDir(): string {
  return fileURLToPath(new URL('../pglite-template', import.meta.url));
}

let installed: string | undefined;

/** The installed PGlite's version (its package.json; read once per process). */
export function installedPgliteVersion(): string {
  installed ??= readPgliteVersion();
  return installed;
}

function readPgliteVersion(): string {
  let dir = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@electric-sql/pglite' && pkg.version) return pkg.version;
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error('the installed @electric-sql/pglite has no package.json with a version');
    dir = up;
  }
}

/**
 * The template's cluster folder, when `dir` holds a complete template made by the installed
 * PGlite; null otherwise (none, incomplete, or made by another version).
 */
export function usableTemplate(dir: string = defaultTemplateDir()): string | null {
  try {
    const info = JSON.parse(fs.readFileSync(path.join(dir, INFO_FILE), 'utf8')) as { pglite?: unknown };
    const pgdata = path.join(dir, PGDATA_DIR);
    if (info.pglite !== installedPgliteVersion() || !fs.existsSync(path.join(pgdata, 'PG_VERSION'))) return null;
    return pgdata;
  } catch {
    return null;
  }
}

/**
 * Makes the template in `dir` unless a usable one is there already: creates a cluster with
 * PGlite in a scratch folder beside it, closes it cleanly, and renames it into place.
 */
export async function makeTemplate(dir: string = defaultTemplateDir()): Promise<{ made: boolean; seconds: number }> {
  const t0 = performance.now();
  if (usableTemplate(dir) !== null) return { made: false, seconds: 0 };
  const scratch = `${dir}.tmp-${process.pid}`;
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.mkdirSync(scratch, { recursive: true });
  try {
    const pgdata = path.join(scratch, PGDATA_DIR);
    const pg = await PGlite.create(pgdata);
    await pg.close();
    // A clean close removes it; a template must never carry one.
    fs.rmSync(path.join(pgdata, 'postmaster.pid'), { force: true });
    fs.writeFileSync(path.join(scratch, INFO_FILE), JSON.stringify({ pglite: installedPgliteVersion(), created: new Date().toISOString() }, null, 2) + '\n');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(scratch, dir);
  } catch (e) {
    fs.rmSync(scratch, { recursive: true, force: true });
    // Another build may have put its own in place meanwhile: that one serves.
    if (usableTemplate(dir) !== null) return { made: false, seconds: 0 };
    throw e;
  }
  return { made: true, seconds: (performance.now() - t0) / 1000 };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  makeTemplate().then(
    ({ made, seconds }) => {
      const dir = path.relative(process.cwd(), defaultTemplateDir()) || defaultTemplateDir();
      process.stderr.write(made
        ? `hubday: made the template of new embedded stores in ${dir} (PGlite ${installedPgliteVersion()}, ${seconds.toFixed(1)} s)\n`
        : '');
    },
    (e) => {
      // Not fatal: without a template, new stores are created by PGlite as before (slower).
      process.stderr.write(`hubday: could not make the template of new embedded stores (${(e as Error)?.message ?? e}); new stores will be created without it\n`);
    },
  );
}
