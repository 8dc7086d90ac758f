/**
 * The authorization endpoint (RFC 6749 §4.1.1, §4.1.2, RFC 7636, RFC 9207,
 * RFC 9700): the client and redirect URI are checked first and a bad one is
 * an HTML page, never a redirect; every other error is a redirect carrying
 * `error`, `error_description`, the exact `state` and `iss`.
 */
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';
import {
  authorize,
  cookiesOf,
  csrfOf,
  decide,
  form,
  formHeaders,
  logIn,
  password,
  pkcePair,
  redirectParameters,
  registerApp,
  setPassword,
  type RegisteredApp,
} from './oauth-support.js';
import { openWorld, type World } from './support.js';

const issuer = 'http://localhost:3000';
const encodedIssuer = encodeURIComponent(issuer);
const callback = 'https://client.example/callback';
const withQuery = 'https://client.example/cb?tenant=7&mode=a%20b';

let world: World;
let app: FastifyInstance;
let confidential: RegisteredApp;
let single: RegisteredApp;
let publicClient: RegisteredApp;
let loginCookie: string;

function query(fields: Record<string, string | undefined>): string {
  return new URLSearchParams(
    Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined),
  ).toString();
}

const baseRequest = () => ({
  response_type: 'code',
  client_id: confidential.clientId,
  redirect_uri: callback,
  scope: 'account:read campaigns:read',
  state: 'xyz',
});

beforeAll(async () => {
  world = await openWorld();
  app = await buildApp({ db: world.db });
  await app.ready();
  await setPassword(world, world.demo.userId);
  await setPassword(world, world.other.userId);
  confidential = await registerApp(app, world.demo.apiKey, { redirect_uris: [callback, withQuery] });
  single = await registerApp(app, world.demo.apiKey, { name: 'Single' });
  publicClient = await registerApp(app, world.demo.apiKey, { name: 'SPA', client_type: 'public' });
  loginCookie = await logIn(app, query(baseRequest()), world.demo.email);
});

afterAll(async () => {
  await app.close();
  await world.close();
});

/** A page with a form may also post (through the redirect answering it) to the client's verified redirect URI. */
function expectPageHeaders(headers: Record<string, unknown>, formTarget = ''): void {
  expect(headers['content-type']).toBe('text/html; charset=utf-8');
  expect(headers['cache-control']).toBe('no-store');
  expect(headers['x-frame-options']).toBe('DENY');
  const csp = headers['content-security-policy'] as string;
  expect(csp).toMatch(
    /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; form-action 'self'[^;]*; frame-ancestors 'none'/,
  );
  expect(csp).toContain(`form-action 'self'${formTarget};`);
}

