import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { isWellFormedRequestId, requestIdHeader } from '@faultline/fastify';
import { bodyOf, buildApp, closeApps, uuidPattern } from './helpers.js';

afterEach(closeApps);

async function app(): Promise<FastifyInstance> {
  const instance = await buildApp({ bodyLimit: 64 });
  instance.get('/v1/ok', async (request) => ({ seen: request.id }));
  instance.post('/v1/ok', async () => ({ ok: true }));
  instance.get('/v1/fail', async () => {
    throw new Error('boom');
  });
  instance.get(
    '/v1/validated',
    { schema: { querystring: { type: 'object', required: ['q'], properties: { q: { type: 'string' } } } } },
    async () => ({}),
  );
  return instance;
}

const requests: readonly (readonly [string, InjectOptions, number])[] = [
  ['a success', { method: 'GET', url: '/v1/ok' }, 200],
  ['a 404', { method: 'GET', url: '/v1/none' }, 404],
  ['a 405', { method: 'DELETE', url: '/v1/ok' }, 405],
  ['a 415', { method: 'POST', url: '/v1/ok', headers: { 'content-type': 'text/plain' }, payload: 'x' }, 415],
  ['a 400 for bad JSON', { method: 'POST', url: '/v1/ok', headers: { 'content-type': 'application/json' }, payload: '{' }, 400],
  ['a 400 for a schema failure', { method: 'GET', url: '/v1/validated' }, 400],
  [
    'a 413',
    { method: 'POST', url: '/v1/ok', headers: { 'content-type': 'application/json' }, payload: `"${'x'.repeat(100)}"` },
    413,
  ],
  ['a 400 for a malformed URL', { method: 'GET', url: '/v1/%E0%A4%A' }, 400],
  ['a 500', { method: 'GET', url: '/v1/fail' }, 500],
];

describe('x-request-id', () => {
  it('is the header name the package exports', () => {
    expect(requestIdHeader).toBe('x-request-id');
  });

  it.each(requests)('is a fresh UUID on %s', async (_case, request, status) => {
    const instance = await app();
    const response = await instance.inject(request);
    expect(response.statusCode).toBe(status);
    const requestId = response.headers['x-request-id'];
    expect(requestId).toMatch(uuidPattern);
    if (status >= 400) {
      const body = bodyOf(response);
      expect(body['request_id']).toBe(requestId);
    } else {
      expect(bodyOf(response)).toEqual({ seen: requestId });
    }
  });

  it.each(requests)('echoes a well-formed id sent by the client on %s', async (_case, request, status) => {
    const instance = await app();
    const sent = 'client-trace_01:ab.CD';
    const response = await instance.inject({ ...request, headers: { ...request.headers, 'x-request-id': sent } });
    expect(response.statusCode).toBe(status);
    expect(response.headers['x-request-id']).toBe(sent);
  });

  it('gives every request its own id', async () => {
    const instance = await app();
    const ids = new Set<unknown>();
    for (let index = 0; index < 20; index += 1) {
      ids.add((await instance.inject({ method: 'GET', url: '/v1/none' })).headers['x-request-id']);
    }
    expect(ids.size).toBe(20);
  });

  it('echoes an id of exactly 128 characters', async () => {
    const instance = await app();
    const sent = 'a'.repeat(128);
    const response = await instance.inject({ method: 'GET', url: '/v1/ok', headers: { 'x-request-id': sent } });
    expect(response.headers['x-request-id']).toBe(sent);
  });

  it.each([
    ['too long', 'a'.repeat(129)],
    ['containing a space', 'abc def'],
    ['containing CR/LF', 'abc\r\nx-injected: yes'],
    ['containing a bare LF', 'abc\n'],
    ['containing a quote', 'abc"def'],
    ['containing non-ASCII', 'abcé'],
    ['empty', ''],
  ])('replaces an id %s with a fresh UUID', async (_case, sent) => {
    const instance = await app();
    const response = await instance.inject({ method: 'GET', url: '/v1/ok', headers: { 'x-request-id': sent } });
    expect(response.statusCode).toBe(200);
    const requestId = response.headers['x-request-id'];
    expect(requestId).toMatch(uuidPattern);
    expect(requestId).not.toBe(sent);
    expect(response.headers['x-injected']).toBeUndefined();
    expect(bodyOf(response)).toEqual({ seen: requestId });
  });

  it('replaces a malformed id on an error response too', async () => {
    const instance = await app();
    const response = await instance.inject({ method: 'GET', url: '/v1/fail', headers: { 'x-request-id': 'bad id' } });
    expect(response.statusCode).toBe(500);
    const requestId = response.headers['x-request-id'] as string;
    expect(requestId).toMatch(uuidPattern);
    expect(response.body).toContain(requestId);
    expect(response.body).not.toContain('bad id');
  });
});

describe('isWellFormedRequestId', () => {
  it.each(['a', 'A-z_0.9:x', 'a'.repeat(128), '3f2b8c1e-0d4a-4e5b-9c6d-7e8f9a0b1c2d'])('accepts %s', (value) => {
    expect(isWellFormedRequestId(value)).toBe(true);
  });

  it.each(['', 'a'.repeat(129), 'a b', 'a\n', 'a\r\nb', 'a/b', 'a;b', 'é'])('refuses %j', (value) => {
    expect(isWellFormedRequestId(value)).toBe(false);
  });

  it.each([undefined, null, 42, ['abc']])('refuses the non-string %j', (value) => {
    expect(isWellFormedRequestId(value)).toBe(false);
  });
});
