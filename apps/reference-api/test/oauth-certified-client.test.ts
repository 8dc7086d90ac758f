/**
 * oauth4webapi, an OAuth 2 client certified by the OpenID Foundation, against a
 * listening reference API, configured from the server's RFC 8414 metadata alone:
 * authorization code with PKCE (the login and consent forms filled in over HTTP
 * with `fetch`, following the real redirects and cookies as a browser would), `iss`
 * checked on every authorization response (RFC 9207), refresh, revocation, and
 * client credentials. Whatever the client library refuses fails the test.
 */
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';
import { password, registerApp, setPassword, type RegisteredApp } from './oauth-support.js';
import { openWorld, type World } from './support.js';

const callback = 'http://localhost:8123/callback';
const insecure = { [oauth.allowInsecureRequests]: true } as const;

let world: World;
let app: FastifyInstance;
let issuer: URL;
let as: oauth.AuthorizationServer;
let registered: RegisteredApp;
let client: oauth.Client;
let clientAuth: oauth.ClientAuth;

beforeAll(async () => {
  world = await openWorld();
  // The issuer is the address the server really listens on, as PUBLIC_URL is in production: a free port first.
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    app = await buildApp({ db: world.db, issuer: `http://127.0.0.1:${port}` });
    try {
      issuer = new URL(await app.listen({ port, host: '127.0.0.1' }));
      break;
    } catch (error) {
      await app.close();
      // Another process took the port in between: try another.
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === 5) throw error;
    }
  }
  await setPassword(world, world.demo.userId);
  registered = await registerApp(app, world.demo.apiKey, {
    name: 'Certified client',
    redirect_uris: [callback],
    allowed_scopes: ['account:read', 'campaigns:read'],
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  });
  client = { client_id: registered.clientId };
  clientAuth = oauth.ClientSecretBasic(registered.clientSecret as string);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
});

afterAll(async () => {
  await app?.close();
  await world?.close();
});

