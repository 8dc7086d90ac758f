/**
 * Token revocation (RFC 7009): client-authenticated; a refresh token takes its
 * whole grant with it; an unknown token or another client's is a 200 that
 * changes nothing.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';
import { authorize, basic, form, formHeaders, logIn, registerApp, setPassword, type RegisteredApp } from './oauth-support.js';
import { bearer, json, openWorld, type World } from './support.js';

const callback = 'https://client.example/callback';

let world: World;
let app: FastifyInstance;
let client: RegisteredApp;
let otherClient: RegisteredApp;
let loginCookie: string;

const query = (clientId: string) =>
  new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: callback, scope: 'account:read' }).toString();
const asClient = (registered: RegisteredApp) => basic(registered.clientId, registered.clientSecret as string);

function post(url: string, fields: Record<string, string>, headers: Record<string, string>) {
  return app.inject({ method: 'POST', url, headers: { ...formHeaders, ...headers }, payload: form(fields) });
}

async function tokens(registered = client): Promise<{ access: string; refresh: string }> {
  const code = await authorize(app, query(registered.clientId), world.demo.email, loginCookie);
  const body = json(
    await post('/oauth/token', { grant_type: 'authorization_code', code, redirect_uri: callback }, asClient(registered)),
  );
  return { access: body['access_token'] as string, refresh: body['refresh_token'] as string };
}

const meStatus = async (accessToken: string) => (await app.inject({ url: '/v1/me', headers: bearer(accessToken) })).statusCode;
const refreshStatus = async (refreshToken: string, registered = client) =>
  (await post('/oauth/token', { grant_type: 'refresh_token', refresh_token: refreshToken }, asClient(registered))).statusCode;

beforeAll(async () => {
  world = await openWorld();
  app = await buildApp({ db: world.db });
  await app.ready();
  await setPassword(world, world.demo.userId);
  client = await registerApp(app, world.demo.apiKey);
  otherClient = await registerApp(app, world.demo.apiKey, { name: 'Other client' });
  loginCookie = await logIn(app, query(client.clientId), world.demo.email);
});

afterAll(async () => {
  await app.close();
  await world.close();
});

describe('POST /oauth/revoke', () => {
  it('revokes an access token alone: 200, empty, not cached; the refresh token still works', async () => {
    const { access, refresh } = await tokens();
    const response = await post('/oauth/revoke', { token: access }, asClient(client));
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['pragma']).toBe('no-cache');
    expect(await meStatus(access)).toBe(401);
    expect(await refreshStatus(refresh)).toBe(200);
  });

  it('revokes a refresh token with its whole grant, whatever the hint says', async () => {
    const { access, refresh } = await tokens();
    const response = await post('/oauth/revoke', { token: refresh, token_type_hint: 'access_token' }, asClient(client));
    expect(response.statusCode).toBe(200);
    expect(await meStatus(access)).toBe(401);
    expect(await refreshStatus(refresh)).toBe(400);
  });

  it('honours token_type_hint=refresh_token, and ignores an unknown hint', async () => {
    const first = await tokens();
    expect(
      (await post('/oauth/revoke', { token: first.refresh, token_type_hint: 'refresh_token' }, asClient(client))).statusCode,
    ).toBe(200);
    expect(await meStatus(first.access)).toBe(401);
    const second = await tokens();
    expect((await post('/oauth/revoke', { token: second.access, token_type_hint: 'mystery' }, asClient(client))).statusCode).toBe(
      200,
    );
    expect(await meStatus(second.access)).toBe(401);
  });

  it('another client’s token: 200, and nothing happens, the token still works for its owner', async () => {
    const { access, refresh } = await tokens();
    for (const token of [access, refresh]) {
      const response = await post('/oauth/revoke', { token }, asClient(otherClient));
      expect(response.statusCode).toBe(200);
      expect(response.body).toBe('');
    }
    expect(await meStatus(access)).toBe(200);
    expect(await refreshStatus(refresh)).toBe(200);
  });

  it('an unknown or malformed token: 200', async () => {
    for (const token of [`fla_${'C'.repeat(43)}`, 'nonsense', 'x'.repeat(500)]) {
      expect((await post('/oauth/revoke', { token }, asClient(client))).statusCode).toBe(200);
    }
  });

  it('needs client authentication and a token', async () => {
    const { access } = await tokens();
    const anonymous = await post('/oauth/revoke', { token: access }, {});
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Basic realm="faultline", charset="UTF-8"');
    expect(json(anonymous)['error']).toBe('invalid_client');
    const wrong = await post('/oauth/revoke', { token: access }, basic(client.clientId, 'flcs_wrong'));
    expect(wrong.statusCode).toBe(401);
    const missing = await post('/oauth/revoke', {}, asClient(client));
    expect(missing.statusCode).toBe(400);
    expect(json(missing)).toEqual({
      error: 'invalid_request',
      error_description: 'token is missing.',
      error_uri: '/docs/errors#invalid_request',
    });
    expect(await meStatus(access)).toBe(200);
  });
});