describe('an untrusted client or redirect URI: an error page, never a redirect', () => {
  it('an unknown client_id', async () => {
    const response = await app.inject({
      url: `/oauth/authorize?${query({ ...baseRequest(), client_id: 'app_unknownunknown00' })}`,
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers.location).toBeUndefined();
    expectPageHeaders(response.headers);
    expect(response.body).toContain('No app has this client_id.');
  });

  it('a missing or repeated client_id', async () => {
    for (const url of [
      `/oauth/authorize?${query({ ...baseRequest(), client_id: undefined })}`,
      `/oauth/authorize?${query(baseRequest())}&client_id=${confidential.clientId}`,
    ]) {
      const response = await app.inject({ url });
      expect(response.statusCode, url).toBe(400);
      expect(response.headers.location, url).toBeUndefined();
    }
  });

  it.each([
    ['another case in the host', 'https://CLIENT.example/callback'],
    ['another case in the path', 'https://client.example/Callback'],
    ['an explicit :443', 'https://client.example:443/callback'],
    ['a trailing slash', 'https://client.example/callback/'],
    ['an extra query', 'https://client.example/callback?x=1'],
    ['a fragment', 'https://client.example/callback#top'],
    ['http instead of https', 'http://client.example/callback'],
    ['a registered URI without its query', 'https://client.example/cb'],
    ['a registered URI with its query reordered', 'https://client.example/cb?mode=a%20b&tenant=7'],
    ['a prefix of a registered URI', 'https://client.example/callbackx'],
  ])('a redirect_uri with %s', async (_name, redirectUri) => {
    const response = await app.inject({ url: `/oauth/authorize?${query({ ...baseRequest(), redirect_uri: redirectUri })}` });
    expect(response.statusCode).toBe(400);
    expect(response.headers.location).toBeUndefined();
    expectPageHeaders(response.headers);
    expect(response.body).toContain('The redirect URI is not one registered for Reporting &#60;app&#62;');
    // Even with the user logged in: nothing about the request is trusted.
    const loggedIn = await app.inject({
      url: `/oauth/authorize?${query({ ...baseRequest(), redirect_uri: redirectUri })}`,
      headers: { cookie: loginCookie },
    });
    expect(loggedIn.statusCode).toBe(400);
    expect(loggedIn.headers.location).toBeUndefined();
  });

  it('a repeated redirect_uri, or none when the app has several', async () => {
    const repeated = await app.inject({
      url: `/oauth/authorize?${query(baseRequest())}&redirect_uri=${encodeURIComponent(callback)}`,
    });
    expect(repeated.statusCode).toBe(400);
    expect(repeated.headers.location).toBeUndefined();
    const omitted = await app.inject({ url: `/oauth/authorize?${query({ ...baseRequest(), redirect_uri: undefined })}` });
    expect(omitted.statusCode).toBe(400);
    expect(omitted.headers.location).toBeUndefined();
    expect(omitted.body).toContain('several redirect URIs');
  });

  it('a deleted app is unknown', async () => {
    const doomed = await registerApp(app, world.demo.apiKey, { name: 'Doomed' });
    const deleted = await app.inject({
      method: 'DELETE',
      url: `/v1/oauth-apps/${doomed.id}`,
      headers: { authorization: `Bearer ${world.demo.apiKey}` },
    });
    expect(deleted.statusCode).toBe(204);
    const response = await app.inject({ url: `/oauth/authorize?${query({ ...baseRequest(), client_id: doomed.clientId })}` });
    expect(response.statusCode).toBe(400);
    expect(response.headers.location).toBeUndefined();
  });
});

const approve = (id: number, approved: boolean) =>
  world.db
    .updateTable('oauth_apps')
    .set({ approved_at: approved ? new Date().toISOString() : null })
    .where('id', '=', id)
    .execute();

describe('every other error: a redirect with error, error_description, state and iss', () => {
  const state = 'a&b=c+d%20e%zz é 🙂 /?#';

  // Only an app that may serve the requester is redirected to: approved, or asked by its own team.
  beforeAll(async () => {
    for (const each of [confidential, publicClient]) await approve(each.id, true);
  });
  afterAll(async () => {
    for (const each of [confidential, publicClient]) await approve(each.id, false);
  });

  async function refusal(fields: Record<string, string | undefined>, suffix = '') {
    const response = await app.inject({ url: `/oauth/authorize?${query({ ...baseRequest(), state, ...fields })}${suffix}` });
    expect(response.statusCode).toBe(302);
    expect(response.headers['cache-control']).toBe('no-store');
    return response.headers.location as string;
  }

  const expected = (error: string, description: string, base = callback) =>
    `${base}${base.includes('?') ? '&' : '?'}error=${error}&error_description=${encodeURIComponent(description)}&state=${encodeURIComponent(state)}&iss=${encodedIssuer}`;

  it('unsupported_response_type, with the state returned byte for byte', async () => {
    const location = await refusal({ response_type: 'token' });
    expect(location).toBe(
      expected('unsupported_response_type', 'Only response_type=code is supported (the implicit flow is not).'),
    );
    expect(new URL(location).searchParams.get('state')).toBe(state);
    expect(new URL(location).searchParams.get('iss')).toBe(issuer);
  });

  it('keeps the registered URI’s own query and appends with &', async () => {
    const location = await refusal({ redirect_uri: withQuery, response_type: 'token' });
    expect(location).toBe(
      expected('unsupported_response_type', 'Only response_type=code is supported (the implicit flow is not).', withQuery),
    );
    expect(location.startsWith('https://client.example/cb?tenant=7&mode=a%20b&error=')).toBe(true);
  });

  it('invalid_request: a missing response_type, a repeated parameter, PKCE plain, a method without a challenge', async () => {
    expect(await refusal({ response_type: undefined })).toBe(
      expected('invalid_request', 'response_type is missing; it must be code.'),
    );
    expect(await refusal({}, '&scope=account%3Aread')).toBe(
      expected('invalid_request', 'scope must not be sent more than once.'),
    );
    const { challenge } = pkcePair();
    const plain = 'code_challenge_method must be S256; plain is not accepted.';
    expect(await refusal({ code_challenge: challenge, code_challenge_method: 'plain' })).toBe(expected('invalid_request', plain));
    expect(await refusal({ code_challenge: challenge })).toBe(expected('invalid_request', plain));
    expect(await refusal({ code_challenge_method: 'S256' })).toBe(
      expected('invalid_request', 'code_challenge_method is sent without code_challenge.'),
    );
    expect(await refusal({ code_challenge: 'short', code_challenge_method: 'S256' })).toBe(
      expected('invalid_request', 'code_challenge must be the base64url SHA-256 of the verifier: 43 characters.'),
    );
  });

  it('invalid_request: a public client without a PKCE challenge', async () => {
    const location = await refusal({ client_id: publicClient.clientId });
    expect(location).toBe(
      expected('invalid_request', 'A public client must send a PKCE code_challenge with code_challenge_method=S256.'),
    );
  });

  it('invalid_scope for an unknown or missing scope, forbidden_scope for a known one the app may not ask for', async () => {
    expect(await refusal({ scope: 'account:read admin:all' })).toBe(expected('invalid_scope', 'Unknown scope: admin:all.'));
    expect(await refusal({ scope: undefined })).toBe(
      expected('invalid_scope', 'scope is missing; name the scopes the app needs.'),
    );
    expect(await refusal({ scope: 'account:read recipients:write' })).toBe(
      expected('forbidden_scope', 'This app may not ask for: recipients:write.'),
    );
  });

  it('unauthorized_client when the app may not use the code grant', async () => {
    const machine = await registerApp(app, world.demo.apiKey, {
      name: 'Machine',
      grant_types: ['client_credentials'],
      allowed_scopes: ['campaigns:read'],
    });
    await approve(machine.id, true);
    expect(await refusal({ client_id: machine.clientId })).toBe(
      expected('unauthorized_client', 'This app may not use the authorization code grant.'),
    );
  });

  it('access_denied when the user clicks Deny (303 from the form)', async () => {
    const request = query({ ...baseRequest(), state });
    const denied = await decide(app, request, loginCookie, 'deny');
    expect(denied.statusCode).toBe(303);
    expect(denied.headers.location).toBe(expected('access_denied', 'The user denied the request.'));
  });

  it('app_not_approved for a user of another team, on a page and never by a redirect, until the operator approves the app', async () => {
    await approve(confidential.id, false);
    const request = query({ ...baseRequest(), state });
    const otherLogin = await logIn(app, request, 'other@example.com');
    const refused = await app.inject({ url: `/oauth/authorize?${request}`, headers: { cookie: otherLogin } });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers.location).toBeUndefined();
    expectPageHeaders(refused.headers);
    expect(refused.body).toContain('This app is not approved for use outside its own team yet.');
    expect(refused.body).toContain('<code>app_not_approved</code>');
    await approve(confidential.id, true);
    try {
      const code = await authorize(app, request, 'other@example.com', otherLogin);
      expect(code).toMatch(/^flc_/);
      const grant = await world.db
        .selectFrom('oauth_grants')
        .selectAll()
        .where('user_id', '=', world.other.userId)
        .executeTakeFirstOrThrow();
      expect(grant.team_id).toBe(world.other.teamId);
    } finally {
      await approve(confidential.id, true);
    }
  });
});

