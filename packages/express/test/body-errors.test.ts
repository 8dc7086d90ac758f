import express from 'express';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProfileName } from '@faultline/core';
import { bodyOf, buildApp, closeServers, codeOf, wireCode, expectProblem, listen, profiles, send, sendJson } from './helpers.js';

afterEach(closeServers);

/** POST /echo reads a JSON body (limit 1 KiB) and answers it back. */
async function echoApp(profile: ProfileName = 'problem', limit = 1024): Promise<string> {
  const test = buildApp({ profile, bodyLimit: limit, jsonLimits: { maxDepth: 8 } });
  test.app.post('/echo', test.contract.json(), (req, res) => void res.json({ got: req.body ?? null }));
  test.app.delete('/echo', test.contract.json(), (req, res) => void res.json({ got: req.body ?? null }));
  test.app.get('/echo', test.contract.json(), (req, res) => void res.json({ got: req.body ?? null }));
  return listen(test);
}

describe('the JSON body', () => {
  it('is parsed into req.body', async () => {
    const base = await echoApp();
    const answer = await sendJson(base, 'POST', '/echo', { a: [1, 'two', null] });
    expect(answer.status).toBe(200);
    expect(bodyOf(answer)).toEqual({ got: { a: [1, 'two', null] } });
  });

  it('is read whatever the parameters and case of its media type', async () => {
    const base = await echoApp();
    const answer = await send(base, {
      method: 'POST',
      path: '/echo',
      body: '{"a":1}',
      headers: { 'content-type': 'Application/JSON; charset=utf-8' },
    });
    expect(bodyOf(answer)).toEqual({ got: { a: 1 } });
  });

  it('is read when sent in chunks', async () => {
    const base = await echoApp();
    const answer = await send(base, {
      method: 'POST',
      path: '/echo',
      chunks: ['{"a":', '[1,2', ']}'],
      headers: { 'content-type': 'application/json' },
    });
    expect(bodyOf(answer)).toEqual({ got: { a: [1, 2] } });
  });

  it('leaves a request without a body alone', async () => {
    const base = await echoApp();
    const answer = await send(base, { method: 'POST', path: '/echo' });
    expect(bodyOf(answer)).toEqual({ got: null });
  });
});

