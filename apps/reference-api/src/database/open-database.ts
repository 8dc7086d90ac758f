import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import { boundedPostgresPool } from './bounded-postgres-pool.js';
import { BusyRetryingSqliteDialect, sqliteBusyWaitMs } from './busy-retrying-sqlite.js';
import { defaultDatabaseTimeouts, type DatabaseTimeouts } from './database-timeouts.js';
import { migrationProvider, type Dialect } from './migrations.js';
import type { Database } from './schema.js';

/** Where the data lives, parsed from `DATABASE_URL`. */
export type DatabaseLocation =
  { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'postgres'; readonly url: string };

export const defaultDatabasePath = 'data/faultline.db';

/**
 * Reads `DATABASE_URL`: unset means the embedded default file, `sqlite:PATH`
 * a file of your choice (`sqlite::memory:` keeps everything in memory), and
 * `postgres://…` or `postgresql://…` a PostgreSQL database.
 */
export function parseDatabaseUrl(url: string | undefined): DatabaseLocation {
  if (url === undefined || url.trim() === '') return { kind: 'sqlite', path: defaultDatabasePath };
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (path === '') throw new Error('DATABASE_URL "sqlite:" needs a file path, e.g. sqlite:data/faultline.db');
    return { kind: 'sqlite', path };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error('DATABASE_URL is not a valid URL; expected postgres://USER:PASSWORD@HOST:PORT/DATABASE.');
    }
    if (parsed.hostname === '' && !parsed.searchParams.has('host'))
      throw new Error('DATABASE_URL needs a host, e.g. postgres://USER:PASSWORD@localhost:5432/faultline.');
    return { kind: 'postgres', url };
  }
  const scheme = url.split(':')[0] ?? url;
  throw new Error(
    `DATABASE_URL scheme "${scheme}" is not supported; use postgres://…, sqlite:PATH, or leave it unset for ${defaultDatabasePath}.`,
  );
}

/** Where a location is, for people: the file path, or the PostgreSQL URL without its password. */
export function describeLocation(location: DatabaseLocation): string {
  if (location.kind === 'sqlite') return location.path;
  const url = new URL(location.url);
  if (url.password !== '') url.password = '***';
  return url.toString();
}

/** The engine behind an open database; the few queries that differ ask it. */
export function dialectOf(db: Kysely<Database>): Dialect {
  return dialects.get(db) ?? 'sqlite';
}
const dialects = new WeakMap<Kysely<Database>, Dialect>();

/**
 * Opens the database and brings its schema up to date. A database that is
 * locked, stalled or gone fails a query with 503 `service_unavailable` once
 * `timeouts` run out, instead of holding the request (or the event loop).
 */
export async function openDatabase(
  location: DatabaseLocation,
  timeouts: DatabaseTimeouts = defaultDatabaseTimeouts,
): Promise<Kysely<Database>> {
  const db =
    location.kind === 'postgres'
      ? new Kysely<Database>({ dialect: new PostgresDialect({ pool: boundedPostgresPool(location.url, timeouts) }) })
      : openSqlite(location.path, timeouts);
  dialects.set(db, location.kind);
  try {
    await migrate(db, location.kind);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return db;
}

function openSqlite(path: string, timeouts: DatabaseTimeouts): Kysely<Database> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SqliteDatabase(path);
  // SQLite waits for a lock synchronously, holding the event loop: only briefly; the dialect retries the rest asynchronously.
  sqlite.pragma(`busy_timeout = ${sqliteBusyWaitMs}`);
  // WAL lets readers work while a write is in progress; foreign keys are off by default in SQLite.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  return new Kysely<Database>({ dialect: new BusyRetryingSqliteDialect({ database: sqlite }, timeouts.busyTimeoutMs) });
}

async function migrate(db: Kysely<Database>, dialect: Dialect): Promise<void> {
  const { error, results } = await new Migrator({ db, provider: migrationProvider(dialect) }).migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Database migration "${failed}" failed`, { cause: error });
  }
}
