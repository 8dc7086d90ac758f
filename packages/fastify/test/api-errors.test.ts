import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, builtinCatalog } from '@faultline/core';
import { internalErrorDetail } from '@faultline/fastify';
import { bodyOf, buildApp, captureLogs, closeApps, codeOf, expectProblem, fieldErrorsOf, profiles } from './helpers.js';

const now = new Date('2030-01-02T03:04:05.000Z');

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(now);
});

afterEach(async () => {
  vi.useRealTimers();
  await closeApps();
});

const inSeconds = (seconds: number): Date => new Date(now.getTime() + seconds * 1000);

describe('an ApiError thrown by a route', () => {
  it('sends Retry-After in whole seconds for a retryAt', async () => {
    const app = await buildApp();
    app.get('/v1/busy', async () => {
      throw builtinCatalog.error('limit_reached', { retryAt: inSeconds(30) });
    });
    const response = await app.inject({ method: 'GET', url: '/v1/busy' });
    const body = expectProblem(response, 429, 'limit_reached');
    expect(response.headers['retry-after']).toBe('30');
    expect(body['retry_after']).toBe('2030-01-02T03:04:35.000Z');
    expect(body['time']).toBe('2030-01-02T03:04:05.000Z');
  });

  it('rounds a fractional wait up', async () => {
    const app = await buildApp();
    app.get('/v1/busy', async () => {
      throw builtinCatalog.error('service_unavailable', { retryAt: inSeconds(1.2) });
    });
    const response = await app.inject({ method: 'GET', url: '/v1/busy' });
    expectProblem(response, 503, 'service_unavailable');
    expect(response.headers['retry-after']).toBe('2');
  });

  it('never sends a negative Retry-After', async () => {
    const app = await buildApp();
    app.get('/v1/busy', async () => {
      throw builtinCatalog.error('limit_reached', { retryAt: inSeconds(-60) });
    });
    const response = await app.inject({ method: 'GET', url: '/v1/busy' });
    expect(response.headers['retry-after']).toBe('0');
  });

  it('sends no Retry-After without a retryAt', async () => {
    const app = await buildApp();
    app.get('/v1/busy', async () => {
      throw builtinCatalog.error('limit_reached');
    });
    const response = await app.inject({ method: 'GET', url: '/v1/busy' });
    expectProblem(response, 429, 'limit_reached');
    expect(response.headers['retry-after']).toBeUndefined();
  });

  it.each(profiles)('sends Retry-After in the %s profile', async (profile) => {
    const app = await buildApp({ profile });
    app.get('/v1/busy', async () => {
      throw builtinCatalog.error('limit_reached', { retryAt: inSeconds(90) });
    });
    const response = await app.inject({ method: 'GET', url: '/v1/busy' });
    expect(response.statusCode).toBe(429);
    expect(response.headers['retry-after']).toBe('90');
    expect(codeOf(profile, bodyOf(response))).toBe(profile === 'oauth' ? 'usage_limit_exceeded' : 'limit_reached');
  });

  it('sends the headers the error carries and its field errors', async () => {
    const app = await buildApp();
    app.put('/v1/things/:id', async () => {
      throw builtinCatalog.error('precondition_failed', {
        detail: 'The thing changed since you read it.',
        headers: { ETag: '"v7"' },
        errors: [{ pointer: '/version', location: 'body', code: 'invalid_parameter', detail: 'is stale' }],
      });
    });
    const response = await app.inject({ method: 'PUT', url: '/v1/things/1' });
    const body = expectProblem(response, 412, 'precondition_failed');
    expect(response.headers['etag']).toBe('"v7"');
    expect(body['detail']).toBe('The thing changed since you read it.');
    expect(fieldErrorsOf(body)).toEqual([
      { pointer: '/version', location: 'body', code: 'invalid_parameter', detail: 'is stale' },
    ]);
  });

  it('answers with an explicit status that differs from the catalog', async () => {
    const app = await buildApp();
    app.get('/v1/gone', async () => {
      throw new ApiError('not_found', 410, 'This thing was deleted.');
    });
    const response = await app.inject({ method: 'GET', url: '/v1/gone' });
    const body = expectProblem(response, 410, 'not_found');
    expect(body['detail']).toBe('This thing was deleted.');
  });

  it('is not logged at error level', async () => {
    const logs = captureLogs();
    const app = await buildApp({ logStream: logs.stream });
    app.get('/v1/missing', async () => {
      throw builtinCatalog.error('not_found');
    });
    await app.inject({ method: 'GET', url: '/v1/missing' });
    expect(logs.lines.filter((line) => line.level >= 40)).toEqual([]);
  });
});

describe('an ApiError whose code is not in the catalog', () => {
  it('is answered as 500 internal_error and logged as an error', async () => {
    const logs = captureLogs();
    const app = await buildApp({ logStream: logs.stream });
    app.get('/v1/odd', async () => {
      throw new ApiError('teapot_overheated', 418, 'The teapot at /srv/kitchen is too hot.');
    });
    const response = await app.inject({ method: 'GET', url: '/v1/odd', headers: { 'x-request-id': 'odd-1' } });
    const body = expectProblem(response, 500, 'internal_error');
    expect(body['detail']).toBe(internalErrorDetail('odd-1'));
    expect(response.body).not.toContain('teapot');
    expect(response.body).not.toContain('/srv/kitchen');
    const errors = logs.lines.filter((line) => line.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      reqId: 'odd-1',
      code: 'teapot_overheated',
      msg: 'Error code "teapot_overheated" is not in the catalog; answering internal_error instead.',
    });
  });

  it.each(profiles)('is internal_error in the vocabulary of the %s profile', async (profile) => {
    const app = await buildApp({ profile });
    app.get('/v1/odd', async () => {
      throw new ApiError('made_up', 400, 'made up');
    });
    const response = await app.inject({ method: 'GET', url: '/v1/odd' });
    expect(response.statusCode).toBe(500);
    expect(codeOf(profile, bodyOf(response))).toBe(profile === 'oauth' ? 'server_error' : 'internal_error');
  });

  it('drops the headers of the unknown error', async () => {
    const app = await buildApp();
    app.get('/v1/odd', async () => {
      throw new ApiError('made_up', 401, 'made up', { retryAt: inSeconds(5) });
    });
    const response = await app.inject({ method: 'GET', url: '/v1/odd' });
    expectProblem(response, 500, 'internal_error');
    expect(response.headers['retry-after']).toBeUndefined();
    expect(response.headers['www-authenticate']).toBeUndefined();
  });
});
