import { ApiError, builtinCatalog } from '@faultline/core';
import { HTTPException } from 'hono/http-exception';
import { bearerAuth } from 'hono/bearer-auth';
import { afterEach, describe, expect, it } from 'vitest';
import {
  bodyOf,
  buildApp,
  captureLogs,
  closeServers,
  expectInProfile,
  expectProblem,
  listen,
  profiles,
  uuidPattern,
} from './helpers.js';

afterEach(closeServers);

describe('thrown catalog errors', () => {
  it.each(profiles)('are answered as they are, in the %s profile', async (profile) => {
    const app = buildApp({ profile });
    app.get('/v1/things/:id', (c) => {
      throw builtinCatalog.error('not_found', { detail: `No thing has id ${c.req.param('id')}.` });
    });
    await expectInProfile(await app.request('/v1/things/9'), profile, 404, 'not_found', 'No thing has id 9.');
  });

  it('keep the headers set before the throw, such as rate-limit fields', async () => {
    const app = buildApp();
    app.get('/v1/x', (c) => {
      c.header('ratelimit', '"p";r=3;t=10');
      throw builtinCatalog.error('conflict', { detail: 'Busy.' });
    });
    const response = await app.request('/v1/x');
    await expectProblem(response, 409, 'conflict');
    expect(response.headers.get('ratelimit')).toBe('"p";r=3;t=10');
  });
});

describe('401 and its challenge', () => {
  it('adds WWW-Authenticate with the configured realm to unauthorized_request, on a real socket', async () => {
    const app = buildApp({ realm: 'example' });
    app.get('/v1/me', () => {
      throw builtinCatalog.error('unauthorized_request', { detail: 'Send an API key.' });
    });
    const url = await listen(app);
    const response = await fetch(`${url}/v1/me`);
    await expectProblem(response, 401, 'unauthorized_request');
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="example"/);
  });

  it('keeps a challenge the app set itself', async () => {
    const app = buildApp();
    app.get('/v1/me', () => {
      throw builtinCatalog.error('invalid_api_key', {
        detail: 'The API key is not valid.',
        headers: { 'www-authenticate': 'Bearer realm="own", error="invalid_token"' },
      });
    });
    const response = await app.request('/v1/me');
    await expectProblem(response, 401, 'invalid_api_key');
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="own", error="invalid_token"');
  });

  it("maps hono/bearer-auth's HTTPException to a catalog 401 and keeps its challenge", async () => {
    const app = buildApp();
    app.use('/v1/*', bearerAuth({ token: 'secret-token' }));
    app.get('/v1/me', (c) => c.json({ ok: true }));
    const missing = await app.request('/v1/me');
    const body = await expectProblem(missing, 401, 'unauthorized_request');
    expect(missing.headers.get('www-authenticate')).toContain('Bearer realm=');
    expect(body['detail']).toBe(builtinCatalog.find('unauthorized_request')?.description);
    expect((await app.request('/v1/me', { headers: { authorization: 'Bearer secret-token' } })).status).toBe(200);
  });
});

describe('HTTPException', () => {
  it.each([
    [400, 'invalid_request'],
    [403, 'not_authorized'],
    [404, 'not_found'],
    [409, 'conflict'],
    [429, 'limit_reached'],
  ])('with status %i becomes the catalog code %s, its message not disclosed', async (status, code) => {
    const app = buildApp();
    app.get('/v1/x', () => {
      throw new HTTPException(status as 400, { message: 'internal note: table users_v2 locked' });
    });
    const response = await app.request('/v1/x');
    expect(response.status).toBe(status);
    const body = await bodyOf(response);
    expect(body['code']).toBe(code);
    expect(JSON.stringify(body)).not.toContain('users_v2');
  });

  it('with status 500 is an opaque internal_error, logged in full', async () => {
    const { logger, entries } = captureLogs();
    const app = buildApp({ logger });
    app.get('/v1/x', () => {
      throw new HTTPException(500, { message: 'pool exhausted' });
    });
    const response = await app.request('/v1/x');
    const body = await expectProblem(response, 500, 'internal_error');
    expect(JSON.stringify(body)).not.toContain('pool exhausted');
    expect(entries.filter((entry) => entry.level === 'error')).toHaveLength(1);
  });
});

