import { afterEach, describe, expect, it } from 'vitest';
import { internalErrorDetail } from '@faultline/fastify';
import { bodyOf, buildApp, captureLogs, closeApps, codeOf, detailOf, expectProblem, profiles } from './helpers.js';

afterEach(closeApps);

const secretMessage =
  "ENOENT: no such file or directory, open '/srv/app/config/secrets.json' while running SELECT password_hash FROM users WHERE id = 42";

function leakyError(): Error {
  const error = new Error(secretMessage);
  error.stack = `Error: ${secretMessage}\n    at loadSecrets (/srv/app/src/secrets.ts:12:9)\n    at handler (/srv/app/src/routes.ts:40:3)`;
  return error;
}

const leaks = ['ENOENT', '/srv/app', 'secrets.json', 'SELECT', 'password_hash', 'routes.ts', 'loadSecrets', '    at '];

async function failingApp(options: Parameters<typeof buildApp>[0] = {}) {
  const app = await buildApp(options);
  app.get('/v1/fail', async () => {
    throw leakyError();
  });
  app.get('/v1/fail-sync', () => {
    throw leakyError();
  });
  app.get('/v1/fail-in-hook', { preHandler: async () => Promise.reject(leakyError()) }, async () => ({ ok: true }));
  app.get('/v1/throws-string', async () => {
    throw 'a string with /srv/app/secret.txt';
  });
  return app;
}

describe('an unexpected exception', () => {
  it.each(['/v1/fail', '/v1/fail-sync', '/v1/fail-in-hook'])(
    'on %s is 500 internal_error that discloses only the request id',
    async (url) => {
      const app = await failingApp();
      const response = await app.inject({ method: 'GET', url });
      const body = expectProblem(response, 500, 'internal_error');
      const requestId = response.headers['x-request-id'] as string;
      expect(body['title']).toBe('Internal error');
      expect(body['detail']).toBe(internalErrorDetail(requestId));
      expect(body['detail']).toContain(requestId);
      for (const leak of leaks) expect(response.body).not.toContain(leak);
      expect(Object.keys(body).sort()).toEqual(['code', 'detail', 'request_id', 'status', 'time', 'title', 'type']);
    },
  );

  it('echoes the request id the client sent in the detail', async () => {
    const app = await failingApp();
    const response = await app.inject({ method: 'GET', url: '/v1/fail', headers: { 'x-request-id': 'trace-abc.123' } });
    const body = expectProblem(response, 500, 'internal_error');
    expect(response.headers['x-request-id']).toBe('trace-abc.123');
    expect(body['detail']).toBe(
      'Something went wrong on our side. If it persists, contact support and quote request id trace-abc.123.',
    );
  });

  it('treats a thrown non-Error value the same way', async () => {
    const app = await failingApp();
    const response = await app.inject({ method: 'GET', url: '/v1/throws-string' });
    expectProblem(response, 500, 'internal_error');
    expect(response.body).not.toContain('secret.txt');
  });

  it.each(profiles)('is 500 with the request id and no leak in the %s profile', async (profile) => {
    const app = await failingApp({ profile });
    const response = await app.inject({ method: 'GET', url: '/v1/fail' });
    expect(response.statusCode).toBe(500);
    const requestId = response.headers['x-request-id'] as string;
    const body = bodyOf(response);
    expect(codeOf(profile, body)).toBe(profile === 'oauth' ? 'server_error' : 'internal_error');
    expect(detailOf(profile, body)).toBe(internalErrorDetail(requestId));
    expect(response.body).toContain(requestId);
    for (const leak of leaks) expect(response.body).not.toContain(leak);
  });

  it('logs the original error in full under the request id', async () => {
    const logs = captureLogs();
    const app = await failingApp({ logStream: logs.stream });
    const response = await app.inject({ method: 'GET', url: '/v1/fail', headers: { 'x-request-id': 'req-500-log' } });
    expect(response.statusCode).toBe(500);
    const errors = logs.lines.filter((line) => line.level === 50);
    expect(errors).toHaveLength(1);
    const [line] = errors;
    expect(line?.reqId).toBe('req-500-log');
    expect(line?.msg).toBe('Unexpected error; answered with internal_error');
    expect(line?.err?.message).toBe(secretMessage);
    expect(line?.err?.stack).toContain('/srv/app/src/secrets.ts:12:9');
  });

  it('logs a generated request id that matches the response header', async () => {
    const logs = captureLogs();
    const app = await failingApp({ logStream: logs.stream });
    const response = await app.inject({ method: 'GET', url: '/v1/fail-in-hook' });
    const requestId = response.headers['x-request-id'];
    const line = logs.lines.find((entry) => entry.level === 50);
    expect(line?.reqId).toBe(requestId);
    expect(line?.err?.message).toBe(secretMessage);
  });

  it('does not log expected client errors at error level', async () => {
    const logs = captureLogs();
    const app = await failingApp({ logStream: logs.stream });
    await app.inject({ method: 'GET', url: '/v1/missing' });
    await app.inject({ method: 'POST', url: '/v1/fail', headers: { 'content-type': 'application/json' }, payload: '{' });
    expect(logs.lines.filter((line) => line.level >= 50)).toEqual([]);
  });
});

describe('errors that carry an HTTP status', () => {
  it('maps a foreign 4xx error to its catalog code with the catalog description', async () => {
    const app = await buildApp();
    app.get('/v1/conflict', async () => {
      throw Object.assign(new Error('duplicate key value violates unique constraint "users_email_key"'), { statusCode: 409 });
    });
    const response = await app.inject({ method: 'GET', url: '/v1/conflict' });
    const body = expectProblem(response, 409, 'conflict');
    expect(body['detail']).toBe(
      'The request clashes with the current state of the resource, for example creating something that already exists.',
    );
    expect(response.body).not.toContain('users_email_key');
  });

  it('maps a foreign 503 error to service_unavailable', async () => {
    const app = await buildApp();
    app.get('/v1/down', async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { statusCode: 503 });
    });
    const response = await app.inject({ method: 'GET', url: '/v1/down' });
    expectProblem(response, 503, 'service_unavailable');
    expect(response.body).not.toContain('ECONNREFUSED');
  });

  it('answers internal_error for a foreign error with status 500', async () => {
    const app = await buildApp();
    app.get('/v1/broken', async () => {
      throw Object.assign(new Error('pool exhausted at /srv/db.ts'), { statusCode: 500 });
    });
    const response = await app.inject({ method: 'GET', url: '/v1/broken' });
    expectProblem(response, 500, 'internal_error');
    expect(response.body).not.toContain('/srv/db.ts');
  });
});
