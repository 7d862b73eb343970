/**
 * The template of new embedded stores (pglite-template.ts): made once, used only when complete
 * and made by the installed PGlite, and a store made from it works like one PGlite created.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultTemplateDir, installedPgliteVersion, makeTemplate, usableTemplate } from './pglite-template.js';
import { openPgliteDb } from './pglite-db.js';
import { migrate } from './migrate.js';
import { tempDir } from '../testing/stores.js';

/** A file PostgreSQL ignores, to tell a store copied from a template from one PGlite created. */
const SENTINEL = 'hubday-template-sentinel';

async function storeWorks(dir: string, opts: Parameters<typeof openPgliteDb>[1]): Promise<void> {
  const db = await openPgliteDb(dir, opts);
  try {
    await migrate(db);
    await db.exec(`INSERT INTO office (office_id, name, timezone, country) VALUES ('NYC1', 'New York', 'America/New_York', 'US')`);
    assert.deepEqual(await db.query('SELECT office_id FROM office'), [{ office_id: 'NYC1' }]);
  } finally {
    await db.close();
  }
  // Reopened, it holds what was written.
  const again = await openPgliteDb(dir, opts);
  try {
    assert.deepEqual(await again.query('SELECT office_id FROM office'), [{ office_id: 'NYC1' }]);
  } finally {
    await again.close();
  }
}

test('the build made a template of new stores, for the installed PGlite', () => {
  const pgdata = usableTemplate();
  assert.ok(pgdata, `no usable template in ${defaultTemplateDir()}: npm run build makes it`);
  const info = JSON.parse(fs.readFileSync(path.join(defaultTemplateDir(), 'template.json'), 'utf8')) as { pglite: string };
  assert.equal(info.pglite, installedPgliteVersion());
  assert.equal(fs.existsSync(path.join(pgdata, 'postmaster.pid')), false);
});

test('a new store is a copy of a usable template, and works; an unusable one is ignored', { timeout: 120_000 }, async () => {
  const root = tempDir('hubday-template-test-');
  try {
    const template = path.join(root, 'template');
    assert.deepEqual((await makeTemplate(template)).made, true);
    assert.equal(usableTemplate(template), path.join(template, 'pgdata'));
    // Made once: a usable template is kept.
    assert.equal((await makeTemplate(template)).made, false);
    fs.writeFileSync(path.join(template, 'pgdata', SENTINEL), 'x');

    const fromTemplate = path.join(root, 'store-a');
    await storeWorks(fromTemplate, { template });
    assert.ok(fs.existsSync(path.join(fromTemplate, 'pgdata', SENTINEL)), 'the store was not copied from the template');
    assert.ok(fs.existsSync(path.join(fromTemplate, 'hubday-store.json')));

    // Made by another PGlite version: not used (PGlite creates the cluster).
    const other = path.join(root, 'other');
    fs.cpSync(template, other, { recursive: true });
    fs.writeFileSync(path.join(other, 'template.json'), JSON.stringify({ pglite: '0.0.1' }));
    assert.equal(usableTemplate(other), null);
    const created = path.join(root, 'store-b');
    await storeWorks(created, { template: other });
    assert.equal(fs.existsSync(path.join(created, 'pgdata', SENTINEL)), false);

    // Incomplete (no cluster) or missing: not used either.
    const incomplete = path.join(root, 'incomplete');
    fs.mkdirSync(incomplete);
    fs.copyFileSync(path.join(template, 'template.json'), path.join(incomplete, 'template.json'));
    assert.equal(usableTemplate(incomplete), null);
    assert.equal(usableTemplate(path.join(root, 'missing')), null);

    // null: no template at all.
    const none = path.join(root, 'store-c');
    await storeWorks(none, { template: null });
    assert.equal(fs.existsSync(path.join(none, 'pgdata', SENTINEL)), false);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