describe('an app that may not serve the requester is never redirected to (RFC 9700 §4.11.2)', () => {
  // Any team admin can register a redirect URI anywhere: before approval, the endpoint must not send strangers there.
  const cases: readonly [string, Record<string, string | undefined>, number, string][] = [
    ['unsupported_response_type', { response_type: 'token' }, 400, 'unsupported_response_type'],
    ['a missing response_type', { response_type: undefined }, 400, 'invalid_request'],
    ['an unknown scope', { scope: 'account:read admin:all' }, 400, 'invalid_scope'],
    ['a scope the app may not ask for', { scope: 'recipients:write' }, 400, 'forbidden_scope'],
  ];

  it.each(cases)(
    'an unapproved app, %s, nobody logged in: an error page with the catalog status and code',
    async (_name, fields, status, code) => {
      const response = await app.inject({ url: `/oauth/authorize?${query({ ...baseRequest(), ...fields })}` });
      expect(response.statusCode).toBe(status);
      expect(response.headers.location).toBeUndefined();
      expectPageHeaders(response.headers);
      expect(response.body).toContain(`<code>${code}</code>`);
    },
  );

  it('an unapproved app refused at the consent form by a user of another team: a page, no redirect', async () => {
    const request = query(baseRequest());
    const otherLogin = await logIn(app, request, 'other@example.com');
    // The consent page was shown while the app was approved; the approval is withdrawn before the answer.
    await approve(confidential.id, true);
    const consent = await app.inject({ url: `/oauth/authorize?${request}`, headers: { cookie: otherLogin } });
    await approve(confidential.id, false);
    const response = await app.inject({
      method: 'POST',
      url: '/oauth/consent',
      headers: { ...formHeaders, cookie: otherLogin },
      payload: form({ request, csrf: csrfOf(consent.body), decision: 'deny' }),
    });
    expect(response.statusCode).toBe(403);
    expect(response.headers.location).toBeUndefined();
    expect(response.body).toContain('<code>app_not_approved</code>');
  });

  it('an unapproved app still redirects a user of its own team, who it may serve', async () => {
    const denied = await decide(app, query(baseRequest()), loginCookie, 'deny');
    expect(denied.statusCode).toBe(303);
    expect(new URL(denied.headers.location as string).searchParams.get('error')).toBe('access_denied');
  });

  it('the same request to an approved app is a redirect, and an unknown client or a mismatched redirect URI is a page either way', async () => {
    await approve(single.id, true);
    try {
      const approved = await app.inject({
        url: `/oauth/authorize?${query({ ...baseRequest(), client_id: single.clientId, redirect_uri: undefined, response_type: 'token' })}`,
      });
      expect(approved.statusCode).toBe(302);
      expect(new URL(approved.headers.location as string).searchParams.get('error')).toBe('unsupported_response_type');
      const mismatched = await app.inject({
        url: `/oauth/authorize?${query({ ...baseRequest(), client_id: single.clientId, redirect_uri: 'https://evil.example/', response_type: 'token' })}`,
      });
      expect(mismatched.statusCode).toBe(400);
      expect(mismatched.headers.location).toBeUndefined();
      const unknown = await app.inject({
        url: `/oauth/authorize?${query({ ...baseRequest(), client_id: 'app_unknownunknown00', response_type: 'token' })}`,
      });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.headers.location).toBeUndefined();
    } finally {
      await approve(single.id, false);
    }
  });
});

