import { dirname, join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Kysely } from 'kysely';
import type { Config } from './config.js';
import { openDatabase } from './database/open-database.js';
import type { Database } from './database/schema.js';
import { ensureDemoData, type DemoCredentials } from './demo/demo-data.js';

/** Where the demo credentials are kept: beside the database file, or under `data/` for an in-memory one. */
export function credentialsFileFor(config: Config): string {
  const directory = config.database.path === ':memory:' ? 'data' : dirname(config.database.path);
  mkdirSync(directory, { recursive: true });
  return join(directory, 'demo-credentials.json');
}

/** Opens the database and makes sure the demo account exists. */
export async function prepareData(config: Config): Promise<{ db: Kysely<Database>; demo: DemoCredentials; created: boolean }> {
  const db = await openDatabase(config.database);
  const { credentials, created } = await ensureDemoData(db, credentialsFileFor(config));
  return { db, demo: credentials, created };
}
