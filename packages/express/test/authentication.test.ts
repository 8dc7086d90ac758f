import { afterEach, describe, expect, it } from 'vitest';
import type { ProfileName } from '@faultline/core';
import { apiKeyAuth, bearerChallenge, wwwAuthenticate, type ApiKeyAuthOptions } from '@faultline/express';
import { bodyOf, buildApp, closeServers, codeOf, wireCode, expectProblem, listen, profiles, send } from './helpers.js';

afterEach(closeServers);

async function appWith(options: ApiKeyAuthOptions, profile: ProfileName = 'problem'): Promise<string> {
  const test = buildApp({ profile, realm: 'example' });
  test.app.get('/me', apiKeyAuth(options), (req, res) => void res.json({ caller: (req as { apiKey?: unknown }).apiKey }));
  test.app.get('/open', (_req, res) => void res.json({ open: true }));
  test.app.get('/forbidden', (_req, _res, next) => {
    next(test.contract.settings.catalog.error('unauthorized_request', { detail: 'Sign in first.' }));
  });
  return listen(test);
}

describe('apiKeyAuth', () => {
  it('answers 401 unauthorized_request with a bare Bearer challenge when no key is sent', async () => {
    const base = await appWith({ keys: ['k-1'] });
    const answer = await send(base, { path: '/me' });
    const body = expectProblem(answer, 401, 'unauthorized_request');
    expect(body['detail']).toBe('Send an API key in the Authorization header: Bearer <key>.');
    expect(answer.headers['www-authenticate']).toBe('Bearer realm="example"');
  });

  it('answers 401 invalid_api_key with error="invalid_token" for a wrong key', async () => {
    const base = await appWith({ keys: ['k-1'] });
    const answer = await send(base, { path: '/me', headers: { authorization: 'Bearer k-2' } });
    const body = expectProblem(answer, 401, 'invalid_api_key');
    expect(body['detail']).toBe('The API key is not valid.');
    expect(answer.headers['www-authenticate']).toBe('Bearer realm="example", error="invalid_token"');
  });

  it('treats another scheme, an empty key or a prefix of a key as no key or a wrong one', async () => {
    const base = await appWith({ keys: ['secret-key'] });
    expect((await send(base, { path: '/me', headers: { authorization: 'Basic c2VjcmV0LWtleQ==' } })).status).toBe(401);
    expect((await send(base, { path: '/me', headers: { authorization: 'Bearer ' } })).status).toBe(401);
    const prefix = await send(base, { path: '/me', headers: { authorization: 'Bearer secret' } });
    expectProblem(prefix, 401, 'invalid_api_key');
  });

  it('lets a valid key through and puts it on the request', async () => {
    const base = await appWith({ keys: ['k-1', 'k-2'] });
    const answer = await send(base, { path: '/me', headers: { authorization: 'bearer k-2' } });
    expect(answer.status).toBe(200);
    expect(bodyOf(answer)).toEqual({ caller: 'k-2' });
  });

  it('asks an async verify function, whose answer becomes req.apiKey', async () => {
    const base = await appWith({
      verify: async (key) => (key === 'tok' ? { team: 't_1' } : undefined),
      missing: 'Log in.',
      invalid: 'Nope.',
    });
    expect(bodyOf(await send(base, { path: '/me', headers: { authorization: 'Bearer tok' } }))).toEqual({
      caller: { team: 't_1' },
    });
    const wrong = await send(base, { path: '/me', headers: { authorization: 'Bearer bad' } });
    expect(expectProblem(wrong, 401, 'invalid_api_key')['detail']).toBe('Nope.');
  });

  it('answers 500, logged, when verify itself fails: a broken key store is not a bad key', async () => {
    const test = buildApp({ realm: 'example' });
    test.app.get('/me', apiKeyAuth({ verify: () => Promise.reject(new Error('key store down')) }), (_req, res) => void res.end());
    const base = await listen(test);
    const answer = await send(base, { path: '/me', headers: { authorization: 'Bearer x' } });
    expectProblem(answer, 500, 'internal_error');
    expect(
      test.logs.some((entry) => entry.level === 'error' && (entry.fields['err'] as Error).message === 'key store down'),
    ).toBe(true);
  });

  it.each(profiles)('keeps the challenge in the %s profile', async (profile) => {
    const base = await appWith({ keys: ['k-1'] }, profile);
    const answer = await send(base, { path: '/me' });
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toBe('Bearer realm="example"');
    expect(codeOf(profile, bodyOf(answer))).toBe(wireCode(profile, 'unauthorized_request'));
  });
});

describe('a 401 from anywhere', () => {
  it('gets the realm challenge when the error sets none', async () => {
    const base = await appWith({ keys: ['k'] });
    const answer = await send(base, { path: '/forbidden' });
    expectProblem(answer, 401, 'unauthorized_request');
    expect(answer.headers['www-authenticate']).toMatch(/^Bearer realm="example"/);
  });

  it('is built from the challenge helpers', () => {
    expect(wwwAuthenticate([bearerChallenge({ realm: 'api', error: 'invalid_token' })])).toBe(
      'Bearer realm="api", error="invalid_token"',
    );
  });
});
