/** Choosing and opening the store: PostgreSQL when DATABASE_URL is set, else an embedded PGlite folder. */
import * as path from 'node:path';
import type { Db } from './db.js';
import { HubdayError } from '../errors.js';
import { openPgliteDb } from './pglite-db.js';
import { openPostgresDb } from './postgres-db.js';

export type StoreConfig = { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string };

/**
 * DATABASE_URL (postgres:// or postgresql://) selects PostgreSQL; otherwise the store is the PGlite
 * folder given by --data, else HUBDAY_DATA, else `<cwd>/hubday-data` (relative paths are taken
 * from `cwd`). Empty values count as unset.
 */
export function resolveStoreConfig(opts: { dataFlag?: string; env: Record<string, string | undefined>; cwd: string }): StoreConfig {
  const url = opts.env.DATABASE_URL?.trim();
  if (url) {
    if (!/^postgres(ql)?:\/\//i.test(url)) {
      // Show only the scheme: the rest may hold a password.
      const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
      throw new HubdayError(
        'invalid_usage',
        `DATABASE_URL must be a PostgreSQL URL starting with postgres:// or postgresql:// (it starts with ${scheme ? `${scheme}:` : 'something else'}); unset it to use the embedded store`,
      );
    }
    return { kind: 'postgres', url };
  }
  const dir = opts.dataFlag || opts.env.HUBDAY_DATA || 'hubday-data';
  return { kind: 'pglite', dataDir: path.resolve(opts.cwd, dir) };
}

export async function openDb(config: StoreConfig): Promise<Db> {
  return config.kind === 'postgres' ? openPostgresDb(config.url) : openPgliteDb(config.dataDir);
}
