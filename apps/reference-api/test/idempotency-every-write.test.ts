/**
 * Every POST and PATCH under /v1 records its answer for an `Idempotency-Key`.
 * The operations are read from the app's own OpenAPI document, so a new write
 * route is met here without anyone listing it: it fails until it has a
 * recipe below (a request that succeeds), and then must replay like the rest.
 * For each: a keyed request that succeeds changes the database; the same
 * request again is answered `Idempotent-Replayed: true` with the same status
 * and body, and leaves every table as it was (the work ran once).
 * On SQLite and on PostgreSQL (the `postgres` project).
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertCampaign, openWorld, type World } from './support.js';

interface Operation {
  readonly method: 'POST' | 'PATCH';
  /** As the document writes it, e.g. `/v1/campaigns/{id}`. */
  readonly path: string;
  readonly successes: readonly string[];
}

/** A request of one operation that succeeds, made after whatever it needs exists. */
interface Recipe {
  /** The URL with its parameters filled in. */
  readonly url: string;
  readonly body?: Record<string, unknown>;
  /** Whose credential: the demo key by default; `none` for the public login. */
  readonly auth?: 'none';
}

const password = 'correct horse battery staple';

let world: World;
let app: FastifyInstance;
let operations: Operation[];
let sessionEmail: string;

/** One recipe per write operation; `unique` keeps the bodies of separate runs apart (emails, names). */
const recipes: Record<string, (unique: string) => Promise<Recipe>> = {
  'POST /v1/sessions': async () => ({ url: '/v1/sessions', body: { email: sessionEmail, password }, auth: 'none' }),
  'POST /v1/users': async (unique) => ({
    url: '/v1/users',
    body: { email: `every-write-${unique}@example.com`, name: 'Every write', role: 'member' },
  }),
  'PATCH /v1/users/{id}': async (unique) => ({ url: `/v1/users/${await newUser(unique)}`, body: { name: 'Renamed once' } }),
  'POST /v1/api-keys': async () => ({ url: '/v1/api-keys', body: { label: 'Every write key' } }),
  'POST /v1/campaigns': async () => ({ url: '/v1/campaigns', body: { name: 'Every write campaign' } }),
  'PATCH /v1/campaigns/{id}': async () => ({
    url: `/v1/campaigns/${await insertCampaign(world.db, world.demo.teamId, 'Before')}`,
    body: { name: 'After' },
  }),
  'POST /v1/campaigns/{id}/pause': async () => ({
    url: `/v1/campaigns/${await insertCampaign(world.db, world.demo.teamId, 'Running', 'active')}/pause`,
  }),
  'POST /v1/campaigns/{id}/resume': async () => ({
    url: `/v1/campaigns/${await insertCampaign(world.db, world.demo.teamId, 'Paused', 'paused')}/resume`,
  }),
  'POST /v1/campaigns/{id}/recipients': async (unique) => ({
    url: `/v1/campaigns/${await insertCampaign(world.db, world.demo.teamId, 'With recipients')}/recipients`,
    body: { recipients: [{ email: `a-${unique}@example.com` }, { email: `b-${unique}@example.com` }] },
  }),
  'POST /v1/oauth-apps': async () => ({
    url: '/v1/oauth-apps',
    body: {
      name: 'Every write app',
      client_type: 'confidential',
      redirect_uris: ['https://client.example/callback'],
      allowed_scopes: ['campaigns:read'],
      grant_types: ['authorization_code'],
    },
  }),
};

async function newUser(unique: string): Promise<number> {
  const created = await send('POST', {
    url: '/v1/users',
    body: { email: `renamed-${unique}@example.com`, name: 'To rename', role: 'member' },
  });
  expect(created.statusCode, created.body).toBe(201);
  return (JSON.parse(created.body) as { id: number }).id;
}

function send(method: string, recipe: Recipe, key?: string): Promise<LightMyRequestResponse> {
  return app.inject({
    method: method as 'POST',
    url: recipe.url,
    headers: {
      ...(recipe.auth === 'none' ? {} : { authorization: `Bearer ${world.demo.apiKey}` }),
      ...(recipe.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(key === undefined ? {} : { 'idempotency-key': key }),
    },
    ...(recipe.body === undefined ? {} : { payload: JSON.stringify(recipe.body) }),
  });
}

let plainRecords = 0;

/** The stored answers of every idempotency record. */
async function recordAnswers(): Promise<string[]> {
  const rows = await world.db.selectFrom('idempotency_records').select('answer').execute();
  return rows.map((row) => row.answer ?? '');
}

/** String values of an answer's members that hold a secret shown once: `key`, `token`, `client_secret`, passwords. */
function secretsIn(value: unknown, name = ''): string[] {
  if (typeof value === 'string') return /^key$|token|secret|password/i.test(name) && value.length >= 8 ? [value] : [];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([member, inner]) => secretsIn(inner, Array.isArray(value) ? name : member));
}

/** Every row of every table but the idempotency records themselves, in one comparable text. */
async function everyRow(): Promise<string> {
  const tables = (await world.db.introspection.getTables())
    .map((table) => table.name)
    .filter((name) => name !== 'idempotency_records')
    .sort();
  const contents: Record<string, unknown[]> = {};
  for (const name of tables) {
    const rows = await world.db
      .selectFrom(name as 'teams')
      .selectAll()
      .execute();
    contents[name] = rows.map((row) => JSON.stringify(row)).sort();
  }
  return JSON.stringify(contents);
}

