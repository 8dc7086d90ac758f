/**
 * Sessions: log in with email and password, use the token like an API key,
 * expire by the app's clock, log out.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';
import { bearer, json, openWorld, type World } from './support.js';

let world: World;
let app: FastifyInstance;
let clock = Date.parse('2026-11-22T10:00:00.000Z');
const hour = 60 * 60 * 1000;
const password = 'correct horse battery staple';
let email: string;

beforeAll(async () => {
  world = await openWorld();
  app = await buildApp({ db: world.db, now: () => clock, sessionTtlMs: hour });
  await app.ready();
  email = `Session.User.${Date.now()}@Example.com`;
  const created = await app.inject({
    method: 'POST',
    url: '/v1/users',
    headers: { ...bearer(world.demo.apiKey), 'content-type': 'application/json' },
    payload: JSON.stringify({ email, name: 'Session user', role: 'member', password }),
  });
  expect(created.statusCode).toBe(201);
});

afterAll(async () => {
  await app.close();
  await world.close();
});

function login(body: Record<string, unknown>, ip = '10.0.0.1') {
  return app.inject({
    method: 'POST',
    url: '/v1/sessions',
    remoteAddress: ip,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
}

async function session(): Promise<string> {
  const response = await login({ email, password });
  expect(response.statusCode).toBe(201);
  return json(response)['token'] as string;
}

/** A problem body without the parts that differ on every response. */
function stable(body: Record<string, unknown>): Record<string, unknown> {
  const { request_id: _id, time: _time, ...rest } = body;
  return rest;
}

describe('POST /v1/sessions', () => {
  it('logs in with the email in any case, answers no-store, and the token works like an API key', async () => {
    const response = await login({ email: email.toUpperCase(), password });
    expect(response.statusCode).toBe(201);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = json(response);
    expect(body['token']).toMatch(/^fls_[A-Za-z0-9_-]{43}$/);
    expect(body['expires_at']).toBe(new Date(clock + hour).toISOString());
    const me = await app.inject({ url: '/v1/me', headers: bearer(body['token'] as string) });
    expect(me.statusCode).toBe(200);
    expect((json(me)['user'] as Record<string, unknown>)['email']).toBe(email.toLowerCase());
  });

  it('stores only a hash of the token', async () => {
    const token = await session();
    const rows = await world.db.selectFrom('sessions').selectAll().execute();
    for (const row of rows) for (const value of Object.values(row)) expect(String(value)).not.toContain(token);
  });

  it('answers an unknown email and a wrong password alike: 401 invalid_credentials', async () => {
    const wrongPassword = await login({ email, password: 'not the password at all' }, '10.0.0.2');
    const unknownEmail = await login({ email: 'nobody@example.com', password }, '10.0.0.2');
    for (const response of [wrongPassword, unknownEmail]) {
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toEqual(expect.stringContaining('Bearer realm="faultline"'));
    }
    expect(stable(json(wrongPassword))).toEqual(stable(json(unknownEmail)));
    expect(json(wrongPassword)['code']).toBe('invalid_credentials');
    expect(json(wrongPassword)['detail']).toBe('The email or the password is wrong.');
  });

  it('refuses a user without a password the same way', async () => {
    const response = await login({ email: world.demo.email, password: 'anything at all' }, '10.0.0.3');
    expect(response.statusCode).toBe(401);
    expect(json(response)['code']).toBe('invalid_credentials');
  });

  it('names what is wrong with a malformed body', async () => {
    const response = await login({ email: 'not-an-email', extra: 1 }, '10.0.0.4');
    expect(response.statusCode).toBe(400);
    const pointers = (json(response)['errors'] as { pointer: string }[]).map((error) => error.pointer).sort();
    expect(pointers).toEqual(['/email', '/extra', '/password']);
  });

  it('reads at most 4 KiB: a bigger body is refused with 413 before it is parsed', async () => {
    // The longest valid login, every character \u-escaped, still fits.
    const escaped = (text: string) => [...text].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    const longest = `{"email":"${escaped(`${'a'.repeat(64)}@${'b'.repeat(63)}.example.com`)}","password":"${escaped('p'.repeat(256))}"}`;
    expect(longest.length).toBeLessThan(4096);
    const fits = await app.inject({
      method: 'POST',
      url: '/v1/sessions',
      remoteAddress: '10.0.0.5',
      headers: { 'content-type': 'application/json' },
      payload: longest,
    });
    expect(fits.statusCode).toBe(401);
    const keys = Object.fromEntries(Array.from({ length: 1000 }, (_, index) => [`k${index}`, 1]));
    const response = await login({ email, password, ...keys }, '10.0.0.5');
    expect(response.statusCode).toBe(413);
    expect(json(response)).toMatchObject({
      code: 'request_too_large',
      detail: 'The body is larger than the 4096 bytes this endpoint accepts.',
    });
  });

  it('tells a disabled user so, but only once the password is right', async () => {
    const other = `disabled.${Date.now()}@example.com`;
    const created = await app.inject({
      method: 'POST',
      url: '/v1/users',
      headers: { ...bearer(world.demo.apiKey), 'content-type': 'application/json' },
      payload: JSON.stringify({ email: other, name: 'Soon disabled', role: 'member', password }),
    });
    const id = json(created)['id'] as number;
    await app.inject({
      method: 'PATCH',
      url: `/v1/users/${id}`,
      headers: { ...bearer(world.demo.apiKey), 'content-type': 'application/json' },
      payload: JSON.stringify({ disabled: true }),
    });
    expect(json(await login({ email: other, password: 'a wrong password' }, '10.0.0.5'))['code']).toBe('invalid_credentials');
    const right = await login({ email: other, password }, '10.0.0.5');
    expect(right.statusCode).toBe(403);
    expect(json(right)['code']).toBe('user_is_disabled');
  });

  it('limits password guesses per address: the 31st in a minute gets 429 with Retry-After', async () => {
    const statuses: number[] = [];
    // Each to another account, so the per-account budget (20 in 15 minutes) is not what stops them.
    for (let attempt = 0; attempt < 30; attempt += 1) {
      statuses.push(
        (await login({ email: `nobody${attempt}@example.com`, password: `guess number ${attempt}` }, '10.9.9.9')).statusCode,
      );
    }
    expect(statuses).toEqual(Array(30).fill(401));
    const limited = await login({ email, password }, '10.9.9.9');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(json(limited)['code']).toBe('limit_reached');
    // Another address is not affected.
    expect((await login({ email, password }, '10.9.9.8')).statusCode).toBe(201);
  });
});

