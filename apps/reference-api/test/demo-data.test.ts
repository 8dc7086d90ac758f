import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, ensureDemoData, openDatabase, type Database, type DatabaseLocation } from '../src/index.js';
import { freshDatabaseLocation } from './test-database.js';
import { bearer, insertTeam, json } from './support.js';

const keyShape = /^flk_[A-Za-z0-9]{16}_[A-Za-z0-9_-]{43}$/;

let directory: string;
let credentialsFile: string;
/** This test's database: a file, or a PostgreSQL database in the postgres project. */
let location: DatabaseLocation;
const open: Kysely<Database>[] = [];

/** Opens this test's database again, or another one when `other` is set. */
async function database(other?: 'another'): Promise<Kysely<Database>> {
  const db = await openDatabase(other === undefined ? location : await freshDatabaseLocation());
  open.push(db);
  return db;
}

/** GET /v1/me with a key on a fresh app over `db`; the status and body. */
async function whoAmI(db: Kysely<Database>, key: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const app = await buildApp({ db });
  try {
    const response = await app.inject({ url: '/v1/me', headers: bearer(key) });
    return { status: response.statusCode, body: json(response) };
  } finally {
    await app.close();
  }
}

const fileMode = (path: string): number => statSync(path).mode & 0o777;

beforeEach(async () => {
  directory = mkdtempSync(join(tmpdir(), 'faultline-demo-data-'));
  location = await freshDatabaseLocation(join(directory, 'faultline.db'));
  credentialsFile = join(directory, 'demo-credentials.json');
});

afterEach(async () => {
  for (const db of open.splice(0)) await db.destroy();
  rmSync(directory, { recursive: true, force: true });
});