beforeAll(async () => {
  world = await openWorld();
  app = await world.app();
  const document = JSON.parse((await app.inject({ url: '/openapi.json' })).body) as {
    paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  };
  operations = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => (method === 'post' || method === 'patch') && path.startsWith('/v1/'))
      .map(([method, operation]) => ({
        method: method.toUpperCase() as 'POST' | 'PATCH',
        path,
        successes: Object.keys(operation.responses).filter((status) => status.startsWith('2')),
      })),
  );
  sessionEmail = `every-write-session-${Date.now()}@example.com`;
  const user = await send('POST', { url: '/v1/users', body: { email: sessionEmail, name: 'Logs in', role: 'member', password } });
  expect(user.statusCode, user.body).toBe(201);
});

afterAll(async () => {
  await world?.close();
});

describe('every POST and PATCH under /v1, as the OpenAPI document lists them', () => {
  it('are found, and each has a recipe here (a new write route fails this until it has one)', () => {
    expect(operations.length).toBeGreaterThanOrEqual(10);
    const missing = operations.map(({ method, path }) => `${method} ${path}`).filter((name) => !(name in recipes));
    expect(missing, 'write operations without a recipe in idempotency-every-write.test.ts').toEqual([]);
  });

  it('each records its answer: the replay is marked, answers the same, and the work ran once', async () => {
    expect(operations.length).toBeGreaterThan(0);
    for (const [index, { method, path, successes }] of operations.entries()) {
      const name = `${method} ${path}`;
      const recipe = await (recipes[name] as (unique: string) => Promise<Recipe>)(`${index}-${Date.now()}`);
      const key = `every-write-${index}-${Date.now()}`;
      const before = await everyRow();
      const recordsBefore = new Set(await recordAnswers());
      const first = await send(method, recipe, key);
      expect(successes, `${name}: ${first.statusCode} ${first.body}`).toContain(String(first.statusCode));
      expect(first.headers['idempotent-replayed'], name).toBeUndefined();
      const afterFirst = await everyRow();
      expect(afterFirst, `${name} changed nothing: the recipe does not exercise its work`).not.toBe(before);
      const [record, ...more] = (await recordAnswers()).filter((answer) => !recordsBefore.has(answer));
      expect(more, `${name} wrote more than one record`).toEqual([]);
      // A secret the answer shows once (a new key, a token, a client secret) is never readable in the records.
      const secrets = secretsIn(JSON.parse(first.body) as unknown);
      for (const secret of secrets) expect(record, `${name}: its record shows the secret`).not.toContain(secret);
      if (secrets.length > 0) expect(record?.startsWith('{'), `${name}: its answer holds a secret, so it is sealed`).toBe(false);
      else plainRecords += record?.startsWith('{') === true ? 1 : 0;

      const again = await send(method, recipe, key);
      expect(again.statusCode, `${name} replay: ${again.body}`).toBe(first.statusCode);
      expect(again.headers['idempotent-replayed'], name).toBe('true');
      expect(again.body, name).toBe(first.body);
      for (const header of ['content-type', 'location', 'etag'])
        expect(again.headers[header], `${name} ${header}`).toBe(first.headers[header]);
      expect(await everyRow(), `${name}: the replay changed the database`).toBe(afterFirst);
    }
    // Answers without secrets are stored plain, which costs less than sealing: at least the campaign routes.
    expect(plainRecords).toBeGreaterThanOrEqual(5);
  });
});

describe('expired records', () => {
  it('are swept from the table by a request with a key (write routes claim in their transaction, not in a store)', async () => {
    // A world of its own: its database has never been swept, so the first keyed request sweeps it.
    const fresh = await openWorld();
    try {
      const old = Date.now() - 1000;
      for (const [id, expiresAt] of [
        ['expired-answer', old],
        ['live-answer', Date.now() + 60_000],
      ] as const)
        await fresh.db
          .insertInto('idempotency_records')
          .values({ id, fingerprint: 'f', state: 'done', token: 't', expires_at: expiresAt, answer: '' })
          .execute();
      const sweeper = await fresh.app();
      const created = await sweeper.inject({
        method: 'POST',
        url: '/v1/campaigns',
        headers: {
          authorization: `Bearer ${fresh.demo.apiKey}`,
          'content-type': 'application/json',
          'idempotency-key': 'sweeps',
        },
        payload: JSON.stringify({ name: 'Sweeps' }),
      });
      expect(created.statusCode).toBe(201);
      const ids = async () =>
        (await fresh.db.selectFrom('idempotency_records').select('id').execute()).map((row) => row.id).sort();
      // The sweep runs beside the request, not before its answer: wait for it, within a bound.
      const deadline = Date.now() + 10_000;
      while ((await ids()).includes('expired-answer') && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      const left = await ids();
      expect(left).not.toContain('expired-answer');
      expect(left).toContain('live-answer');
      expect(left).toHaveLength(2);
    } finally {
      await fresh.close();
    }
  });
});
