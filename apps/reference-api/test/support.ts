/**
 * Shared set-up for the reference API tests: a real SQLite database (in memory
 * or in a temporary directory), the demo account made by `ensureDemoData`, and
 * a second team inserted directly with Kysely, so every test can check that one
 * team never sees the other's data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProfileName } from '@faultline/core';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';
import { buildApp, ensureDemoData, issueApiKey, type Database, type DemoCredentials } from '../src/index.js';
import { openTestDatabase, testDialect, type TestDialect } from './test-database.js';

export interface OtherTeam {
  readonly teamId: number;
  readonly userId: number;
  readonly apiKey: string;
  readonly apiKeyId: number;
}

export interface World {
  readonly db: Kysely<Database>;
  /** The engine under test; tests of SQLite's files ask it. */
  readonly dialect: TestDialect;
  readonly directory: string;
  readonly credentialsFile: string;
  readonly demo: DemoCredentials;
  readonly other: OtherTeam;
  /** Closes every app built with {@link World.app}, destroys the database and removes the directory. */
  close(): Promise<void>;
  /** An app on this world's database; closed by {@link World.close}. */
  app(profile?: ProfileName): Promise<FastifyInstance>;
}

/**
 * Opens a database (SQLite `:memory:` unless `file` is set, or a fresh
 * PostgreSQL database in the `postgres` project), makes the demo account and
 * a second team.
 */
export async function openWorld(options: { file?: boolean } = {}): Promise<World> {
  const directory = mkdtempSync(join(tmpdir(), 'faultline-reference-api-'));
  const db = await openTestDatabase(options.file === true ? join(directory, 'test.db') : ':memory:');
  const credentialsFile = join(directory, 'demo-credentials.json');
  const { credentials: demo } = await ensureDemoData(db, credentialsFile);
  const other = await insertTeam(db, 'Other team', 'other@example.com');
  const apps: FastifyInstance[] = [];
  return {
    db,
    dialect: testDialect,
    directory,
    credentialsFile,
    demo,
    other,
    async app(profile?: ProfileName) {
      const app = await buildApp(profile === undefined ? { db } : { db, profile });
      apps.push(app);
      await app.ready();
      return app;
    },
    async close() {
      for (const app of apps) await app.close();
      await db.destroy();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** A team with one admin and one API key, written straight into the tables. */
export async function insertTeam(db: Kysely<Database>, name: string, email: string): Promise<OtherTeam> {
  const now = new Date().toISOString();
  const team = await db.insertInto('teams').values({ name, created_at: now }).returning('id').executeTakeFirstOrThrow();
  const user = await db
    .insertInto('users')
    .values({ team_id: team.id, email, name: `${name} admin`, role: 'admin', created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const key = issueApiKey();
  const row = await db
    .insertInto('api_keys')
    .values({
      user_id: user.id,
      public_id: key.publicId,
      secret_hash: key.secretHash,
      label: 'Test key',
      created_at: now,
      revoked_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { teamId: team.id, userId: user.id, apiKey: key.key, apiKeyId: row.id };
}

/** A campaign written straight into the table. */
export async function insertCampaign(
  db: Kysely<Database>,
  teamId: number,
  name: string,
  status: 'draft' | 'active' | 'paused' | 'archived' = 'draft',
): Promise<number> {
  const now = new Date().toISOString();
  const row = await db
    .insertInto('campaigns')
    .values({ team_id: teamId, name, status, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });

export function json(response: LightMyRequestResponse): Record<string, unknown> {
  return JSON.parse(response.body) as Record<string, unknown>;
}

/** The keys of a JSON body, sorted. */
export function keysOf(response: LightMyRequestResponse): string[] {
  return Object.keys(json(response)).sort();
}
