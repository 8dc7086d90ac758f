import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinCatalog, type ProfileName } from '@faultline/core';
import {
  bodyOf,
  buildApp,
  closeApps,
  expectProblem,
  jsonContentType,
  problemContentType,
  profiles,
  uuidPattern,
} from './helpers.js';

afterEach(closeApps);

async function app(profile: ProfileName): Promise<FastifyInstance> {
  const instance = await buildApp({ profile });
  instance.get('/v1/things/:id', async () => {
    throw builtinCatalog.error('not_found', { detail: 'No thing has id 9.' });
  });
  instance.post('/oauth/token', { config: { faultline: { profile: 'oauth', context: 'oauth-token' } } }, async (request) => {
    const grant = (request.body as { grant_type?: string } | undefined)?.grant_type;
    if (grant === 'password') throw builtinCatalog.error('unauthorized_client');
    throw builtinCatalog.error('invalid_grant', { detail: 'The "code" has expired.' });
  });
  instance.post('/v1/clients', async () => {
    throw builtinCatalog.error('unauthorized_client');
  });
  instance.get('/oauth/authorize', { config: { faultline: { profile: 'oauth' } } }, async () => {
    throw builtinCatalog.error('not_authorized');
  });
  return instance;
}

const others = profiles.filter((profile) => profile !== 'problem');

describe('the configured profile', () => {
  it('problem writes RFC 9457 problem+json', async () => {
    const instance = await app('problem');
    const response = await instance.inject({ method: 'GET', url: '/v1/things/9' });
    const body = expectProblem(response, 404, 'not_found');
    expect(body).toEqual({
      type: '/docs/errors#not_found',
      title: 'Not found',
      status: 404,
      detail: 'No thing has id 9.',
      code: 'not_found',
      request_id: response.headers['x-request-id'],
      time: body['time'],
    });
  });

  it('classic writes {code, error, time}', async () => {
    const instance = await app('classic');
    const response = await instance.inject({ method: 'GET', url: '/v1/things/9' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe(jsonContentType);
    const body = bodyOf(response);
    expect(body).toEqual({ code: 'not_found', error: 'No thing has id 9.', time: body['time'] });
    expect(new Date(body['time'] as string).toISOString()).toBe(body['time']);
  });

  it('message writes {message, description, code, request_id}', async () => {
    const instance = await app('message');
    const response = await instance.inject({ method: 'GET', url: '/v1/things/9' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe(jsonContentType);
    expect(bodyOf(response)).toEqual({
      message: 'Not Found',
      description: 'No thing has id 9.',
      code: 'not_found',
      request_id: response.headers['x-request-id'],
    });
  });

  it('oauth writes {error, error_description, error_uri}', async () => {
    const instance = await app('oauth');
    const response = await instance.inject({ method: 'GET', url: '/v1/things/9' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe(jsonContentType);
    expect(bodyOf(response)).toEqual({
      error: 'not_found',
      error_description: 'No thing has id 9.',
      error_uri: '/docs/errors#not_found',
    });
  });

  it('uses the docsUrl option in links', async () => {
    const instance = await buildApp({ docsUrl: 'https://docs.example.com/errors' });
    const response = await instance.inject({ method: 'GET', url: '/missing' });
    expect(bodyOf(response)['type']).toBe('https://docs.example.com/errors#not_found');
  });
});

describe('Accept: application/problem+json', () => {
  it.each(others)('switches the %s profile to problem+json', async (profile) => {
    const instance = await app(profile);
    const response = await instance.inject({
      method: 'GET',
      url: '/v1/things/9',
      headers: { accept: 'application/problem+json' },
    });
    const body = expectProblem(response, 404, 'not_found');
    expect(body['detail']).toBe('No thing has id 9.');
  });

  it.each(others)('switches the %s profile for a 404 of an unknown route too', async (profile) => {
    const instance = await app(profile);
    const response = await instance.inject({
      method: 'GET',
      url: '/nowhere',
      headers: { accept: 'application/json;q=0.9, Application/Problem+JSON' },
    });
    expectProblem(response, 404, 'not_found');
  });

  it.each([
    'application/problem+json;q=0',
    'application/problem+json; q=0.0',
    'application/problem+json;q=0.000, application/json',
    'application/json',
    'text/html, */*',
  ])('does not switch for Accept: %s', async (accept) => {
    const instance = await app('classic');
    const response = await instance.inject({ method: 'GET', url: '/v1/things/9', headers: { accept } });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe(jsonContentType);
    expect(bodyOf(response)).toEqual({ code: 'not_found', error: 'No thing has id 9.', time: expect.any(String) });
  });

  it('switches for a non-zero quality', async () => {
    const instance = await app('message');
    const response = await instance.inject({
      method: 'GET',
      url: '/v1/things/9',
      headers: { accept: 'application/problem+json;q=0.5' },
    });
    expect(response.headers['content-type']).toBe(problemContentType);
  });
});

describe('route config', () => {
  it.each(profiles)('forces oauth on a token endpoint whatever the app profile (%s)', async (profile) => {
    const instance = await app(profile);
    const response = await instance.inject({
      method: 'POST',
      url: '/oauth/token',
      payload: { grant_type: 'authorization_code' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe(jsonContentType);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(typeof response.headers['x-request-id']).toBe('string');
    expect(bodyOf(response)).toEqual({
      error: 'invalid_grant',
      error_description: "The 'code' has expired.",
      error_uri: '/docs/errors#invalid_grant',
    });
  });

  it('forces oauth even when the client asks for problem+json', async () => {
    const instance = await app('problem');
    const response = await instance.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { accept: 'application/problem+json' },
      payload: { grant_type: 'authorization_code' },
    });
    expect(response.headers['content-type']).toBe(jsonContentType);
    expect(bodyOf(response)['error']).toBe('invalid_grant');
  });

  it('answers unauthorized_client with 400 in the oauth-token context', async () => {
    const instance = await app('problem');
    const response = await instance.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'password' } });
    expect(response.statusCode).toBe(400);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['www-authenticate']).toBeUndefined();
    expect(bodyOf(response)).toMatchObject({ error: 'unauthorized_client' });
  });

  it('answers unauthorized_client with 401 and a challenge outside the token endpoint', async () => {
    const instance = await app('problem');
    const response = await instance.inject({ method: 'POST', url: '/v1/clients' });
    expectProblem(response, 401, 'unauthorized_client');
    expect(response.headers['www-authenticate']).toBe('Bearer realm="api"');
    expect(response.headers['cache-control']).toBeUndefined();
  });

  it('applies the oauth vocabulary without no-store when only the profile is forced', async () => {
    const instance = await app('problem');
    const response = await instance.inject({ method: 'GET', url: '/oauth/authorize' });
    expect(response.statusCode).toBe(403);
    expect(response.headers['cache-control']).toBeUndefined();
    expect(bodyOf(response)).toMatchObject({ error: 'access_denied' });
  });

  it('applies to errors Fastify raises on that route, such as bad JSON', async () => {
    const instance = await app('classic');
    const response = await instance.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/json' },
      payload: '{"grant_type":',
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['x-request-id']).toMatch(uuidPattern);
    expect(bodyOf(response)).toMatchObject({ error: 'invalid_request', error_uri: '/docs/errors#invalid_request' });
  });
});
