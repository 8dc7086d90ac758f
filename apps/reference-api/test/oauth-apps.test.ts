/** `/v1/oauth-apps`: team administrators register, list and delete OAuth apps. */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../src/authentication/api-keys.js';
import { bearer, json, openWorld, type World } from './support.js';
import { basic, form, formHeaders } from './oauth-support.js';

let world: World;
let app: FastifyInstance;

const valid = {
  name: 'Reporting',
  client_type: 'confidential',
  redirect_uris: ['https://client.example/callback', 'http://localhost:8080/cb', 'http://127.0.0.1/cb?x=1'],
  allowed_scopes: ['account:read', 'campaigns:read'],
  grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
};

const create = (body: unknown, key = world.demo.apiKey) =>
  app.inject({ method: 'POST', url: '/v1/oauth-apps', headers: bearer(key), payload: body as Record<string, unknown> });

beforeAll(async () => {
  world = await openWorld();
  app = await world.app();
});

afterAll(async () => {
  await world.close();
});

describe('/v1/oauth-apps', () => {
  it('registers a confidential app: the secret is shown once, only its hash is stored', async () => {
    const response = await create(valid);
    expect(response.statusCode).toBe(201);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = json(response);
    expect(body).toEqual({
      id: expect.any(Number),
      client_id: expect.stringMatching(/^app_[A-Za-z0-9_-]{16}$/),
      client_secret: expect.stringMatching(/^flcs_[A-Za-z0-9_-]{43}$/),
      name: 'Reporting',
      client_type: 'confidential',
      redirect_uris: valid.redirect_uris,
      allowed_scopes: valid.allowed_scopes,
      grant_types: valid.grant_types,
      approved_at: null,
      created_at: expect.any(String),
    });
    const row = await world.db
      .selectFrom('oauth_apps')
      .selectAll()
      .where('id', '=', body['id'] as number)
      .executeTakeFirstOrThrow();
    expect(row.client_secret_hash).toBe(hashSecret(body['client_secret'] as string));
    expect(row.team_id).toBe(world.demo.teamId);
    const list = json(await app.inject({ url: '/v1/oauth-apps', headers: bearer(world.demo.apiKey) }));
    const listed = (list['data'] as Record<string, unknown>[]).find((each) => each['id'] === body['id']);
    expect(listed).toBeDefined();
    expect(listed).not.toHaveProperty('client_secret');
  });

  it('registers a public app without a secret', async () => {
    const response = await create({ ...valid, client_type: 'public', grant_types: ['authorization_code'] });
    expect(response.statusCode).toBe(201);
    expect(json(response)).not.toHaveProperty('client_secret');
  });

  it.each([
    ['http to another host', 'http://client.example/callback'],
    ['a fragment', 'https://client.example/callback#x'],
    ['a relative URI', '/callback'],
    ['another scheme', 'ftp://client.example/callback'],
    ['user information', 'https://user:pass@client.example/callback'],
  ])('refuses a redirect URI with %s', async (_name, uri) => {
    const response = await create({ ...valid, redirect_uris: ['https://client.example/ok', uri] });
    expect(response.statusCode).toBe(400);
    const body = json(response);
    expect(body['code']).toBe('invalid_parameter');
    expect(body['errors']).toEqual([expect.objectContaining({ pointer: '/redirect_uris/1', code: 'invalid_parameter' })]);
  });

  it('refuses no or too many redirect URIs, an unknown scope, an unknown grant type, client_credentials for a public app', async () => {
    const uris = Array.from({ length: 11 }, (_, index) => `https://client.example/${index}`);
    for (const body of [
      { ...valid, redirect_uris: [] },
      { ...valid, redirect_uris: uris },
      { ...valid, allowed_scopes: ['admin:all'] },
      { ...valid, grant_types: ['password'] },
      { ...valid, client_type: 'public' },
    ]) {
      const response = await create(body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(json(response)['code']).toBe('invalid_parameter');
    }
  });

  it('refuses account:read to an app without the authorization code grant, which never acts for a user', async () => {
    const response = await create({
      ...valid,
      allowed_scopes: ['campaigns:read', 'account:read'],
      grant_types: ['client_credentials'],
    });
    expect(response.statusCode).toBe(400);
    expect(json(response)['code']).toBe('invalid_parameter');
    expect(json(response)['errors']).toEqual([
      {
        pointer: '/allowed_scopes/1',
        location: 'body',
        code: 'invalid_parameter',
        detail: 'account:read is about the user who authorizes the app, and without authorization_code no user ever does',
      },
    ]);
    const both = await create({
      ...valid,
      allowed_scopes: ['account:read'],
      grant_types: ['authorization_code', 'client_credentials'],
    });
    expect(both.statusCode).toBe(201);
  });

  it('is for team administrators only', async () => {
    const now = new Date().toISOString();
    const member = await world.db
      .insertInto('users')
      .values({ team_id: world.demo.teamId, email: 'member@oauth-apps.example', name: 'M', role: 'member', created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const key = json(
      await app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: bearer(world.demo.apiKey),
        payload: { label: 'member', user_id: member.id },
      }),
    )['key'] as string;
    for (const [method, url] of [
      ['GET', '/v1/oauth-apps'],
      ['POST', '/v1/oauth-apps'],
      ['DELETE', '/v1/oauth-apps/1'],
    ] as const) {
      const response = await app.inject({ method, url, headers: bearer(key), ...(method === 'POST' ? { payload: valid } : {}) });
      expect(response.statusCode, `${method} ${url}`).toBe(403);
      expect(json(response)['code']).toBe('user_not_admin');
    }
  });

  it('deletes an app of the team: its tokens are revoked, its client id stops working; another team’s app is not found', async () => {
    const created = json(await create(valid));
    const clientAuth = basic(created['client_id'] as string, created['client_secret'] as string);
    const issued = json(
      await app.inject({
        method: 'POST',
        url: '/oauth/token',
        headers: { ...formHeaders, ...clientAuth },
        payload: form({ grant_type: 'client_credentials', scope: 'campaigns:read' }),
      }),
    );
    const accessToken = issued['access_token'] as string;
    expect((await app.inject({ url: '/v1/campaigns', headers: bearer(accessToken) })).statusCode).toBe(200);

    const foreign = await app.inject({
      method: 'DELETE',
      url: `/v1/oauth-apps/${created['id'] as number}`,
      headers: bearer(world.other.apiKey),
    });
    expect(foreign.statusCode).toBe(404);
    expect(json(foreign)['code']).toBe('not_found');

    const deleted = await app.inject({
      method: 'DELETE',
      url: `/v1/oauth-apps/${created['id'] as number}`,
      headers: bearer(world.demo.apiKey),
    });
    expect(deleted.statusCode).toBe(204);
    expect((await app.inject({ url: '/v1/campaigns', headers: bearer(accessToken) })).statusCode).toBe(401);
    const again = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { ...formHeaders, ...clientAuth },
      payload: form({ grant_type: 'client_credentials' }),
    });
    expect(again.statusCode).toBe(401);
    expect(json(again)['error']).toBe('invalid_client');
    const list = json(await app.inject({ url: '/v1/oauth-apps', headers: bearer(world.demo.apiKey) }));
    expect((list['data'] as Record<string, unknown>[]).map((each) => each['id'])).not.toContain(created['id']);
    const twice = await app.inject({
      method: 'DELETE',
      url: `/v1/oauth-apps/${created['id'] as number}`,
      headers: bearer(world.demo.apiKey),
    });
    expect(twice.statusCode).toBe(404);
  });
});