/** The challenges oauth4webapi read from the WWW-Authenticate of a refused API request. */
async function challengesOf(request: Promise<Response>): Promise<readonly oauth.WWWAuthenticateChallenge[]> {
  try {
    const response = await request;
    throw new Error(`the API answered ${response.status} without a challenge`);
  } catch (error) {
    if (error instanceof oauth.WWWAuthenticateChallengeError) return error.cause;
    throw error;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** A browser's cookie jar and redirect following, over real HTTP. */
class Browser {
  private readonly cookies = new Map<string, string>();

  async request(url: string, init: { method?: string; body?: URLSearchParams } = {}): Promise<Response> {
    const headers = new Headers();
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    if (init.body !== undefined) headers.set('content-type', 'application/x-www-form-urlencoded');
    const response = await fetch(url, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body === undefined ? {} : { body: init.body.toString() }),
      redirect: 'manual',
      signal: AbortSignal.timeout(20_000),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const equals = pair.indexOf('=');
      const name = pair.slice(0, equals).trim();
      if (/max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(equals + 1));
    }
    return response;
  }

  /** Loads `url` and follows redirects on this server; returns the page it stops at, or where it left for. */
  async visit(url: string, init: { method?: string; body?: URLSearchParams } = {}): Promise<{ html: string } | { left: URL }> {
    let response = await this.request(url, init);
    for (let hops = 0; response.status >= 300 && response.status < 400; hops += 1) {
      if (hops === 5) throw new Error(`more than 5 redirects from ${url}`);
      const next = new URL(response.headers.get('location') as string, response.url || url);
      await response.body?.cancel();
      if (next.origin !== issuer.origin) return { left: next };
      response = await this.request(next.href);
    }
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
    return { html: await response.text() };
  }

  /** Submits the page's form as a browser would: its hidden fields, the fields given, the button pressed. */
  async submit(html: string, fields: Record<string, string>): Promise<{ html: string } | { left: URL }> {
    const form = /<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/.exec(html);
    if (form === null) throw new Error(`no form in the page: ${html.slice(0, 300)}`);
    const body = new URLSearchParams();
    for (const input of (form[2] as string).matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
      body.append(unescapeHtml(input[1] as string), unescapeHtml(input[2] as string));
    }
    for (const [name, value] of Object.entries(fields)) body.append(name, value);
    return this.visit(new URL(unescapeHtml(form[1] as string), issuer).href, { method: 'POST', body });
  }
}

function unescapeHtml(text: string): string {
  return text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}

/** Starts an authorization in a fresh browser, logs in and answers the consent page; returns where the browser was sent. */
async function authorizeInBrowser(
  decision: 'allow' | 'deny',
  state: string,
  challenge: string,
  { clientId, name } = { clientId: client.client_id, name: 'Certified client' },
): Promise<URL> {
  const url = new URL(as.authorization_endpoint as string);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: callback,
    scope: 'account:read campaigns:read',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  const browser = new Browser();
  const login = await browser.visit(url.href);
  if (!('html' in login)) throw new Error(`no login page: sent to ${login.left.href}`);
  expect(login.html).toContain(`Log in to continue to ${name}`);
  const consent = await browser.submit(login.html, { email: world.demo.email, password });
  if (!('html' in consent)) throw new Error(`no consent page: sent to ${consent.left.href}`);
  expect(consent.html).toContain(`${name} wants to access your account`);
  const answer = await browser.submit(consent.html, { decision });
  if (!('left' in answer)) throw new Error(`no redirect to the client: ${answer.html.slice(0, 300)}`);
  return answer.left;
}

describe('oauth4webapi against the reference API', () => {
  it('discovers the server from its RFC 8414 metadata', () => {
    expect(as.issuer).toBe(issuer.href.replace(/\/$/, ''));
    expect(as.authorization_response_iss_parameter_supported).toBe(true);
    expect(as.code_challenge_methods_supported).toEqual(['S256']);
  });

  it('authorization code with PKCE, iss checked, then the API, refresh and revocation', async () => {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const redirected = await authorizeInBrowser('allow', state, await oauth.calculatePKCECodeChallenge(verifier));
    expect(redirected.searchParams.get('iss')).toBe(as.issuer);

    // RFC 9207: a response that claims another issuer is refused (mix-up), the real one accepted.
    expect(() => oauth.validateAuthResponse({ ...as, issuer: 'http://mix-up.test' }, client, redirected, state)).toThrow(
      oauth.OperationProcessingError,
    );
    const parameters = oauth.validateAuthResponse(as, client, redirected, state);

    const exchanged = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(as, client, clientAuth, parameters, callback, verifier, insecure),
    );
    expect(exchanged.token_type).toBe('bearer');
    expect(exchanged.scope).toBe('account:read campaigns:read');
    const me = await oauth.protectedResourceRequest(
      exchanged.access_token,
      'GET',
      new URL('/v1/me', issuer),
      undefined,
      undefined,
      insecure,
    );
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { email: string } }).user.email).toBe(world.demo.email);

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, clientAuth, exchanged.refresh_token as string, insecure),
    );
    expect(refreshed.access_token).not.toBe(exchanged.access_token);
    const campaigns = await oauth.protectedResourceRequest(
      refreshed.access_token,
      'GET',
      new URL('/v1/campaigns', issuer),
      undefined,
      undefined,
      insecure,
    );
    expect(campaigns.status).toBe(200);
    // Rotation: the first refresh token is spent.
    await expect(
      oauth.processRefreshTokenResponse(
        as,
        client,
        await oauth.refreshTokenGrantRequest(as, client, clientAuth, exchanged.refresh_token as string, insecure),
      ),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('revocation of a refresh token ends its grant: the access token is refused with an RFC 6750 challenge', async () => {
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const redirected = await authorizeInBrowser('allow', state, await oauth.calculatePKCECodeChallenge(verifier));
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(
        as,
        client,
        clientAuth,
        oauth.validateAuthResponse(as, client, redirected, state),
        callback,
        verifier,
        insecure,
      ),
    );
    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, client, clientAuth, tokens.refresh_token as string, {
        ...insecure,
        additionalParameters: { token_type_hint: 'refresh_token' },
      }),
    );
    const refused = oauth.protectedResourceRequest(
      tokens.access_token,
      'GET',
      new URL('/v1/me', issuer),
      undefined,
      undefined,
      insecure,
    );
    const challenges = await challengesOf(refused);
    expect(challenges[0]).toEqual({ scheme: 'bearer', parameters: { realm: 'faultline', error: 'invalid_token' } });
    await expect(
      oauth.processRefreshTokenResponse(
        as,
        client,
        await oauth.refreshTokenGrantRequest(as, client, clientAuth, tokens.refresh_token as string, insecure),
      ),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('a public client (no secret, token_endpoint_auth_method none): PKCE, refresh and revocation', async () => {
    const spa = await registerApp(app, world.demo.apiKey, {
      name: 'Certified SPA',
      client_type: 'public',
      redirect_uris: [callback],
      allowed_scopes: ['account:read', 'campaigns:read'],
    });
    const publicClient: oauth.Client = { client_id: spa.clientId, token_endpoint_auth_method: 'none' };
    const none = oauth.None();
    const verifier = oauth.generateRandomCodeVerifier();
    const state = oauth.generateRandomState();
    const redirected = await authorizeInBrowser('allow', state, await oauth.calculatePKCECodeChallenge(verifier), {
      clientId: spa.clientId,
      name: 'Certified SPA',
    });
    const parameters = oauth.validateAuthResponse(as, publicClient, redirected, state);
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      publicClient,
      await oauth.authorizationCodeGrantRequest(as, publicClient, none, parameters, callback, verifier, insecure),
    );
    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      publicClient,
      await oauth.refreshTokenGrantRequest(as, publicClient, none, tokens.refresh_token as string, insecure),
    );
    const me = await oauth.protectedResourceRequest(
      refreshed.access_token,
      'GET',
      new URL('/v1/me', issuer),
      undefined,
      undefined,
      insecure,
    );
    expect(me.status).toBe(200);
    // Revoking the access token alone: it is refused, and the refresh token still works.
    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, publicClient, none, refreshed.access_token, insecure),
    );
    const challenges = await challengesOf(
      oauth.protectedResourceRequest(refreshed.access_token, 'GET', new URL('/v1/me', issuer), undefined, undefined, insecure),
    );
    expect(challenges[0]).toEqual({ scheme: 'bearer', parameters: { realm: 'faultline', error: 'invalid_token' } });
    const again = await oauth.processRefreshTokenResponse(
      as,
      publicClient,
      await oauth.refreshTokenGrantRequest(as, publicClient, none, refreshed.refresh_token as string, insecure),
    );
    expect(again.access_token).not.toBe(refreshed.access_token);
  });

  it('a denied authorization comes back as an error the client reads, with iss checked', async () => {
    const state = oauth.generateRandomState();
    const redirected = await authorizeInBrowser(
      'deny',
      state,
      await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier()),
    );
    expect(redirected.searchParams.get('iss')).toBe(as.issuer);
    // oauth4webapi checks iss before it reads the error: a missing or wrong one would be another error.
    expect(() => oauth.validateAuthResponse(as, client, redirected, state)).toThrow(oauth.AuthorizationResponseError);
    try {
      oauth.validateAuthResponse(as, client, redirected, state);
    } catch (error) {
      expect((error as oauth.AuthorizationResponseError).error).toBe('access_denied');
    }
  });

  it('client credentials: a token for the team, which reads campaigns and is told /v1/me can never be its', async () => {
    const tokens = await oauth.processClientCredentialsResponse(
      as,
      client,
      await oauth.clientCredentialsGrantRequest(as, client, clientAuth, new URLSearchParams(), insecure),
    );
    // account:read is never granted to this grant (no user is behind it).
    expect(tokens.scope).toBe('campaigns:read');
    expect(tokens.refresh_token).toBeUndefined();
    const campaigns = await oauth.protectedResourceRequest(
      tokens.access_token,
      'GET',
      new URL('/v1/campaigns', issuer),
      undefined,
      undefined,
      insecure,
    );
    expect(campaigns.status).toBe(200);
    const me = oauth.protectedResourceRequest(
      tokens.access_token,
      'GET',
      new URL('/v1/me', issuer),
      undefined,
      undefined,
      insecure,
    );
    const challenges = await challengesOf(me);
    expect(challenges).toEqual([
      {
        scheme: 'bearer',
        parameters: {
          realm: 'faultline',
          error: 'insufficient_scope',
          error_description: 'No scope grants this request to an OAuth token.',
        },
      },
    ]);
    await expect(
      oauth.processClientCredentialsResponse(
        as,
        client,
        await oauth.clientCredentialsGrantRequest(
          as,
          client,
          clientAuth,
          new URLSearchParams({ scope: 'account:read' }),
          insecure,
        ),
      ),
    ).rejects.toMatchObject({ error: 'invalid_scope' });
  });
});
