import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProfileName } from '@faultline/core';
import { bodyOf, buildApp, closeApps, codeOf, detailOf, expectProblem, profiles } from './helpers.js';

afterEach(closeApps);

const bodyLimit = 256;
let handled = 0;

async function echoApp(profile: ProfileName = 'problem') {
  const app = await buildApp({ profile, bodyLimit });
  app.post('/v1/echo', async (request) => {
    handled += 1;
    return { received: request.body ?? null };
  });
  app.post('/v1/small', { bodyLimit: 32 }, async (request) => ({ received: request.body }));
  return app;
}

function postJson(app: FastifyInstance, payload: string | Buffer, url = '/v1/echo') {
  return app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload });
}

const notJson = 'The body is not valid JSON: ';

describe('bodies that are not JSON', () => {
  it.each([
    ['malformed', '{name: "Ada"}'],
    ['truncated', '{"name": "Ada", "tags": ["a",'],
    ['a truncated string', '{"name": "Ad'],
    ['trailing garbage', '{"name": "Ada"} extra'],
    ['a bare word', 'hello'],
  ])('answers 400 invalid_request for %s JSON, saying why', async (_case, payload) => {
    const app = await echoApp();
    const before = handled;
    const response = await postJson(app, payload);
    const body = expectProblem(response, 400, 'invalid_request');
    expect(body['title']).toBe('Invalid request');
    const detail = body['detail'] as string;
    expect(detail.startsWith(notJson)).toBe(true);
    expect(detail.length).toBeGreaterThan(notJson.length + 5);
    expect(detail.length).toBeLessThanOrEqual(notJson.length + 160);
    expect(handled).toBe(before);
  });

  it('answers 400 for an empty JSON body', async () => {
    const app = await echoApp();
    const response = await postJson(app, '');
    const body = expectProblem(response, 400, 'invalid_request');
    expect(body['detail']).toBe('The Content-Type is application/json but the body is empty.');
  });

  it('answers 400 for bytes that are not UTF-8', async () => {
    const app = await echoApp();
    const response = await postJson(app, Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]));
    const body = expectProblem(response, 400, 'invalid_request');
    expect(body['detail']).toBe('The body is not valid UTF-8.');
  });

  it('answers 400 for a truncated multi-byte character', async () => {
    const app = await echoApp();
    const euro = Buffer.from('{"price":"€"}');
    const response = await postJson(app, Buffer.concat([euro.subarray(0, 10), euro.subarray(12)]));
    const body = expectProblem(response, 400, 'invalid_request');
    expect(body['detail']).toBe('The body is not valid UTF-8.');
  });

  it('reads valid UTF-8, including characters outside ASCII', async () => {
    const app = await echoApp();
    const response = await postJson(app, Buffer.from('{"name":"Zoë €"}'));
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({ received: { name: 'Zoë €' } });
  });
});

describe('prototype poisoning', () => {
  it.each([
    ['a __proto__ key', '{"name":"Ada","__proto__":{"admin":true}}'],
    ['a nested __proto__ key', '{"profile":{"__proto__":{"admin":true}}}'],
    ['a constructor.prototype key', '{"constructor":{"prototype":{"admin":true}}}'],
  ])('refuses %s with 400 and never runs the handler', async (_case, payload) => {
    const app = await echoApp();
    const before = handled;
    const response = await postJson(app, payload);
    const body = expectProblem(response, 400, 'invalid_request');
    expect(body['detail']).toBe(`${notJson}Object contains forbidden prototype property`);
    expect(handled).toBe(before);
    expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
  });

  it('accepts a harmless constructor key', async () => {
    const app = await echoApp();
    const response = await postJson(app, '{"constructor":"Ada"}');
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({ received: { constructor: 'Ada' } });
  });
});

describe('the code in each profile', () => {
  const expected: Record<ProfileName, string> = {
    problem: 'invalid_request',
    classic: 'invalid_parameter',
    message: 'invalid_request',
    oauth: 'invalid_request',
  };

  it.each(profiles)('malformed JSON is 400 %s with the right variant code', async (profile) => {
    const app = await echoApp(profile);
    const response = await postJson(app, '{"a":');
    expect(response.statusCode).toBe(400);
    const body = bodyOf(response);
    expect(codeOf(profile, body)).toBe(expected[profile]);
    expect(detailOf(profile, body).startsWith(notJson)).toBe(true);
  });

  it.each(profiles)('an empty body is 400 with the right variant code in the %s profile', async (profile) => {
    const app = await echoApp(profile);
    const response = await postJson(app, '');
    expect(response.statusCode).toBe(400);
    const body = bodyOf(response);
    expect(codeOf(profile, body)).toBe(expected[profile]);
    expect(detailOf(profile, body)).toBe('The Content-Type is application/json but the body is empty.');
  });
});

describe('body size', () => {
  it('answers 413 request_too_large naming the configured limit', async () => {
    const app = await echoApp();
    const response = await postJson(app, JSON.stringify({ text: 'x'.repeat(bodyLimit) }));
    const body = expectProblem(response, 413, 'request_too_large');
    expect(body['title']).toBe('Request too large');
    expect(body['detail']).toBe(`The body is larger than the ${bodyLimit} bytes this endpoint accepts.`);
  });

  it('accepts a body of exactly the limit', async () => {
    const app = await echoApp();
    const payload = JSON.stringify({ text: 'x'.repeat(bodyLimit - 11) });
    expect(Buffer.byteLength(payload)).toBe(bodyLimit);
    const response = await postJson(app, payload);
    expect(response.statusCode).toBe(200);
  });

  it('names a route-level limit when the route sets its own', async () => {
    const app = await echoApp();
    const response = await postJson(app, JSON.stringify({ text: 'x'.repeat(40) }), '/v1/small');
    const body = expectProblem(response, 413, 'request_too_large');
    expect(body['detail']).toBe('The body is larger than the 32 bytes this endpoint accepts.');
  });

  it('uses 1 MiB when no limit is configured', async () => {
    const app = await buildApp();
    app.post('/v1/echo', async () => ({}));
    const response = await postJson(app, JSON.stringify({ text: 'x'.repeat(1024 * 1024) }));
    const body = expectProblem(response, 413, 'request_too_large');
    expect(body['detail']).toBe('The body is larger than the 1048576 bytes this endpoint accepts.');
  });

  it.each(profiles)('is 413 request_too_large in the %s profile', async (profile) => {
    const app = await echoApp(profile);
    const response = await postJson(app, JSON.stringify({ text: 'x'.repeat(1000) }));
    expect(response.statusCode).toBe(413);
    const body = bodyOf(response);
    expect(codeOf(profile, body)).toBe('request_too_large');
    expect(detailOf(profile, body)).toContain(`${bodyLimit} bytes`);
  });
});
