/**
 * `npm run fixtures`, run as the real command (the built dist) against a
 * fresh database: every credential it prints reaches the state it names.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, openDatabase, type Database, type DatabaseLocation } from '../src/index.js';
import type { Fixtures } from '../src/demo/scenarios.js';
import { bearer, json } from './support.js';
import { databaseUrl, freshDatabaseLocation } from './test-database.js';

const command = fileURLToPath(new URL('../dist/fixtures-command.js', import.meta.url));
const run = promisify(execFile);

let directory: string;
let location: DatabaseLocation;
let first: Fixtures;
let second: Fixtures;
let db: Kysely<Database>;
let app: FastifyInstance;

async function fixtures(): Promise<Fixtures> {
  // In a temporary directory, so the credentials file never lands in the repository's data/.
  const { stdout } = await run(process.execPath, [command], {
    cwd: directory,
    env: { ...process.env, DATABASE_URL: databaseUrl(location) },
  });
  return JSON.parse(stdout) as Fixtures;
}

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'faultline-fixtures-'));
  location = await freshDatabaseLocation(join(directory, 'fixtures.db'));
  first = await fixtures();
  second = await fixtures();
  db = await openDatabase(location);
  app = await buildApp({ db });
  await app.ready();
}, 60_000);

afterAll(async () => {
  await app?.close();
  await db?.destroy();
  rmSync(directory, { recursive: true, force: true });
});

const post = (url: string, key: string, body: unknown) =>
  app.inject({
    method: 'POST',
    url,
    headers: { ...bearer(key), 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });

describe('npm run fixtures', () => {
  it('prints a healthy admin key', async () => {
    const me = await app.inject({ url: '/v1/me', headers: bearer(second.apiKey) });
    expect(me.statusCode).toBe(200);
    expect((json(me)['user'] as Record<string, unknown>)['role']).toBe('admin');
  });

  it.each(['team_blocked', 'missing_subscription', 'missing_team_admin', 'user_is_disabled'] as const)(
    'scenarios.%s reaches its state on any request',
    async (name) => {
      const response = await app.inject({ url: '/v1/campaigns', headers: bearer(second.scenarios[name].apiKey) });
      expect(response.statusCode).toBe(403);
      expect(json(response)['code']).toBe(name);
      expect(second.scenarios[name].expect).toBe(name);
    },
  );

  it('scenarios.user_not_admin may read campaigns but not manage keys', async () => {
    const { apiKey } = second.scenarios.user_not_admin;
    expect((await app.inject({ url: '/v1/campaigns', headers: bearer(apiKey) })).statusCode).toBe(200);
    const response = await app.inject({ url: '/v1/api-keys', headers: bearer(apiKey) });
    expect(json(response)['code']).toBe('user_not_admin');
  });

  it('scenarios.read_only may read but not write', async () => {
    const { apiKey } = second.scenarios.read_only;
    expect((await app.inject({ url: '/v1/campaigns', headers: bearer(apiKey) })).statusCode).toBe(200);
    const response = await post('/v1/campaigns', apiKey, { name: 'Refused' });
    expect(response.statusCode).toBe(403);
    expect(json(response)['code']).toBe('not_authorized');
  });

  it('scenarios.quota_nearly_full has exactly one recipient left this month', async () => {
    const { apiKey, campaignId } = second.scenarios.quota_nearly_full;
    const url = `/v1/campaigns/${campaignId}/recipients`;
    const two = await post(url, apiKey, { recipients: [{ email: 'a@fixtures.example' }, { email: 'b@fixtures.example' }] });
    expect(two.statusCode).toBe(429);
    expect(json(two)['code']).toBe('exceeds_monthly_recipients');
    const one = await post(url, apiKey, { recipients: [{ email: 'a@fixtures.example' }] });
    expect(one.statusCode).toBe(201);
  });

  it('otherTeamCampaignId is invisible to the demo key', async () => {
    const response = await app.inject({ url: `/v1/campaigns/${second.otherTeamCampaignId}`, headers: bearer(second.apiKey) });
    expect(response.statusCode).toBe(404);
    expect(json(response)['code']).toBe('not_found');
  });

  it('session logs in with the printed email and password', async () => {
    const response = await post('/v1/sessions', second.apiKey, second.session);
    expect(response.statusCode).toBe(201);
    const token = json(response)['token'] as string;
    expect((await app.inject({ url: '/v1/me', headers: bearer(token) })).statusCode).toBe(200);
  });

  it('can run again: same teams and campaigns, fresh keys, and the first run’s keys still work', async () => {
    expect(second.otherTeamCampaignId).toBe(first.otherTeamCampaignId);
    expect(second.scenarios.quota_nearly_full.campaignId).toBe(first.scenarios.quota_nearly_full.campaignId);
    expect(second.scenarios.team_blocked.apiKey).not.toBe(first.scenarios.team_blocked.apiKey);
    expect(second.session.password).not.toBe(first.session.password);
    const old = await app.inject({ url: '/v1/campaigns', headers: bearer(first.scenarios.team_blocked.apiKey) });
    expect(json(old)['code']).toBe('team_blocked');
    const teams = await db.selectFrom('teams').select('name').execute();
    expect(new Set(teams.map((team) => team.name)).size).toBe(teams.length);
  });
});
