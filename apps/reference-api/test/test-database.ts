/**
 * The database a test runs on: SQLite, or PostgreSQL in the `postgres` vitest
 * project (`FAULTLINE_TEST_DATABASE=postgres`), so the same tests run on both.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database, type DatabaseLocation } from '../src/index.js';

export type TestDialect = 'sqlite' | 'postgres';

export const testDialect: TestDialect = process.env['FAULTLINE_TEST_DATABASE'] === 'postgres' ? 'postgres' : 'sqlite';

/** A new, empty database's location: a fresh PostgreSQL database, or the SQLite file (`:memory:` when none). */
export async function freshDatabaseLocation(sqlitePath = ':memory:'): Promise<DatabaseLocation> {
  if (testDialect === 'sqlite') return { kind: 'sqlite', path: sqlitePath };
  const serverUrl = inject('postgresUrl');
  const name = `test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { kind: 'postgres', url: url.toString() };
}

/** Opens a new, empty, migrated database. */
export async function openTestDatabase(sqlitePath?: string): Promise<Kysely<Database>> {
  return openDatabase(await freshDatabaseLocation(sqlitePath));
}

/** The `DATABASE_URL` that points a reference-API process at `location`. */
export function databaseUrl(location: DatabaseLocation): string {
  return location.kind === 'sqlite' ? `sqlite:${location.path}` : location.url;
}
