/**
 * OAuth access tokens on the API (RFC 6750): side by side with API keys on the
 * same routes, limited by scope, refused when expired or revoked. The tokens
 * are written to the tables as the token endpoint writes them, so these tests
 * cover the resource server on its own.
 */
import type { ProfileName } from '@faultline/core';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../src/authentication/api-keys.js';
import { buildApp } from '../src/index.js';
import { issueOAuthSecret } from '../src/oauth/oauth-tokens.js';
import { bearer, insertCampaign, json, openWorld, type World } from './support.js';

let world: World;
let app: FastifyInstance;
let clock = Date.parse('2026-11-22T10:00:00.000Z');
let appId: number;
let demoCampaign: number;

beforeAll(async () => {
  world = await openWorld();
  app = await buildApp({ db: world.db, now: () => clock });
  await app.ready();
  const now = new Date(clock).toISOString();
  const row = await world.db
    .insertInto('oauth_apps')
    .values({
      team_id: world.other.teamId,
      client_id: issueOAuthSecret('clientId').value,
      client_secret_hash: hashSecret('unused'),
      name: 'Reporting app',
      client_type: 'confidential',
      redirect_uris: JSON.stringify(['https://app.example/callback']),
      allowed_scopes: 'account:read campaigns:read campaigns:write',
      grant_types: 'authorization_code refresh_token client_credentials',
      approved_at: now,
      created_at: now,
      deleted_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  appId = row.id;
  demoCampaign = await insertCampaign(world.db, world.demo.teamId, 'Demo campaign');
  await insertCampaign(world.db, world.other.teamId, 'Other team campaign');
});

afterAll(async () => {
  await app.close();
  await world.close();
});

/** A grant and an access token, as the token endpoint would store them. */
async function token(options: {
  scope: string;
  userId?: number | null;
  teamId?: number;
  lifetimeMs?: number;
  kind?: 'access' | 'refresh';
}) {
  const now = new Date(clock).toISOString();
  const userId = options.userId === undefined ? world.demo.userId : options.userId;
  const grant = await world.db
    .insertInto('oauth_grants')
    .values({
      app_id: appId,
      user_id: userId,
      team_id: options.teamId ?? world.demo.teamId,
      scope: options.scope,
      created_at: now,
      revoked_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const kind = options.kind ?? 'access';
  const secret = issueOAuthSecret(kind === 'access' ? 'accessToken' : 'refreshToken');
  const row = await world.db
    .insertInto('oauth_tokens')
    .values({
      grant_id: grant.id,
      kind,
      token_hash: secret.hash,
      scope: options.scope,
      expires_at: new Date(clock + (options.lifetimeMs ?? 3_600_000)).toISOString(),
      created_at: now,
      revoked_at: null,
      rotated_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { value: secret.value, grantId: grant.id, tokenId: row.id };
}

/** The challenge of a 403 no token of the same kind could ever avoid: insufficient_scope, no scope to ask for. */
const neverChallenge =
  'Bearer realm="faultline", error="insufficient_scope", error_description="No scope grants this request to an OAuth token."';

const get = (url: string, headers: Record<string, string>) => app.inject({ url, headers });
const post = (url: string, headers: Record<string, string>, body: unknown) =>
  app.inject({ method: 'POST', url, headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(body) });

describe('access tokens beside API keys', () => {
  it('serve the same route, each for its own team', async () => {
    const { value } = await token({ scope: 'campaigns:read' });
    const byToken = await get('/v1/campaigns', bearer(value));
    const byKey = await get('/v1/campaigns', bearer(world.demo.apiKey));
    expect(byToken.statusCode).toBe(200);
    expect(json(byToken)).toEqual(json(byKey));
    const names = (json(byToken)['data'] as { name: string }[]).map((campaign) => campaign.name);
    expect(names).toContain('Demo campaign');
    expect(names).not.toContain('Other team campaign');
  });

  it('client credentials act for the app’s own team, with no user behind them', async () => {
    const { value } = await token({ scope: 'account:read campaigns:read', userId: null, teamId: world.other.teamId });
    const list = await get('/v1/campaigns', bearer(value));
    expect((json(list)['data'] as { name: string }[]).map((campaign) => campaign.name)).toEqual(['Other team campaign']);
    // Whatever its scope, such a token can never read a user: the challenge names no scope to ask for.
    for (const scope of ['account:read campaigns:read', 'campaigns:read']) {
      const { value: each } = await token({ scope, userId: null, teamId: world.other.teamId });
      const me = await get('/v1/me', bearer(each));
      expect(me.statusCode, scope).toBe(403);
      expect(json(me)['code']).toBe('not_authorized');
      expect(json(me)['detail']).toMatch(/client credentials/);
      expect(me.headers['www-authenticate']).toBe(neverChallenge);
    }
  });
});

describe('scope', () => {
  it('answers 403 insufficient_scope naming the scope, in the header and the body', async () => {
    const { value } = await token({ scope: 'campaigns:read' });
    const response = await post('/v1/campaigns', bearer(value), { name: 'Not allowed' });
    expect(response.statusCode).toBe(403);
    expect(response.headers['www-authenticate']).toBe(
      'Bearer realm="faultline", error="insufficient_scope", scope="campaigns:write"',
    );
    expect(json(response)['code']).toBe('insufficient_scope');
    expect(json(response)['detail']).toBe(
      'This request needs the scope "campaigns:write", which the access token does not have. Ask the user to authorize it.',
    );
    const campaigns = await world.db.selectFrom('campaigns').select('name').where('name', '=', 'Not allowed').execute();
    expect(campaigns).toEqual([]);
  });

  it.each([
    ['classic', 'missing_scope'],
    ['oauth', 'insufficient_scope'],
    ['message', 'insufficient_scope'],
  ] as const)('%s profile: the code is %s', async (profile: ProfileName, code) => {
    const profiled = await buildApp({ db: world.db, profile, now: () => clock });
    try {
      const { value } = await token({ scope: 'account:read' });
      const response = await profiled.inject({ url: `/v1/campaigns/${demoCampaign}/recipients`, headers: bearer(value) });
      expect(response.statusCode).toBe(403);
      expect(json(response)[profile === 'oauth' ? 'error' : 'code']).toBe(code);
      expect(response.headers['www-authenticate']).toContain('scope="recipients:read"');
    } finally {
      await profiled.close();
    }
  });

  it('keeps account administration away from OAuth apps, whatever the scope, with an RFC 6750 challenge', async () => {
    const { value } = await token({ scope: 'account:read campaigns:read campaigns:write' });
    for (const [method, url] of [
      ['GET', '/v1/users'],
      ['GET', '/v1/api-keys'],
      ['GET', '/v1/oauth-apps'],
      ['DELETE', '/v1/oauth-apps/1'],
    ] as const) {
      const response = await app.inject({ method, url, headers: bearer(value) });
      expect(response.statusCode, url).toBe(403);
      expect(json(response)['code'], url).toBe('not_authorized');
      expect(response.headers['www-authenticate'], url).toBe(neverChallenge);
    }
  });

  it('says an OAuth token, not an API key, was sent to log out', async () => {
    const { value } = await token({ scope: 'account:read' });
    const response = await app.inject({ method: 'DELETE', url: '/v1/sessions/current', headers: bearer(value) });
    expect(response.statusCode).toBe(400);
    expect(json(response)['detail']).toBe(
      'This request was made with an OAuth access token, not a session token; an app ends its access with POST /oauth/revoke.',
    );
  });

  it('still applies the account states to the user behind the token', async () => {
    const { value } = await token({ scope: 'campaigns:read', userId: world.other.userId, teamId: world.other.teamId });
    await world.db
      .updateTable('teams')
      .set({ blocked_at: new Date(clock).toISOString() })
      .where('id', '=', world.other.teamId)
      .execute();
    try {
      const response = await get('/v1/campaigns', bearer(value));
      expect(json(response)['code']).toBe('team_blocked');
    } finally {
      await world.db.updateTable('teams').set({ blocked_at: null }).where('id', '=', world.other.teamId).execute();
    }
  });
});

describe('invalid tokens: 401 invalid_token with error="invalid_token"', () => {
  const expectInvalid = async (value: string, detail: RegExp) => {
    const response = await get('/v1/campaigns', bearer(value));
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toContain('Bearer realm="faultline", error="invalid_token"');
    expect(json(response)['code']).toBe('invalid_token');
    expect(json(response)['detail']).toMatch(detail);
  };

  it('expired, by the app’s clock', async () => {
    const { value } = await token({ scope: 'campaigns:read', lifetimeMs: 1000 });
    expect((await get('/v1/campaigns', bearer(value))).statusCode).toBe(200);
    clock += 1000;
    await expectInvalid(value, /expired at .* Use your refresh token/);
  });

  it('revoked, itself or through its grant, or its app deleted', async () => {
    const revoked = await token({ scope: 'campaigns:read' });
    await world.db.updateTable('oauth_tokens').set({ revoked_at: 'now' }).where('id', '=', revoked.tokenId).execute();
    await expectInvalid(revoked.value, /revoked/);
    const grantRevoked = await token({ scope: 'campaigns:read' });
    await world.db.updateTable('oauth_grants').set({ revoked_at: 'now' }).where('id', '=', grantRevoked.grantId).execute();
    await expectInvalid(grantRevoked.value, /revoked/);
  });

  it('never issued, or a refresh token sent as an access token', async () => {
    await expectInvalid(`fla_${'x'.repeat(43)}`, /not one this API issued/);
    const refresh = await token({ scope: 'campaigns:read', kind: 'refresh' });
    const response = await get('/v1/campaigns', bearer(refresh.value));
    // A refresh token is not a bearer credential at all, and the answer says what it is.
    expect(response.statusCode).toBe(401);
    expect(json(response)['code']).toBe('invalid_token');
    expect(json(response)['detail']).toBe(
      'This is a refresh token, which the API does not accept: exchange it at POST /oauth/token and send the access token it gives.',
    );
  });
});

describe('where the token is sent', () => {
  it('no credentials: 401 unauthorized_request, and the Bearer challenge has no error attribute', async () => {
    const response = await get('/v1/campaigns', {});
    expect(response.statusCode).toBe(401);
    expect(json(response)['code']).toBe('unauthorized_request');
    expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="faultline", Basic/);
    expect(response.headers['www-authenticate']).not.toContain('error=');
  });

  it('in the header and the query at once: 400 invalid_request', async () => {
    const { value } = await token({ scope: 'campaigns:read' });
    const response = await get(`/v1/campaigns?access_token=${value}`, bearer(value));
    expect(response.statusCode).toBe(400);
    expect(json(response)['code']).toBe('invalid_request');
    expect(json(response)['detail']).toMatch(/sent twice/);
    expect(response.headers['www-authenticate']).toContain('error="invalid_request"');
    expect(response.body).not.toContain(value);
  });

  it('in the query alone: 400 invalid_request, asking for the header', async () => {
    const { value } = await token({ scope: 'campaigns:read' });
    const response = await get(`/v1/campaigns?access_token=${value}`, {});
    expect(response.statusCode).toBe(400);
    expect(json(response)['detail']).toMatch(/Send it as "Authorization: Bearer <token>"/);
  });
});
