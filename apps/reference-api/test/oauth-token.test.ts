/**
 * The token endpoint (RFC 6749 §3.2, §4.1.3, §4.4, §6, RFC 7636 §4.6, RFC
 * 9700 §4.14): client authentication, the three grants, rotation and replay
 * detection, answered with `Cache-Control: no-store` and RFC 6749 errors.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../src/authentication/api-keys.js';
import { buildApp } from '../src/index.js';
import {
  authorize,
  basic,
  form,
  formHeaders,
  logIn,
  pkcePair,
  registerApp,
  setPassword,
  type RegisteredApp,
} from './oauth-support.js';
import { bearer, json, openWorld, type World } from './support.js';

const callback = 'https://client.example/callback';

let world: World;
let app: FastifyInstance;
let clock = Date.parse('2026-11-22T10:00:00.000Z');
let client: RegisteredApp;
let otherClient: RegisteredApp;
let publicClient: RegisteredApp;
let machine: RegisteredApp;
let loginCookie: string;

function authorizationQuery(clientId: string, extra: Record<string, string> = {}): string {
  return new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: callback,
    scope: 'account:read campaigns:read',
    state: 'st',
    ...extra,
  }).toString();
}

async function codeFor(registered: RegisteredApp, challenge?: string): Promise<string> {
  const extra = challenge === undefined ? {} : { code_challenge: challenge, code_challenge_method: 'S256' };
  return authorize(app, authorizationQuery(registered.clientId, extra), world.demo.email, loginCookie);
}

function token(fields: Record<string, string>, headers: Record<string, string> = {}, target = app) {
  return target.inject({ method: 'POST', url: '/oauth/token', headers: { ...formHeaders, ...headers }, payload: form(fields) });
}

const asClient = (registered: RegisteredApp) => basic(registered.clientId, registered.clientSecret as string);

function expectError(response: LightMyRequestResponse, status: number, error: string, description: string): void {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toBe('application/json');
  expect(response.headers['cache-control']).toBe('no-store');
  expect(response.headers['pragma']).toBe('no-cache');
  expect(json(response)).toEqual({ error, error_description: description, error_uri: `/docs/errors#${error}` });
}

async function tokenRow(value: string) {
  return world.db.selectFrom('oauth_tokens').selectAll().where('token_hash', '=', hashSecret(value)).executeTakeFirstOrThrow();
}

beforeAll(async () => {
  world = await openWorld();
  app = await buildApp({ db: world.db, now: () => clock });
  await app.ready();
  await setPassword(world, world.demo.userId);
  client = await registerApp(app, world.demo.apiKey);
  otherClient = await registerApp(app, world.demo.apiKey, { name: 'Other client' });
  publicClient = await registerApp(app, world.demo.apiKey, { name: 'SPA', client_type: 'public' });
  machine = await registerApp(app, world.demo.apiKey, {
    name: 'Machine',
    grant_types: ['client_credentials'],
    allowed_scopes: ['campaigns:read', 'campaigns:write'],
  });
  loginCookie = await logIn(app, authorizationQuery(client.clientId), world.demo.email);
});

afterAll(async () => {
  await app.close();
  await world.close();
});

describe('the authorization code grant', () => {
  it('exchanges a code with PKCE for tokens that work on the API (client_secret_basic)', async () => {
    const { verifier, challenge } = pkcePair();
    const code = await codeFor(client, challenge);
    const response = await token(
      { grant_type: 'authorization_code', code, redirect_uri: callback, code_verifier: verifier },
      asClient(client),
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['pragma']).toBe('no-cache');
    const body = json(response);
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'account:read campaigns:read' });
    expect(body['access_token']).toMatch(/^fla_[A-Za-z0-9_-]{43}$/);
    expect(body['refresh_token']).toMatch(/^flr_[A-Za-z0-9_-]{43}$/);
    const me = await app.inject({ url: '/v1/me', headers: bearer(body['access_token'] as string) });
    expect(me.statusCode).toBe(200);
    expect((json(me)['user'] as Record<string, unknown>)['email']).toBe(world.demo.email);
  });

  it('accepts client_secret_post, and a public client with client_id alone and PKCE', async () => {
    const code = await codeFor(client);
    const post = await token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: callback,
      client_id: client.clientId,
      client_secret: client.clientSecret as string,
    });
    expect(post.statusCode).toBe(200);
    const { verifier, challenge } = pkcePair();
    const publicCode = await codeFor(publicClient, challenge);
    const response = await token({
      grant_type: 'authorization_code',
      code: publicCode,
      redirect_uri: callback,
      client_id: publicClient.clientId,
      code_verifier: verifier,
    });
    expect(response.statusCode).toBe(200);
  });

  it('a replayed code is invalid_grant, and every token issued from it is revoked', async () => {
    const code = await codeFor(client);
    const fields = { grant_type: 'authorization_code', code, redirect_uri: callback };
    const first = json(await token(fields, asClient(client)));
    const accessToken = first['access_token'] as string;
    expect((await app.inject({ url: '/v1/me', headers: bearer(accessToken) })).statusCode).toBe(200);
    const replay = await token(fields, asClient(client));
    expectError(replay, 400, 'invalid_grant', 'The code was already used; every token issued from it is now revoked.');
    expect((await tokenRow(accessToken)).revoked_at).not.toBeNull();
    expect((await tokenRow(first['refresh_token'] as string)).revoked_at).not.toBeNull();
    const grant = await world.db
      .selectFrom('oauth_grants')
      .select('revoked_at')
      .where('id', '=', (await tokenRow(accessToken)).grant_id)
      .executeTakeFirstOrThrow();
    expect(grant.revoked_at).not.toBeNull();
    const me = await app.inject({ url: '/v1/me', headers: bearer(accessToken) });
    expect(me.statusCode).toBe(401);
    const refreshed = await token(
      { grant_type: 'refresh_token', refresh_token: first['refresh_token'] as string },
      asClient(client),
    );
    expectError(refreshed, 400, 'invalid_grant', 'The refresh token was revoked.');
  });

  it('an expired code is invalid_grant (60 seconds)', async () => {
    const code = await codeFor(client);
    clock += 60_000;
    try {
      const response = await token({ grant_type: 'authorization_code', code, redirect_uri: callback }, asClient(client));
      expectError(response, 400, 'invalid_grant', 'The code expired; start the authorization again.');
    } finally {
      clock -= 60_000;
    }
  });

  it('a code presented by another client is invalid_grant, and stays usable by its own client', async () => {
    const code = await codeFor(client);
    const fields = { grant_type: 'authorization_code', code, redirect_uri: callback };
    const stolen = await token(fields, asClient(otherClient));
    expectError(stolen, 400, 'invalid_grant', 'The code is not one this server issued to this client.');
    expect((await token(fields, asClient(client))).statusCode).toBe(200);
  });

  it('a wrong redirect_uri, a wrong verifier, a missing verifier and a verifier without a challenge are invalid_grant', async () => {
    const { verifier, challenge } = pkcePair();
    const code = await codeFor(client, challenge);
    const base = { grant_type: 'authorization_code', code, redirect_uri: callback };
    expectError(
      await token({ ...base, redirect_uri: `${callback}/`, code_verifier: verifier }, asClient(client)),
      400,
      'invalid_grant',
      'redirect_uri is not the one the authorization request used.',
    );
    expectError(
      await token({ ...base, code_verifier: pkcePair().verifier }, asClient(client)),
      400,
      'invalid_grant',
      'code_verifier does not match the code_challenge.',
    );
    expectError(
      await token(base, asClient(client)),
      400,
      'invalid_grant',
      'code_verifier is missing; the authorization request had a code_challenge.',
    );
    // None of these used the code up.
    expect((await token({ ...base, code_verifier: verifier }, asClient(client))).statusCode).toBe(200);

    const plainCode = await codeFor(client);
    expectError(
      await token({ ...base, code: plainCode, code_verifier: verifier }, asClient(client)),
      400,
      'invalid_grant',
      'code_verifier is sent, but the authorization request had no code_challenge.',
    );
  });

  it('a code this server never issued, a missing code or redirect_uri', async () => {
    expectError(
      await token({ grant_type: 'authorization_code', code: `flc_${'A'.repeat(43)}`, redirect_uri: callback }, asClient(client)),
      400,
      'invalid_grant',
      'The code is not one this server issued to this client.',
    );
    expectError(
      await token({ grant_type: 'authorization_code', redirect_uri: callback }, asClient(client)),
      400,
      'invalid_request',
      'code is missing.',
    );
    expectError(
      await token({ grant_type: 'authorization_code', code: 'flc_x' }, asClient(client)),
      400,
      'invalid_request',
      'redirect_uri is missing; send the one the authorization request used.',
    );
  });
});

describe('client authentication', () => {
  it('a wrong secret by Basic: 401 invalid_client with a Basic challenge', async () => {
    const response = await token({ grant_type: 'client_credentials' }, basic(machine.clientId, 'flcs_wrong'));
    expectError(response, 401, 'invalid_client', 'No OAuth client has this client_id, or the secret is wrong.');
    expect(response.headers['www-authenticate']).toBe('Basic realm="faultline", charset="UTF-8"');
  });

  it('an unknown client in the body, or none at all: 401 invalid_client, also with the Basic challenge', async () => {
    const unknown = await token({ grant_type: 'client_credentials', client_id: 'app_nobodynobody00', client_secret: 'x' });
    expectError(unknown, 401, 'invalid_client', 'No OAuth client has this client_id, or the secret is wrong.');
    expect(unknown.headers['www-authenticate']).toBe('Basic realm="faultline", charset="UTF-8"');
    const none = await token({ grant_type: 'client_credentials' });
    expectError(
      none,
      401,
      'invalid_client',
      'No client authentication: send HTTP Basic credentials, or client_id (and client_secret).',
    );
  });

  it('a confidential client without its secret, and a public client with one, are invalid_client', async () => {
    expectError(
      await token({ grant_type: 'client_credentials', client_id: machine.clientId }),
      401,
      'invalid_client',
      'No OAuth client has this client_id, or the secret is wrong.',
    );
    expectError(
      await token({ grant_type: 'authorization_code', client_id: publicClient.clientId, client_secret: 'flcs_guess' }),
      401,
      'invalid_client',
      'This is a public client, which has no secret; send client_id alone.',
    );
  });

  it('both Basic and client_secret in the body: invalid_request', async () => {
    const response = await token(
      { grant_type: 'client_credentials', client_secret: machine.clientSecret as string },
      asClient(machine),
    );
    expectError(
      response,
      400,
      'invalid_request',
      'The client authenticated twice, by HTTP Basic and by client_secret in the body; use one method.',
    );
  });
});

describe('grant types and request format', () => {
  it('unsupported_grant_type, unauthorized_client, a missing grant_type, a repeated parameter', async () => {
    expectError(
      await token({ grant_type: 'password', username: 'a', password: 'b' }, asClient(client)),
      400,
      'unsupported_grant_type',
      "grant_type 'password' is not supported; use authorization_code, refresh_token or client_credentials.",
    );
    expectError(
      await token({ grant_type: 'client_credentials' }, asClient(client)),
      400,
      'unauthorized_client',
      'This app may not use the client_credentials grant.',
    );
    expectError(await token({}, asClient(client)), 400, 'invalid_request', 'grant_type is missing.');
    const repeated = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { ...formHeaders, ...asClient(machine) },
      payload: 'grant_type=client_credentials&grant_type=client_credentials',
    });
    expectError(repeated, 400, 'invalid_request', 'grant_type must not be sent more than once.');
  });

  it('a JSON body is invalid_request: the token endpoint reads forms only', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/json', ...asClient(machine) },
      payload: JSON.stringify({ grant_type: 'client_credentials' }),
    });
    expectError(
      response,
      400,
      'invalid_request',
      "The body must be sent as application/x-www-form-urlencoded, not 'application/json'.",
    );
  });
});

describe('the refresh token grant', () => {
  async function tokensFor(scope = 'account:read campaigns:read') {
    const code = await authorize(app, authorizationQuery(client.clientId, { scope }), world.demo.email, loginCookie);
    return json(await token({ grant_type: 'authorization_code', code, redirect_uri: callback }, asClient(client)));
  }

  it('rotates: a new refresh token each time, the old one marked rotated', async () => {
    const first = await tokensFor();
    const response = await token(
      { grant_type: 'refresh_token', refresh_token: first['refresh_token'] as string },
      asClient(client),
    );
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const second = json(response);
    expect(second['refresh_token']).not.toBe(first['refresh_token']);
    expect(second['scope']).toBe('account:read campaigns:read');
    expect((await tokenRow(first['refresh_token'] as string)).rotated_at).not.toBeNull();
    expect((await tokenRow(second['refresh_token'] as string)).rotated_at).toBeNull();
  });

  it('more scope than granted is invalid_scope; less narrows the access token only', async () => {
    const first = await tokensFor();
    const refreshToken = first['refresh_token'] as string;
    expectError(
      await token(
        { grant_type: 'refresh_token', refresh_token: refreshToken, scope: 'account:read campaigns:write' },
        asClient(client),
      ),
      400,
      'invalid_scope',
      'The refresh token was not granted: campaigns:write. Ask for at most: account:read campaigns:read.',
    );
    const narrower = await token(
      { grant_type: 'refresh_token', refresh_token: refreshToken, scope: 'campaigns:read' },
      asClient(client),
    );
    expect(narrower.statusCode).toBe(200);
    const body = json(narrower);
    expect(body['scope']).toBe('campaigns:read');
    expect((await tokenRow(body['access_token'] as string)).scope).toBe('campaigns:read');
    expect((await tokenRow(body['refresh_token'] as string)).scope).toBe('account:read campaigns:read');
    const me = await app.inject({ url: '/v1/me', headers: bearer(body['access_token'] as string) });
    expect(me.statusCode).toBe(403);
    // The next refresh, without scope, gets the whole grant back.
    const again = json(
      await token({ grant_type: 'refresh_token', refresh_token: body['refresh_token'] as string }, asClient(client)),
    );
    expect(again['scope']).toBe('account:read campaigns:read');
  });

  it('a rotated refresh token used again revokes the whole grant', async () => {
    const first = await tokensFor();
    const second = json(
      await token({ grant_type: 'refresh_token', refresh_token: first['refresh_token'] as string }, asClient(client)),
    );
    const reuse = await token({ grant_type: 'refresh_token', refresh_token: first['refresh_token'] as string }, asClient(client));
    expectError(reuse, 400, 'invalid_grant', 'The refresh token was already used; the whole authorization is now revoked.');
    const grantId = (await tokenRow(first['refresh_token'] as string)).grant_id;
    const rows = await world.db
      .selectFrom('oauth_tokens')
      .select(['kind', 'revoked_at'])
      .where('grant_id', '=', grantId)
      .execute();
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row.revoked_at).not.toBeNull();
    for (const accessToken of [first['access_token'], second['access_token']] as string[]) {
      expect((await app.inject({ url: '/v1/me', headers: bearer(accessToken) })).statusCode).toBe(401);
    }
    expectError(
      await token({ grant_type: 'refresh_token', refresh_token: second['refresh_token'] as string }, asClient(client)),
      400,
      'invalid_grant',
      'The refresh token was revoked.',
    );
  });

  it('another client’s refresh token, an unknown one, an expired one: invalid_grant', async () => {
    const first = await tokensFor();
    const refreshToken = first['refresh_token'] as string;
    expectError(
      await token({ grant_type: 'refresh_token', refresh_token: refreshToken }, asClient(otherClient)),
      400,
      'invalid_grant',
      'The refresh token is not one this server issued to this client.',
    );
    expectError(
      await token({ grant_type: 'refresh_token', refresh_token: `flr_${'B'.repeat(43)}` }, asClient(client)),
      400,
      'invalid_grant',
      'The refresh token is not one this server issued to this client.',
    );
    clock += 30 * 24 * 60 * 60 * 1000;
    try {
      expectError(
        await token({ grant_type: 'refresh_token', refresh_token: refreshToken }, asClient(client)),
        400,
        'invalid_grant',
        'The refresh token expired; start the authorization again.',
      );
    } finally {
      clock -= 30 * 24 * 60 * 60 * 1000;
    }
  });
});

describe('the client credentials grant', () => {
  it('gives a confidential app a token for its own team, with no user and no refresh token', async () => {
    const response = await token({ grant_type: 'client_credentials', scope: 'campaigns:read' }, asClient(machine));
    expect(response.statusCode).toBe(200);
    const body = json(response);
    expect(Object.keys(body).sort()).toEqual(['access_token', 'expires_in', 'scope', 'token_type']);
    expect(body['scope']).toBe('campaigns:read');
    const row = await tokenRow(body['access_token'] as string);
    const grant = await world.db.selectFrom('oauth_grants').selectAll().where('id', '=', row.grant_id).executeTakeFirstOrThrow();
    expect(grant).toMatchObject({ user_id: null, team_id: world.demo.teamId, app_id: machine.id, scope: 'campaigns:read' });
    const campaigns = await app.inject({ url: '/v1/campaigns', headers: bearer(body['access_token'] as string) });
    expect(campaigns.statusCode).toBe(200);
  });

  it('defaults to every scope the app may ask for, and refuses one it may not', async () => {
    const all = json(await token({ grant_type: 'client_credentials' }, asClient(machine)));
    expect(all['scope']).toBe('campaigns:read campaigns:write');
    expectError(
      await token({ grant_type: 'client_credentials', scope: 'recipients:read' }, asClient(machine)),
      400,
      'invalid_scope',
      'This app may not ask for: recipients:read.',
    );
    expectError(
      await token({ grant_type: 'client_credentials', scope: 'everything' }, asClient(machine)),
      400,
      'invalid_scope',
      'Unknown scope: everything.',
    );
  });
});

describe('server_error', () => {
  it('a failure during the exchange is 500 server_error with no detail, and the code is not used up', async () => {
    const broken = await openWorld();
    const brokenApp = await buildApp({ db: broken.db });
    try {
      await setPassword(broken, broken.demo.userId);
      const brokenClient = await registerApp(brokenApp, broken.demo.apiKey);
      const query = authorizationQuery(brokenClient.clientId);
      const code = await authorize(brokenApp, query, broken.demo.email);
      await sql`drop table oauth_tokens`.execute(broken.db);
      const response = await token(
        { grant_type: 'authorization_code', code, redirect_uri: callback },
        asClient(brokenClient),
        brokenApp,
      );
      const requestId = response.headers['x-request-id'] as string;
      expectError(
        response,
        500,
        'server_error',
        `Something went wrong on our side. If it persists, contact support and quote request id ${requestId}.`,
      );
      expect(response.body).not.toMatch(/oauth_tokens|table|sql/i);
      const stored = await broken.db.selectFrom('oauth_codes').select('used_at').executeTakeFirstOrThrow();
      expect(stored.used_at).toBeNull();
    } finally {
      await brokenApp.close();
      await broken.close();
    }
  });
});