describe('415 invalid_content_type', () => {
  it('names the type sent and the types accepted', async () => {
    const base = await echoApp();
    const answer = await send(base, { method: 'POST', path: '/echo', body: 'hello', headers: { 'content-type': 'text/plain' } });
    const body = expectProblem(answer, 415, 'invalid_content_type');
    expect(body['detail']).toContain('"text/plain"');
    expect(body['detail']).toContain('application/json');
  });

  it('refuses a body that comes without a Content-Type', async () => {
    const base = await echoApp();
    const answer = await send(base, { method: 'POST', path: '/echo', body: '{"a":1}' });
    const body = expectProblem(answer, 415, 'invalid_content_type');
    expect(body['detail']).toContain('no Content-Type');
    expect(body['detail']).toContain('application/json');
  });

  it('refuses a form post', async () => {
    const base = await echoApp();
    const answer = await send(base, {
      method: 'POST',
      path: '/echo',
      body: 'a=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectProblem(answer, 415, 'invalid_content_type');
  });

  it.each(profiles)('is invalid_content_type in the %s profile', async (profile) => {
    const base = await echoApp(profile);
    const answer = await send(base, {
      method: 'POST',
      path: '/echo',
      body: '<a/>',
      headers: { 'content-type': 'application/xml' },
    });
    expect(answer.status).toBe(415);
    expect(codeOf(profile, bodyOf(answer))).toBe(wireCode(profile, 'invalid_content_type'));
  });
});

describe('400 for a body that is not JSON', () => {
  it('says where the syntax breaks', async () => {
    const base = await echoApp();
    const answer = await send(base, {
      method: 'POST',
      path: '/echo',
      body: '{"a":',
      headers: { 'content-type': 'application/json' },
    });
    const body = expectProblem(answer, 400, 'invalid_request');
    expect(body['detail']).toMatch(/^The body is not valid JSON: /);
  });

  it('refuses an empty body declared as JSON', async () => {
    const base = await echoApp();
    const answer = await send(base, {
      method: 'POST',
      path: '/echo',
      body: '',
      headers: { 'content-type': 'application/json', 'content-length': '0' },
    });
    const body = expectProblem(answer, 400, 'invalid_request');
    expect(body['detail']).toContain('empty');
  });

  it('refuses bytes that are not UTF-8', async () => {
    const base = await echoApp();
    const answer = await send(base, {
      method: 'POST',
      path: '/echo',
      body: Uint8Array.from([0x22, 0xff, 0xfe, 0x22]),
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(answer, 400, 'invalid_request');
  });

  it('refuses a __proto__ key rather than merging it', async () => {
    const base = await echoApp();
    const answer = await send(base, {
      method: 'POST',
      path: '/echo',
      body: '{"__proto__":{"admin":true}}',
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.status).toBe(400);
  });

  it('answers any malformed body with 400, never a 500, and never echoes a stack', async () => {
    const base = await echoApp('problem', 4096);
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 200 }).filter((text) => !isJson(text)),
        async (text) => {
          const answer = await send(base, {
            method: 'POST',
            path: '/echo',
            body: text,
            headers: { 'content-type': 'application/json' },
          });
          expect(answer.status).toBe(400);
          expect(answer.headers['content-type']).toBe('application/problem+json');
          expect(answer.text).not.toMatch(/\bat .*\.(js|ts):\d+/);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('answers any JSON value within the limits with 200, parsed as sent', async () => {
    const base = await echoApp('problem', 64 * 1024);
    await fc.assert(
      // Keys that could reach a prototype are refused on purpose (see above), so they are left out here.
      fc.asyncProperty(
        fc.jsonValue({ maxDepth: 4 }).filter((value) => !/__proto__|constructor|prototype/.test(JSON.stringify(value))),
        async (value) => {
          const text = JSON.stringify(value);
          const answer = await send(base, {
            method: 'POST',
            path: '/echo',
            body: text,
            headers: { 'content-type': 'application/json' },
          });
          expect(answer.status).toBe(200);
          expect(bodyOf(answer)).toEqual({ got: JSON.parse(JSON.stringify(JSON.parse(text))) });
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('413 request_too_large', () => {
  it('refuses a Content-Length over the limit before reading it', async () => {
    const base = await echoApp();
    const answer = await sendJson(base, 'POST', '/echo', { text: 'x'.repeat(2000) });
    const body = expectProblem(answer, 413, 'request_too_large');
    expect(body['detail']).toContain('1024 bytes');
  });

  it('refuses a chunked body the moment it passes the limit', async () => {
    const base = await echoApp();
    const chunk = `"${'x'.repeat(300)}",`;
    const answer = await send(base, {
      method: 'POST',
      path: '/echo',
      chunks: ['[', chunk, chunk, chunk, chunk, chunk, '1]'],
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(answer, 413, 'request_too_large');
  });

  it('refuses a body nested deeper than jsonLimits.maxDepth, naming the limit', async () => {
    const base = await echoApp();
    const answer = await send(base, {
      method: 'POST',
      path: '/echo',
      body: '['.repeat(20) + ']'.repeat(20),
      headers: { 'content-type': 'application/json' },
    });
    const body = expectProblem(answer, 413, 'request_too_large');
    expect(body['detail']).toContain('maxDepth');
  });

  it.each(profiles)('is request_too_large in the %s profile', async (profile) => {
    const base = await echoApp(profile);
    const answer = await sendJson(base, 'POST', '/echo', 'x'.repeat(5000));
    expect(answer.status).toBe(413);
    expect(codeOf(profile, bodyOf(answer))).toBe(wireCode(profile, 'request_too_large'));
  });
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe("Express's own body parsers", () => {
  /** An app that reads bodies with express.json() instead of contract.json(). */
  async function expressJsonApp(): Promise<string> {
    const test = buildApp();
    test.app.post('/echo', express.json({ limit: 100 }), (req, res) => void res.json({ got: req.body ?? null }));
    return listen(test);
  }

  it('have their malformed JSON answered 400 invalid_request, saying so', async () => {
    const base = await expressJsonApp();
    const answer = await send(base, {
      method: 'POST',
      path: '/echo',
      body: '{"a":',
      headers: { 'content-type': 'application/json' },
    });
    const body = expectProblem(answer, 400, 'invalid_request');
    expect(body['detail']).toMatch(/^The body cannot be parsed: /);
  });

  it('have their size limit answered 413 request_too_large, naming it', async () => {
    const base = await expressJsonApp();
    const answer = await sendJson(base, 'POST', '/echo', { text: 'x'.repeat(200) });
    expect(expectProblem(answer, 413, 'request_too_large')['detail']).toContain('100 bytes');
  });

  it('have an unsupported charset answered 415', async () => {
    const base = await expressJsonApp();
    const answer = await send(base, {
      method: 'POST',
      path: '/echo',
      body: '{}',
      headers: { 'content-type': 'application/json; charset=klingon' },
    });
    expectProblem(answer, 415, 'invalid_content_type');
  });
});
