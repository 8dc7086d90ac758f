import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
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

/** Opens the database and brings its schema up to date. */
export async function openDatabase(location: DatabaseLocation): Promise<Kysely<Database>> {
  const db = location.kind === 'postgres' ? openPostgres(location.url) : openSqlite(location.path);
  dialects.set(db, location.kind);
  try {
    await migrate(db, location.kind);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return db;
}

function openSqlite(path: string): Kysely<Database> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SqliteDatabase(path);
  // WAL lets readers work while a write is in progress; foreign keys are off by default in SQLite.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
}

function openPostgres(url: string): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    // A database that does not answer fails the request (503) instead of holding it.
    connectionTimeoutMillis: 5_000,
    statement_timeout: 15_000,
    idle_in_transaction_session_timeout: 15_000,
  });
  // An idle client that loses its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

async function migrate(db: Kysely<Database>, dialect: Dialect): Promise<void> {
  const { error, results } = await new Migrator({ db, provider: migrationProvider(dialect) }).migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Database migration "${failed}" failed`, { cause: error });
  }
}