describe('using a session', () => {
  it('answers 401 session_expired once the session is over, by the app’s clock', async () => {
    const token = await session();
    clock += hour - 1;
    expect((await app.inject({ url: '/v1/me', headers: bearer(token) })).statusCode).toBe(200);
    clock += 1;
    const expired = await app.inject({ url: '/v1/me', headers: bearer(token) });
    expect(expired.statusCode).toBe(401);
    expect(json(expired)['code']).toBe('session_expired');
    expect(json(expired)['detail']).toMatch(/^The session expired at .*Log in again with POST \/v1\/sessions\.$/);
    expect(expired.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('logs out: the token then answers session_expired; logging out again too', async () => {
    const token = await session();
    const out = await app.inject({ method: 'DELETE', url: '/v1/sessions/current', headers: bearer(token) });
    expect(out.statusCode).toBe(204);
    const after = await app.inject({ url: '/v1/campaigns', headers: bearer(token) });
    expect(after.statusCode).toBe(401);
    expect(json(after)['code']).toBe('session_expired');
    expect(json(after)['detail']).toMatch(/logged out/);
    const again = await app.inject({ method: 'DELETE', url: '/v1/sessions/current', headers: bearer(token) });
    expect(json(again)['code']).toBe('session_expired');
  });

  it('answers 401 invalid_token for a session token it never issued', async () => {
    const forged = `fls_${'A'.repeat(43)}`;
    const response = await app.inject({ url: '/v1/me', headers: bearer(forged) });
    expect(response.statusCode).toBe(401);
    expect(json(response)['code']).toBe('invalid_token');
  });

  it('refuses to log out an API key', async () => {
    const response = await app.inject({ method: 'DELETE', url: '/v1/sessions/current', headers: bearer(world.demo.apiKey) });
    expect(response.statusCode).toBe(400);
    expect(json(response)['code']).toBe('unspecified_error');
    expect(json(response)['detail']).toMatch(/API key, not a session token/);
  });

  it('stops working at once when its user is disabled', async () => {
    const token = await session();
    const users = await app.inject({ url: '/v1/users', headers: bearer(world.demo.apiKey) });
    const id = (json(users)['data'] as { id: number; email: string }[]).find((user) => user.email === email.toLowerCase())?.id;
    const patch = (disabled: boolean) =>
      app.inject({
        method: 'PATCH',
        url: `/v1/users/${id}`,
        headers: { ...bearer(world.demo.apiKey), 'content-type': 'application/json' },
        payload: JSON.stringify({ disabled }),
      });
    await patch(true);
    const refused = await app.inject({ url: '/v1/me', headers: bearer(token) });
    expect(json(refused)['code']).toBe('user_is_disabled');
    await patch(false);
    expect((await app.inject({ url: '/v1/me', headers: bearer(token) })).statusCode).toBe(200);
  });
});
