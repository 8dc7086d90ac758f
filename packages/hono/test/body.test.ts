import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { readJsonBody, validate } from '@faultline/hono';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bodyOf, buildApp, closeServers, expectInProfile, expectProblem, listen, profiles } from './helpers.js';

afterEach(closeServers);

function echoApp(options: Parameters<typeof buildApp>[0] = {}) {
  const app = buildApp(options);
  app.post('/echo', async (c) => c.json({ received: await readJsonBody(c) }));
  app.post('/small', validate('json', z.object({}).passthrough(), { bodyLimit: 16 }), (c) => c.json(c.req.valid('json')));
  return app;
}

const post = (body: string, contentType = 'application/json'): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': contentType },
  body,
});

describe('the JSON body', () => {
  it('is read once, and c.req.json() gives it again', async () => {
    const app = buildApp();
    app.post('/twice', async (c) => c.json({ first: await readJsonBody(c), second: await c.req.json<unknown>() }));
    const response = await app.request('/twice', post('{"a":[1,2]}'));
    expect(await response.json()).toEqual({ first: { a: [1, 2] }, second: { a: [1, 2] } });
  });

  it('is undefined when the request has none', async () => {
    const app = echoApp();
    expect(await (await app.request('/echo', { method: 'POST' })).json()).toEqual({});
  });
});

describe('415', () => {
  it('names the type sent and the accepted one, on a real socket', async () => {
    const url = await listen(echoApp());
    const response = await fetch(`${url}/echo`, post('title=x', 'application/x-www-form-urlencoded'));
    const body = await expectProblem(response, 415, 'invalid_content_type');
    expect(body['detail']).toBe(
      'The body was sent as "application/x-www-form-urlencoded", which this endpoint does not read. Send it as one of: application/json.',
    );
  });

  it('names the missing Content-Type of a body', async () => {
    const app = echoApp();
    const response = await app.request('/echo', { method: 'POST', body: new TextEncoder().encode('{}') });
    const body = await expectProblem(response, 415, 'invalid_content_type');
    expect(body['detail']).toBe('The request has a body but no Content-Type. Send it as one of: application/json.');
  });

  it('accepts parameters on the media type', async () => {
    const response = await echoApp().request('/echo', post('{"a":1}', 'application/json; charset=utf-8'));
    expect(await response.json()).toEqual({ received: { a: 1 } });
  });
});

describe('malformed JSON', () => {
  it('is 400 invalid_request saying where it breaks, on a real socket', async () => {
    const url = await listen(echoApp());
    const response = await fetch(`${url}/echo`, post('{"title": '));
    const body = await expectProblem(response, 400, 'invalid_request');
    expect(body['detail']).toMatch(/^The body is not valid JSON: /);
  });

  it('is 400 for an empty body sent as JSON, and for a prototype key', async () => {
    const app = echoApp();
    await expectProblem(await app.request('/echo', post('')), 400, 'invalid_request');
    const proto = await app.request('/echo', post('{"__proto__":{"admin":true}}'));
    await expectProblem(proto, 400, 'invalid_request');
  });

  it('is 400, never 500, whatever the bytes (property)', async () => {
    const app = echoApp();
    const notJson = fc
      .oneof(
        fc.string(),
        fc.string({ unit: 'binary' }),
        fc.json().map((text) => `${text}}`),
      )
      .filter((text) => {
        try {
          JSON.parse(text);
          return false;
        } catch {
          return true;
        }
      });
    await fc.assert(
      fc.asyncProperty(notJson, async (text) => {
        const response = await app.request('/echo', post(text));
        expect([400, 413]).toContain(response.status);
        const body = await bodyOf(response);
        expect(['invalid_request', 'request_too_large']).toContain(body['code']);
      }),
      { numRuns: 300 },
    );
  });

  it('is 400 for any bytes that are not UTF-8 (property)', async () => {
    const app = echoApp();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 64 }), async (bytes) => {
        let valid = true;
        try {
          JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
        } catch {
          valid = false;
        }
        fc.pre(!valid);
        const response = await app.request('/echo', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: bytes,
        });
        expect(response.status).toBe(400);
      }),
      { numRuns: 200 },
    );
  });

  it.each(profiles)('is invalid_request in the %s profile', async (profile) => {
    const response = await echoApp({ profile }).request('/echo', post('[1,'));
    const body = await bodyOf(response.clone());
    const detail = String(body['detail'] ?? body['error_description'] ?? body['description'] ?? body['error']);
    expect(detail).toMatch(/^The body is not valid JSON: /);
    await expectInProfile(response, profile, 400, 'invalid_request', detail);
  });
});

describe('413', () => {
  it('refuses a Content-Length over the limit before reading, naming the limit', async () => {
    const url = await listen(echoApp({ bodyLimit: 1024 }));
    const response = await fetch(`${url}/echo`, post(JSON.stringify({ text: 'x'.repeat(2000) })));
    const body = await expectProblem(response, 413, 'request_too_large');
    expect(body['detail']).toBe('The body is larger than the 1024 bytes this endpoint accepts.');
  });

  it('takes a per-route limit from validate()', async () => {
    const app = echoApp();
    await expectProblem(await app.request('/small', post('{"a":"0123456789abcdef"}')), 413, 'request_too_large');
    expect((await app.request('/small', post('{"a":1}'))).status).toBe(200);
  });

  it('counts a chunked body while it is read, and answers before the client has sent it all', async () => {
    const url = new URL(await listen(echoApp({ bodyLimit: 64 * 1024 })));
    const chunk = Buffer.alloc(16 * 1024, 'a');
    const { status, sentWhenAnswered } = await new Promise<{ status: number; sentWhenAnswered: number }>((resolve, reject) => {
      let sent = 0;
      const request = httpRequest(
        { host: url.hostname, port: url.port, path: '/echo', method: 'POST', headers: { 'content-type': 'application/json' } },
        (response) => {
          response.resume();
          resolve({ status: response.statusCode ?? 0, sentWhenAnswered: sent });
          request.destroy();
        },
      );
      request.on('error', (error) => (sent > 0 ? undefined : reject(error)));
      request.write('"');
      // An endless string: 16 KiB every 5 ms, until the server answers (at most 64 MiB).
      const pump = setInterval(() => {
        if (request.destroyed || sent > 64 * 1024 * 1024) return clearInterval(pump);
        request.write(chunk);
        sent += chunk.length;
      }, 5);
    });
    expect(status).toBe(413);
    expect(sentWhenAnswered).toBeLessThan(16 * 1024 * 1024);
  });

  it('refuses a JSON body nested past the shape limits with 413, naming the limit', async () => {
    const app = echoApp({ jsonLimits: { maxDepth: 8 } });
    const response = await app.request('/echo', post(`${'['.repeat(20)}${']'.repeat(20)}`));
    const body = await expectProblem(response, 413, 'request_too_large');
    expect(body['detail']).toMatch(/8/);
  });

  it.each(profiles)('is request_too_large in the %s profile', async (profile) => {
    const response = await echoApp({ profile, bodyLimit: 10 }).request('/echo', post('{"a":"0123456789"}'));
    await expectInProfile(
      response,
      profile,
      413,
      'request_too_large',
      'The body is larger than the 10 bytes this endpoint accepts.',
    );
  });
});
