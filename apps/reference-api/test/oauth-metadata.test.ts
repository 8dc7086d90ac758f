/**
 * RFC 8414 authorization server metadata: what it says is what the endpoints do
 * (the certified client test then configures itself from it alone).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';
import { knownScopes } from '../src/oauth/scopes.js';
import { json, openWorld, type World } from './support.js';
import { basic, form, formHeaders, registerApp } from './oauth-support.js';

let world: World;
let app: FastifyInstance;
const issuer = 'https://api.example.com';

beforeAll(async () => {
  world = await openWorld();
  // A trailing slash in PUBLIC_URL is not part of the issuer identifier.
  app = await buildApp({ db: world.db, issuer: `${issuer}/` });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await world.close();
});

describe('GET /.well-known/oauth-authorization-server', () => {
  it('describes the server: issuer, endpoints, grants, PKCE, client authentication, scopes and iss', async () => {
    const response = await app.inject({ url: '/.well-known/oauth-authorization-server' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json(response)).toEqual({
      issuer,
      authorization_endpoint: `${issuer}/oauth/authorize`,
      token_endpoint: `${issuer}/oauth/token`,
      revocation_endpoint: `${issuer}/oauth/revoke`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      scopes_supported: knownScopes,
      authorization_response_iss_parameter_supported: true,
      service_documentation: `${issuer}/docs`,
    });
    const head = await app.inject({ method: 'HEAD', url: '/.well-known/oauth-authorization-server' });
    expect(head.statusCode).toBe(200);
  });

  it('names endpoints that answer as it says: each client authentication method works at the token endpoint', async () => {
    const metadata = json(await app.inject({ url: '/.well-known/oauth-authorization-server' }));
    const machine = await registerApp(app, world.demo.apiKey, {
      name: 'Metadata machine',
      grant_types: ['client_credentials'],
      allowed_scopes: ['campaigns:read'],
    });
    const spa = await registerApp(app, world.demo.apiKey, { name: 'Metadata SPA', client_type: 'public' });
    const tokenPath = new URL(metadata['token_endpoint'] as string).pathname;
    const secret = machine.clientSecret as string;
    const byMethod = {
      client_secret_basic: () =>
        app.inject({
          method: 'POST',
          url: tokenPath,
          headers: { ...formHeaders, ...basic(machine.clientId, secret) },
          payload: form({ grant_type: 'client_credentials' }),
        }),
      client_secret_post: () =>
        app.inject({
          method: 'POST',
          url: tokenPath,
          headers: formHeaders,
          payload: form({ grant_type: 'client_credentials', client_id: machine.clientId, client_secret: secret }),
        }),
      // A public client authenticates with client_id alone: its refresh token is refused as unknown, not its authentication.
      none: () =>
        app.inject({
          method: 'POST',
          url: tokenPath,
          headers: formHeaders,
          payload: form({ grant_type: 'refresh_token', client_id: spa.clientId, refresh_token: `flr_${'A'.repeat(43)}` }),
        }),
    };
    expect(Object.keys(byMethod)).toEqual(metadata['token_endpoint_auth_methods_supported']);
    expect((await byMethod.client_secret_basic()).statusCode).toBe(200);
    expect((await byMethod.client_secret_post()).statusCode).toBe(200);
    const none = await byMethod.none();
    expect(none.statusCode).toBe(400);
    expect(JSON.parse(none.body)['error']).toBe('invalid_grant');

    const revokePath = new URL(metadata['revocation_endpoint'] as string).pathname;
    const revoked = await app.inject({
      method: 'POST',
      url: revokePath,
      headers: { ...formHeaders, ...basic(machine.clientId, secret) },
      payload: form({ token: 'unknown' }),
    });
    expect(revoked.statusCode).toBe(200);
    const authorizePath = new URL(metadata['authorization_endpoint'] as string).pathname;
    // Approved, so the endpoint may redirect to it whoever asks (an app that may not serve the requester gets an error page).
    await world.db.updateTable('oauth_apps').set({ approved_at: new Date().toISOString() }).where('id', '=', spa.id).execute();
    const page = await app.inject({ url: `${authorizePath}?client_id=${spa.clientId}` });
    // A known client: the request reaches the authorization endpoint's own checks (a redirect with an error).
    expect(page.statusCode).toBe(302);
    expect(new URL(page.headers.location as string).searchParams.get('iss')).toBe(issuer);
  });
});
