import { connect, type AddressInfo } from 'node:net';
import { handleErrorResponse } from '@inrupt/solid-client-errors';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinCatalog } from '@faultline/core';
import { rateLimitHook } from '@faultline/fastify';
import { buildApp, closeApps } from './helpers.js';

/**
 * Inrupt's RFC 9457 parser reads a body only when `Content-Type` is exactly
 * `application/problem+json`: with `; charset=utf-8` it falls back to
 * `about:blank`, the status text and no detail. Every problem body the plugin
 * writes, through Fastify or straight to the socket, must survive it.
 */
let app: FastifyInstance;
let base: string;
let port: number;

beforeAll(async () => {
  app = await buildApp({ profile: 'problem', bodyLimit: 64 });
  app.get('/thrown', async () => {
    throw builtinCatalog.error('not_found', { detail: 'No thing has this id.' });
  });
  app.get('/unauthorized', async () => {
    throw builtinCatalog.error('unauthorized_request', { detail: 'Send a key.' });
  });
  app.get('/crash', async () => {
    throw new Error('secret internals');
  });
  app.post(
    '/things',
    { schema: { body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } },
    () => ({
      ok: true,
    }),
  );
  app.get(
    '/limited',
    { onRequest: rateLimitHook({ catalog: builtinCatalog, policies: [{ name: 'burst', limit: 1, windowMs: 60_000 }] }) },
    () => ({
      ok: true,
    }),
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(closeApps);

interface Answer {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly body: string;
}

async function viaFetch(path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(`${base}${path}`, init);
  return { status: response.status, statusText: response.statusText, headers: response.headers, body: await response.text() };
}

/** What the strict parser makes of an answer, next to the body we wrote. */
function parseStrictly(answer: Answer) {
  const error = handleErrorResponse(
    { status: answer.status, statusText: answer.statusText, headers: answer.headers, url: `${base}/` },
    answer.body,
    'failed',
  );
  return { details: error.problemDetails, body: JSON.parse(answer.body) as Record<string, unknown> };
}

const answers: [string, string, () => Promise<Answer>][] = [
  ['an ApiError a route throws', 'not_found', () => viaFetch('/thrown')],
  ['a 401 with its challenge', 'unauthorized_request', () => viaFetch('/unauthorized')],
  ['an unexpected exception', 'internal_error', () => viaFetch('/crash')],
  ['an unknown route', 'not_found', () => viaFetch('/nowhere')],
  ['a known path with the wrong method', 'method_not_allowed', () => viaFetch('/thrown', { method: 'DELETE' })],
  [
    'a body the route cannot read',
    'invalid_content_type',
    () => viaFetch('/things', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'a,b' }),
  ],
  [
    'a body over the limit',
    'request_too_large',
    () =>
      viaFetch('/things', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'x'.repeat(100) }),
      }),
  ],
  [
    'malformed JSON',
    'invalid_request',
    () => viaFetch('/things', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":' }),
  ],
  [
    'a schema failure',
    'missing_parameter',
    () => viaFetch('/things', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
  ],
  [
    'a rate limit',
    'limit_reached',
    async () => {
      await viaFetch('/limited');
      return viaFetch('/limited');
    },
  ],
  ['a request the HTTP parser rejects', 'invalid_request', () => viaSocket('GARBAGE\r\n\r\n')],
  ['a CONNECT request', 'invalid_request', () => viaSocket('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n')],
];

describe('a strict RFC 9457 parser (@inrupt/solid-client-errors)', () => {
  it.each(answers)('reads the problem body of %s', async (_name, code, send) => {
    const answer = await send();
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    const { details, body } = parseStrictly(answer);
    expect(body['code']).toBe(code);
    // Each member comes from the body, which the parser reads only for the exact media type.
    expect(details.type.href).toBe(new URL(body['type'] as string, `${base}/`).href);
    expect(details.type.hash).toBe(`#${code}`);
    expect(details.title).toBe(body['title']);
    expect(details.status).toBe(answer.status);
    expect(details.detail).toBe(body['detail']);
  });

  it('ignores a body sent with a charset parameter, as the old header was', () => {
    const { details } = parseStrictly({
      status: 404,
      statusText: 'Not Found',
      headers: new Headers({ 'content-type': 'application/problem+json; charset=utf-8' }),
      body: JSON.stringify({ type: '/docs/errors#not_found', title: 'Not found', status: 404, detail: 'No thing.' }),
    });
    expect(details.type.href).toBe('about:blank');
    expect(details.detail).toBeUndefined();
  });
});

/** Writes raw bytes and reads the answer until the server closes the connection. */
function viaSocket(request: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('No answer within 5 s.'));
    }, 5000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks).toString('utf8');
      const end = raw.indexOf('\r\n\r\n');
      const [statusLine = '', ...lines] = raw.slice(0, end).split('\r\n');
      const headers = new Headers();
      for (const line of lines) headers.append(line.slice(0, line.indexOf(':')).trim(), line.slice(line.indexOf(':') + 1).trim());
      const [, status = '0', statusText = ''] = /^HTTP\/1\.1 (\d{3}) (.*)$/.exec(statusLine) ?? [];
      resolve({ status: Number(status), statusText, headers, body: raw.slice(end + 4) });
    });
    socket.write(request);
  });
}
