import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinCatalog, type ProfileName } from '@faultline/core';
import { bodyOf, buildApp, closeApps, codeOf, expectProblem, profiles } from './helpers.js';

afterEach(closeApps);

async function app(options: { profile?: ProfileName; realm?: string } = {}): Promise<FastifyInstance> {
  const instance = await buildApp(options);
  instance.get('/v1/anonymous', async () => {
    throw builtinCatalog.error('unauthorized_request');
  });
  instance.get('/v1/expired', async () => {
    throw builtinCatalog.error('invalid_token');
  });
  instance.get('/v1/bad-key', async () => {
    throw builtinCatalog.error('invalid_api_key', { detail: 'The key "sk_live_x" was revoked.\nMake a new one.' });
  });
  instance.get('/v1/session', async () => {
    throw builtinCatalog.error('session_expired');
  });
  instance.get('/v1/own-challenge', async () => {
    throw builtinCatalog.error('invalid_token', {
      headers: { 'WWW-Authenticate': 'Bearer realm="partners", error="invalid_token", scope="read"' },
    });
  });
  instance.get('/v1/forbidden', async () => {
    throw builtinCatalog.error('not_authorized');
  });
  return instance;
}

describe('401 challenges', () => {
  it('gives a request without credentials a bare Bearer challenge', async () => {
    const instance = await app();
    const response = await instance.inject({ method: 'GET', url: '/v1/anonymous' });
    const body = expectProblem(response, 401, 'unauthorized_request');
    expect(body['title']).toBe('Authentication required');
    expect(response.headers['www-authenticate']).toBe('Bearer realm="api"');
    expect(response.headers['www-authenticate']).not.toContain('error=');
  });

  it('says error="invalid_token" for a bad access token', async () => {
    const instance = await app();
    const response = await instance.inject({ method: 'GET', url: '/v1/expired' });
    expectProblem(response, 401, 'invalid_token');
    expect(response.headers['www-authenticate']).toBe(
      'Bearer realm="api", error="invalid_token", error_description="The access token has expired, has been revoked, or was never valid."',
    );
  });

  it.each(['/v1/bad-key', '/v1/session'])('says error="invalid_token" for other bad credentials (%s)', async (url) => {
    const instance = await app();
    const response = await instance.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="api", error="invalid_token", error_description="/);
  });

  it('keeps the error_description a valid quoted string', async () => {
    const instance = await app();
    const response = await instance.inject({ method: 'GET', url: '/v1/bad-key' });
    expect(response.headers['www-authenticate']).toBe(
      `Bearer realm="api", error="invalid_token", error_description="The key 'sk_live_x' was revoked.?Make a new one."`,
    );
  });

  it('uses a custom realm', async () => {
    const instance = await app({ realm: 'partner-api' });
    const anonymous = await instance.inject({ method: 'GET', url: '/v1/anonymous' });
    expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="partner-api"');
    const expired = await instance.inject({ method: 'GET', url: '/v1/expired' });
    expect(expired.headers['www-authenticate']).toMatch(/^Bearer realm="partner-api", error="invalid_token"/);
  });

  it('keeps a challenge the error brings itself', async () => {
    const instance = await app();
    const response = await instance.inject({ method: 'GET', url: '/v1/own-challenge' });
    expectProblem(response, 401, 'invalid_token');
    expect(response.headers['www-authenticate']).toBe('Bearer realm="partners", error="invalid_token", scope="read"');
  });

  it('adds no challenge to a 403', async () => {
    const instance = await app();
    const response = await instance.inject({ method: 'GET', url: '/v1/forbidden' });
    expectProblem(response, 403, 'not_authorized');
    expect(response.headers['www-authenticate']).toBeUndefined();
  });

  it.each(profiles)('challenges in the %s profile', async (profile) => {
    const instance = await app({ profile });
    const response = await instance.inject({ method: 'GET', url: '/v1/anonymous' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="api"');
    expect(codeOf(profile, bodyOf(response))).toBe('unauthorized_request');
  });
});

describe('the realm option', () => {
  it.each(['line\nbreak', 'nul\0', 'é'])('refuses the realm %j when the plugin is registered', async (realm) => {
    await expect(buildApp({ realm })).rejects.toThrow(
      new TypeError('The realm must be printable ASCII: no control characters, line breaks or non-ASCII.'),
    );
  });
});
