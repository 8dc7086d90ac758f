import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { migrationProvider } from './migrations.js';
import type { Database } from './schema.js';

/** Where the data lives, parsed from `DATABASE_URL`. */
export type DatabaseLocation = { readonly kind: 'sqlite'; readonly path: string };

export const defaultDatabasePath = 'data/faultline.db';

/**
 * Reads `DATABASE_URL`: unset means the embedded default file, `sqlite:PATH`
 * a file of your choice (`sqlite::memory:` keeps everything in memory).
 */
export function parseDatabaseUrl(url: string | undefined): DatabaseLocation {
  if (url === undefined || url.trim() === '') return { kind: 'sqlite', path: defaultDatabasePath };
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (path === '') throw new Error('DATABASE_URL "sqlite:" needs a file path, e.g. sqlite:data/faultline.db');
    return { kind: 'sqlite', path };
  }
  const scheme = url.split(':')[0] ?? url;
  throw new Error(
    `DATABASE_URL scheme "${scheme}" is not supported; use sqlite:PATH or leave it unset for ${defaultDatabasePath}.`,
  );
}

/** Opens the database and brings its schema up to date. */
export async function openDatabase(location: DatabaseLocation): Promise<Kysely<Database>> {
  if (location.path !== ':memory:') mkdirSync(dirname(location.path), { recursive: true });
  const sqlite = new SqliteDatabase(location.path);
  // WAL lets readers work while a write is in progress; foreign keys are off by default in SQLite.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrate(db);
  return db;
}

async function migrate(db: Kysely<Database>): Promise<void> {
  const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Database migration "${failed}" failed`, { cause: error });
  }
}
