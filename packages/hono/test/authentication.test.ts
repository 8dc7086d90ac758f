import type { ProfileName } from '@faultline/core';
import { apiKeyAuth, type ApiKeyAuthOptions } from '@faultline/hono';
import { rateLimit } from '@faultline/hono/rate-limit';
import { afterEach, describe, expect, it } from 'vitest';
import { bodyOf, buildApp, captureLogs, closeServers, expectInProfile, expectProblem, listen, profiles } from './helpers.js';

afterEach(closeServers);

/** An app with a key-protected route, served on a real socket. */
function appWith(options: ApiKeyAuthOptions, profile: ProfileName = 'problem') {
  const app = buildApp({ profile, realm: 'example' });
  app.get('/me', apiKeyAuth(options), (c) => c.json({ caller: c.var.apiKey }));
  return app;
}

const get = (base: string, authorization?: string) =>
  fetch(`${base}/me`, authorization === undefined ? {} : { headers: { authorization } });

describe('apiKeyAuth', () => {
  it('answers 401 unauthorized_request with a bare Bearer challenge when no key is sent', async () => {
    const base = await listen(appWith({ keys: ['k-1'] }));
    const answer = await get(base);
    const body = await expectProblem(answer, 401, 'unauthorized_request');
    expect(body['detail']).toBe('Send an API key in the Authorization header: Bearer <key>.');
    expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="example"');
  });

  it('answers 401 invalid_api_key with error="invalid_token" for a wrong key', async () => {
    const base = await listen(appWith({ keys: ['k-1'] }));
    const answer = await get(base, 'Bearer k-2');
    const body = await expectProblem(answer, 401, 'invalid_api_key');
    expect(body['detail']).toBe('The API key is not valid.');
    expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="example", error="invalid_token"');
  });

  it('treats another scheme, an empty key or a prefix of a key as no key or a wrong one', async () => {
    const base = await listen(appWith({ keys: ['secret-key'] }));
    await expectProblem(await get(base, 'Basic c2VjcmV0LWtleQ=='), 401, 'unauthorized_request');
    await expectProblem(await get(base, 'Bearer '), 401, 'unauthorized_request');
    await expectProblem(await get(base, 'Bearer secret'), 401, 'invalid_api_key');
  });

  it('lets a valid key through and puts it in c.var.apiKey, so a rate limit after it counts per key', async () => {
    const app = buildApp({ realm: 'example' });
    const limit = rateLimit({ policies: [{ name: 'per-key', limit: 1, windowMs: 60_000 }], key: (c) => String(c.var.apiKey) });
    app.get('/me', apiKeyAuth({ keys: ['k-1', 'k-2'] }), limit, (c) => c.json({ caller: c.var.apiKey }));
    const base = await listen(app);
    const first = await get(base, 'bearer k-2');
    expect(first.status).toBe(200);
    expect(await bodyOf(first)).toEqual({ caller: 'k-2' });
    expect((await get(base, 'Bearer k-1')).status).toBe(200);
    await expectProblem(await get(base, 'Bearer k-2'), 429, 'limit_reached');
  });

  it('asks an async verify function with the context, whose answer becomes c.var.apiKey', async () => {
    const app = appWith({
      verify: async (key, c) => (key === 'tok' ? { team: c.req.header('x-team') } : undefined),
      missing: 'Log in.',
      invalid: 'Nope.',
    });
    const base = await listen(app);
    const found = await fetch(`${base}/me`, { headers: { authorization: 'Bearer tok', 'x-team': 't_1' } });
    expect(await bodyOf(found)).toEqual({ caller: { team: 't_1' } });
    expect((await expectProblem(await get(base, 'Bearer bad'), 401, 'invalid_api_key'))['detail']).toBe('Nope.');
    expect((await expectProblem(await get(base), 401, 'unauthorized_request'))['detail']).toBe('Log in.');
  });

  it.each([
    ['rejects', () => Promise.reject(new Error('key store down'))],
    [
      'throws',
      () => {
        throw new Error('key store down');
      },
    ],
  ])('answers 500, logged, when verify %s: a broken key store is not a bad key', async (_how, verify) => {
    const { logger, entries } = captureLogs();
    const app = buildApp({ realm: 'example', logger });
    app.get('/me', apiKeyAuth({ verify }), (c) => c.body(null, 204));
    const answer = await get(await listen(app), 'Bearer x');
    await expectProblem(answer, 500, 'internal_error');
    expect(entries.some((entry) => entry.level === 'error' && (entry.fields['err'] as Error).message === 'key store down')).toBe(
      true,
    );
  });

  it('refuses options with neither keys nor verify where the middleware is made', () => {
    expect(() => apiKeyAuth({})).toThrow('apiKeyAuth needs either keys or verify, not both.');
  });

  it.each(profiles)('keeps the challenge in the %s profile', async (profile) => {
    const answer = await appWith({ keys: ['k-1'] }, profile).request('/me');
    expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="example"');
    await expectInProfile(
      answer,
      profile,
      401,
      'unauthorized_request',
      'Send an API key in the Authorization header: Bearer <key>.',
    );
  });
});