describe('unexpected failures', () => {
  it('answer an opaque 500 naming the request id, and log the whole error with it, on a real socket', async () => {
    const { logger, entries } = captureLogs();
    const app = buildApp({ logger });
    app.get('/v1/crash', () => {
      throw new Error('example crash at /srv/app/db.js:42 SELECT * FROM secrets');
    });
    const url = await listen(app);
    const response = await fetch(`${url}/v1/crash`);
    const body = await expectProblem(response, 500, 'internal_error');
    const id = response.headers.get('x-request-id') as string;
    expect(id).toMatch(uuidPattern);
    expect(body['detail']).toBe(`Something went wrong on our side. If it persists, contact support and quote request id ${id}.`);
    const text = JSON.stringify(body);
    for (const leak of ['example crash', '/srv/app', 'SELECT', 'stack']) expect(text).not.toContain(leak);
    expect(entries).toHaveLength(1);
    const [entry] = entries;
    expect(entry?.level).toBe('error');
    expect(entry?.fields['requestId']).toBe(id);
    const logged = entry?.fields['err'] as Error;
    expect(logged.message).toContain('example crash');
    expect(logged.stack).toContain('errors.test.ts');
  });

  it('answer a thrown non-Error (a string, an object) the same way', async () => {
    const { logger, entries } = captureLogs();
    const app = buildApp({ logger });
    app.get('/v1/string', () => {
      throw 'a bare string';
    });
    app.get('/v1/object', async () => {
      throw { reason: 'an object' };
    });
    await expectProblem(await app.request('/v1/string'), 500, 'internal_error');
    await expectProblem(await app.request('/v1/object'), 500, 'internal_error');
    expect(entries.map((entry) => entry.fields['err'])).toEqual(['a bare string', { reason: 'an object' }]);
  });

  it('from a code outside the catalog answer internal_error and log the code', async () => {
    const { logger, entries } = captureLogs();
    const app = buildApp({ logger });
    app.get('/v1/x', () => {
      throw new ApiError('no_such_code', 418, 'Teapot.');
    });
    await expectProblem(await app.request('/v1/x'), 500, 'internal_error');
    expect(entries.some((entry) => entry.message.includes('no_such_code'))).toBe(true);
  });
});

describe('request ids', () => {
  it('are on every answer: success, error, a Response made by hand, and a 404', async () => {
    const app = buildApp();
    app.get('/json', (c) => c.json({ ok: true }));
    app.get('/raw', () => new Response('plain', { headers: { 'content-type': 'text/plain' } }));
    app.get('/fail', () => {
      throw new Error('x');
    });
    const url = await listen(app);
    for (const path of ['/json', '/raw', '/fail', '/missing']) {
      const response = await fetch(`${url}${path}`);
      expect(response.headers.get('x-request-id'), path).toMatch(uuidPattern);
    }
  });

  it('keep a well-formed incoming id, in the header, the body and c.var.requestId', async () => {
    const app = buildApp();
    app.get('/id', (c) => c.json({ id: c.var.requestId }));
    const ok = await app.request('/id', { headers: { 'x-request-id': 'req-42.abc:1' } });
    expect(ok.headers.get('x-request-id')).toBe('req-42.abc:1');
    expect(await ok.json()).toEqual({ id: 'req-42.abc:1' });
    const missing = await app.request('/nope', { headers: { 'x-request-id': 'req-43' } });
    expect((await expectProblem(missing, 404, 'not_found'))['request_id']).toBe('req-43');
  });

  it('replace a malformed incoming id with a fresh one', async () => {
    const app = buildApp();
    app.get('/id', (c) => c.json({}));
    for (const given of ['has spaces', 'x'.repeat(129), 'semi;colon', '']) {
      const response = await app.request('/id', { headers: { 'x-request-id': given } });
      expect(response.headers.get('x-request-id')).toMatch(uuidPattern);
    }
  });
});