describe('ensureDemoData', () => {
  it('creates the demo team, admin and a working key once, and saves them to the credentials file', async () => {
    const db = await database();
    const { credentials, created } = await ensureDemoData(db, credentialsFile);

    expect(created).toBe(true);
    expect(credentials.apiKey).toMatch(keyShape);
    expect(credentials.email).toBe('demo@example.com');
    expect(Object.keys(credentials).sort()).toEqual(['apiKey', 'email', 'teamId', 'userId']);
    expect(JSON.parse(readFileSync(credentialsFile, 'utf8'))).toEqual(credentials);

    const user = await db.selectFrom('users').selectAll().where('id', '=', credentials.userId).executeTakeFirstOrThrow();
    expect(user).toMatchObject({ team_id: credentials.teamId, email: 'demo@example.com', role: 'admin' });
    expect(await db.selectFrom('teams').select('name').execute()).toEqual([{ name: 'Demo team' }]);

    const me = await whoAmI(db, credentials.apiKey);
    expect(me).toEqual({
      status: 200,
      body: {
        user: { id: credentials.userId, email: 'demo@example.com', name: 'Demo admin', role: 'admin' },
        team: { id: credentials.teamId, name: 'Demo team' },
      },
    });
  });

  it('writes the credentials file readable by its owner only (mode 0600)', async () => {
    const db = await database();
    await ensureDemoData(db, credentialsFile);
    expect(fileMode(credentialsFile)).toBe(0o600);
  });

  it('returns the same key on the second call without issuing another one', async () => {
    const db = await database();
    const first = await ensureDemoData(db, credentialsFile);
    const second = await ensureDemoData(db, credentialsFile);

    expect(second.created).toBe(false);
    expect(second.credentials).toEqual(first.credentials);
    expect(await db.selectFrom('api_keys').select('id').execute()).toHaveLength(1);
    expect(await db.selectFrom('users').select('id').execute()).toHaveLength(1);
    expect((await whoAmI(db, second.credentials.apiKey)).status).toBe(200);
  });

  it('finds the demo account again after the database is closed and reopened', async () => {
    const first = await ensureDemoData(await database(), credentialsFile);
    const db = open.pop() as Kysely<Database>;
    await db.destroy();

    const reopened = await database();
    const again = await ensureDemoData(reopened, credentialsFile);
    expect(again).toEqual({ credentials: first.credentials, created: false });
    expect((await whoAmI(reopened, again.credentials.apiKey)).status).toBe(200);
  });

  it('issues a new working key for the same account when the credentials file was deleted', async () => {
    const db = await database();
    const first = await ensureDemoData(db, credentialsFile);
    unlinkSync(credentialsFile);

    const second = await ensureDemoData(db, credentialsFile);
    expect(second.created).toBe(true);
    expect(second.credentials.apiKey).toMatch(keyShape);
    expect(second.credentials.apiKey).not.toBe(first.credentials.apiKey);
    // The same team and user: only a key was added.
    expect(second.credentials.userId).toBe(first.credentials.userId);
    expect(second.credentials.teamId).toBe(first.credentials.teamId);
    expect(await db.selectFrom('teams').select('id').execute()).toHaveLength(1);
    expect(await db.selectFrom('api_keys').select('id').execute()).toHaveLength(2);

    expect(existsSync(credentialsFile)).toBe(true);
    expect(fileMode(credentialsFile)).toBe(0o600);
    expect(JSON.parse(readFileSync(credentialsFile, 'utf8'))).toEqual(second.credentials);
    expect((await whoAmI(db, second.credentials.apiKey)).status).toBe(200);
  });

  it('issues a new key when the credentials file is not JSON', async () => {
    const db = await database();
    await ensureDemoData(db, credentialsFile);
    rmSync(credentialsFile);
    await import('node:fs').then((fs) => fs.writeFileSync(credentialsFile, 'not json', { mode: 0o600 }));

    const again = await ensureDemoData(db, credentialsFile);
    expect(again.created).toBe(true);
    expect((await whoAmI(db, again.credentials.apiKey)).status).toBe(200);
  });

  it('does not hand out a saved key that this database does not know', async () => {
    // Two databases share one credentials file, as `sqlite::memory:` and the default
    // file database do (both keep it in data/). Each demo user is the first user, id 1.
    const fileDb = await database();
    const original = await ensureDemoData(fileDb, credentialsFile);
    const memoryDb = await database('another');
    const fromMemory = await ensureDemoData(memoryDb, credentialsFile);
    expect(fromMemory.credentials.userId).toBe(original.credentials.userId);

    // Back on the file database: the file now holds the in-memory database's key.
    const back = await ensureDemoData(fileDb, credentialsFile);
    const me = await whoAmI(fileDb, back.credentials.apiKey);
    expect(me.status).toBe(200);
    expect(back.created).toBe(true);
    expect(back.credentials.apiKey).not.toBe(fromMemory.credentials.apiKey);
  });

  it('does not hand out a saved key that has been revoked', async () => {
    const db = await database();
    const first = await ensureDemoData(db, credentialsFile);
    await db.updateTable('api_keys').set({ revoked_at: new Date().toISOString() }).execute();
    expect((await whoAmI(db, first.credentials.apiKey)).status).toBe(401);

    const second = await ensureDemoData(db, credentialsFile);
    expect(second.created).toBe(true);
    expect(second.credentials.apiKey).not.toBe(first.credentials.apiKey);
    expect((await whoAmI(db, second.credentials.apiKey)).status).toBe(200);
  });

  it('makes a stale credentials file owner-only when it writes a new key into it', async () => {
    const db = await database();
    const first = await ensureDemoData(db, credentialsFile);
    await db.updateTable('api_keys').set({ revoked_at: new Date().toISOString() }).execute();
    chmodSync(credentialsFile, 0o644);

    const second = await ensureDemoData(db, credentialsFile);
    expect(second.credentials.apiKey).not.toBe(first.credentials.apiKey);
    expect(fileMode(credentialsFile)).toBe(0o600);
  });

  it('leaves other teams alone', async () => {
    const db = await database();
    const other = await insertTeam(db, 'Other team', 'other@example.com');
    const { credentials } = await ensureDemoData(db, credentialsFile);

    expect(credentials.teamId).not.toBe(other.teamId);
    expect(credentials.userId).not.toBe(other.userId);
    const me = await whoAmI(db, other.apiKey);
    expect(me.body['team']).toEqual({ id: other.teamId, name: 'Other team' });
    expect(await db.selectFrom('api_keys').select('id').where('user_id', '=', other.userId).execute()).toHaveLength(1);
  });
});