describe('the login and consent pages', () => {
  it('asks a browser without a login cookie to log in, with a CSRF cookie bound to the form', async () => {
    const response = await app.inject({ url: `/oauth/authorize?${query(baseRequest())}` });
    expect(response.statusCode).toBe(200);
    expectPageHeaders(response.headers, ' https://client.example');
    expect(response.body).toContain('<form method="post" action="/oauth/login">');
    expect(response.body).toContain('Log in to continue to Reporting &#60;app&#62;');
    expect(response.body).not.toContain('<app>');
    expect(response.headers['set-cookie']).toMatch(
      /^faultline_oauth_csrf=[A-Za-z0-9_-]{43}; Path=\/oauth; Max-Age=3600; HttpOnly; SameSite=Lax$/,
    );
  });

  it('shows the login page again for a wrong password or an unknown email, with the same message', async () => {
    const request = query(baseRequest());
    const page = await app.inject({ url: `/oauth/authorize?${request}` });
    const cookie = cookiesOf(page)[0] as string;
    for (const [email, secret] of [
      [world.demo.email, 'wrong password'],
      ['nobody@example.com', password],
    ] as const) {
      const response = await app.inject({
        method: 'POST',
        url: '/oauth/login',
        headers: { ...formHeaders, cookie },
        payload: form({ request, csrf: csrfOf(page.body), email, password: secret }),
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers['set-cookie']).toBeUndefined();
      expectPageHeaders(response.headers, ' https://client.example');
      expect(response.body).toContain('<p class="error" role="alert">The email or the password is wrong.</p>');
      expect(response.body).toContain(`value="${email}"`);
    }
  });

  it('refuses a login form without its CSRF token or cookie', async () => {
    const request = query(baseRequest());
    const page = await app.inject({ url: `/oauth/authorize?${request}` });
    for (const [cookie, csrf] of [
      [cookiesOf(page)[0] as string, 'forged'],
      ['', csrfOf(page.body)],
    ] as const) {
      const response = await app.inject({
        method: 'POST',
        url: '/oauth/login',
        headers: { ...formHeaders, cookie },
        payload: form({ request, csrf, email: world.demo.email, password }),
      });
      expect(response.statusCode).toBe(403);
      expect(response.body).toContain('This form expired or was not sent from this page.');
      expect(cookiesOf(response).some((each) => each.startsWith('faultline_oauth_login='))).toBe(false);
    }
  });

  it('logs in with a HttpOnly, SameSite=Lax cookie on /oauth and sends the browser back to the request (303)', async () => {
    const request = query(baseRequest());
    const page = await app.inject({ url: `/oauth/authorize?${request}` });
    const response = await app.inject({
      method: 'POST',
      url: '/oauth/login',
      headers: { ...formHeaders, cookie: cookiesOf(page)[0] as string },
      payload: form({ request, csrf: csrfOf(page.body), email: world.demo.email.toUpperCase(), password }),
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/oauth/authorize?${request}`);
    expect(response.headers['set-cookie']).toMatch(
      /^faultline_oauth_login=[^;]+; Path=\/oauth; Max-Age=1800; HttpOnly; SameSite=Lax$/,
    );
  });

  it('limits login attempts per account from any address with a page, 429 and Retry-After', async () => {
    const request = query(baseRequest());
    const attempt = (address: string) =>
      app.inject({
        method: 'POST',
        url: '/oauth/login',
        remoteAddress: address,
        headers: formHeaders,
        payload: form({ request, csrf: 'x', email: 'Brute@example.com', password: 'guess' }),
      });
    // A botnet: every attempt from another address, against one account.
    for (let count = 0; count < 20; count += 1) expect((await attempt(`10.0.${count}.9`)).statusCode).toBe(403);
    const refused = await attempt('10.0.99.9');
    expect(refused.statusCode).toBe(429);
    expectPageHeaders(refused.headers);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body).toMatch(/Too many login attempts\. Try again in \d+ seconds\./);
  });

  it('answers a login body that is not a form with a page', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/oauth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":"a"}',
    });
    expect(response.statusCode).toBe(400);
    expectPageHeaders(response.headers);
    expect(response.body).toContain(
      'The body must be sent as application/x-www-form-urlencoded, not &#34;application/json&#34;.',
    );
  });

  it.each([
    {
      name: 'a form body larger than the forms accept',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `email=${'a'.repeat(20_000)}`,
      status: 413,
      detail: /The body is larger than the 16384 bytes this endpoint accepts\./,
    },
    {
      name: 'a body shorter than its Content-Length',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '50' },
      payload: 'email',
      status: 400,
      detail: /The body is shorter or longer than its Content-Length header says\./,
    },
  ])(
    'answers $name on the login and consent forms with its catalog status, as a page',
    async ({ headers, payload, status, detail }) => {
      for (const url of ['/oauth/login', '/oauth/consent']) {
        const response = await app.inject({ method: 'POST', url, headers, payload });
        expect(response.statusCode).toBe(status);
        expectPageHeaders(response.headers);
        expect(response.body).toMatch(detail);
        expect(response.body).not.toContain('Something went wrong');
      }
    },
  );

  it('shows an error page to a disabled user', async () => {
    const request = query(baseRequest());
    const cookie = await logIn(app, request, world.demo.email);
    await world.db
      .updateTable('users')
      .set({ disabled_at: new Date().toISOString() })
      .where('id', '=', world.demo.userId)
      .execute();
    try {
      const response = await app.inject({ url: `/oauth/authorize?${request}`, headers: { cookie } });
      expect(response.statusCode).toBe(403);
      expect(response.headers.location).toBeUndefined();
      expect(response.body).toContain('Your user is disabled.');
      const page = await app.inject({ url: `/oauth/authorize?${request}` });
      const login = await app.inject({
        method: 'POST',
        url: '/oauth/login',
        headers: { ...formHeaders, cookie: cookiesOf(page)[0] as string },
        payload: form({ request, csrf: csrfOf(page.body), email: world.demo.email, password }),
      });
      expect(login.statusCode).toBe(403);
      expect(login.body).toContain('Your user is disabled.');
    } finally {
      await world.db.updateTable('users').set({ disabled_at: null }).where('id', '=', world.demo.userId).execute();
    }
  });

  it('lists the scopes with their descriptions, escaped, with Allow and Deny', async () => {
    const response = await app.inject({ url: `/oauth/authorize?${query(baseRequest())}`, headers: { cookie: loginCookie } });
    expect(response.statusCode).toBe(200);
    expectPageHeaders(response.headers, ' https://client.example');
    expect(response.body).toContain('<li><code>account:read</code>: See your name, email and team</li>');
    expect(response.body).toContain('<li><code>campaigns:read</code>: See your team’s campaigns</li>');
    expect(response.body).not.toContain('campaigns:write');
    expect(response.body).toContain('<button type="submit" name="decision" value="allow">Allow</button>');
    expect(response.body).toContain('<button type="submit" name="decision" value="deny">Deny</button>');
  });

  it('refuses a consent with a forged or replayed-elsewhere CSRF token, with a page and no redirect', async () => {
    const request = query(baseRequest());
    const page = await app.inject({ url: `/oauth/authorize?${request}`, headers: { cookie: loginCookie } });
    const otherRequest = query({ ...baseRequest(), scope: 'account:read campaigns:write' });
    const codesBefore = await world.db.selectFrom('oauth_codes').select('id').execute();
    for (const [csrf, posted] of [
      ['forged', request],
      [csrfOf(page.body), otherRequest],
    ] as const) {
      const response = await app.inject({
        method: 'POST',
        url: '/oauth/consent',
        headers: { ...formHeaders, cookie: loginCookie },
        payload: form({ request: posted, csrf, decision: 'allow' }),
      });
      expect(response.statusCode).toBe(403);
      expect(response.headers.location).toBeUndefined();
      expect(response.body).toContain('This consent form expired or was not sent from this site.');
    }
    expect(await world.db.selectFrom('oauth_codes').select('id').execute()).toEqual(codesBefore);
  });

  it('Allow: a code by a 303 redirect with code, state and iss; the code is stored hashed, bound to all it was asked with', async () => {
    const { challenge } = pkcePair();
    const state = 's&t=a+te%41 ✓';
    const request = query({ ...baseRequest(), state, code_challenge: challenge, code_challenge_method: 'S256' });
    const allowed = await decide(app, request, loginCookie, 'allow');
    expect(allowed.statusCode).toBe(303);
    const location = allowed.headers.location as string;
    const code = redirectParameters(allowed).get('code') as string;
    expect(code).toMatch(/^flc_[A-Za-z0-9_-]{43}$/);
    expect(location).toBe(`${callback}?code=${code}&state=${encodeURIComponent(state)}&iss=${encodedIssuer}`);
    const stored = await world.db
      .selectFrom('oauth_codes')
      .innerJoin('oauth_grants', 'oauth_grants.id', 'oauth_codes.grant_id')
      .select(['oauth_codes.code_hash', 'oauth_codes.redirect_uri', 'oauth_codes.scope', 'oauth_codes.code_challenge'])
      .select(['oauth_codes.expires_at', 'oauth_codes.created_at', 'oauth_grants.user_id', 'oauth_grants.app_id'])
      .orderBy('oauth_codes.id', 'desc')
      .executeTakeFirstOrThrow();
    expect(stored.code_hash).not.toContain(code.slice(4));
    expect(stored).toMatchObject({
      redirect_uri: callback,
      scope: 'account:read campaigns:read',
      code_challenge: challenge,
      user_id: world.demo.userId,
      app_id: confidential.id,
    });
    expect(Date.parse(stored.expires_at) - Date.parse(stored.created_at)).toBe(60_000);
  });

  it('uses the only registered redirect URI when the request names none', async () => {
    const request = query({ ...baseRequest(), client_id: single.clientId, redirect_uri: undefined });
    const allowed = await decide(app, request, loginCookie, 'allow');
    expect(allowed.statusCode).toBe(303);
    expect((allowed.headers.location as string).startsWith(`${callback}?code=flc_`)).toBe(true);
  });
});

describe('issuer and cookies over https', () => {
  it('sends the configured issuer as iss and marks the cookies Secure', async () => {
    const secureApp = await buildApp({ db: world.db, issuer: 'https://api.example.com/' });
    await approve(confidential.id, true);
    try {
      const request = query({ ...baseRequest(), response_type: 'token' });
      const refused = await secureApp.inject({ url: `/oauth/authorize?${request}` });
      expect(redirectParameters(refused).get('iss')).toBe('https://api.example.com');
      const page = await secureApp.inject({ url: `/oauth/authorize?${query(baseRequest())}` });
      expect(page.headers['set-cookie']).toMatch(/; HttpOnly; SameSite=Lax; Secure$/);
    } finally {
      await approve(confidential.id, false);
      await secureApp.close();
    }
  });
});

describe('server_error', () => {
  it('a failure after the client is verified is a redirect with server_error and no detail', async () => {
    const broken = await openWorld();
    const brokenApp = await buildApp({ db: broken.db });
    try {
      await setPassword(broken, broken.demo.userId);
      const client = await registerApp(brokenApp, broken.demo.apiKey);
      const request = query({ ...baseRequest(), client_id: client.clientId, state: 'k&1' });
      const cookie = await logIn(brokenApp, request, broken.demo.email);
      await sql`drop table oauth_codes`.execute(broken.db);
      const response = await decide(brokenApp, request, cookie, 'allow');
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe(
        `${callback}?error=server_error&error_description=${encodeURIComponent('The server met an unexpected condition.')}&state=k%261&iss=${encodedIssuer}`,
      );
      // The grant written before the failure was rolled back with it.
      expect(await broken.db.selectFrom('oauth_grants').select('id').execute()).toEqual([]);
    } finally {
      await brokenApp.close();
      await broken.close();
    }
  });

  it('a failure before the client is known is an error page, not a redirect', async () => {
    const broken = await openWorld();
    const brokenApp = await buildApp({ db: broken.db });
    try {
      await sql`drop table oauth_apps cascade`.execute(broken.db).catch(() => sql`drop table oauth_apps`.execute(broken.db));
      const response = await brokenApp.inject({ url: `/oauth/authorize?${query(baseRequest())}` });
      expect(response.statusCode).toBe(500);
      expect(response.headers.location).toBeUndefined();
      expect(response.body).toContain('Something went wrong on our side.');
      expect(response.body).not.toMatch(/oauth_apps|no such table|does not exist/);
    } finally {
      await brokenApp.close();
      await broken.close();
    }
  });
});
