import { connect, type AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileName } from '@faultline/core';
import { buildApp, closeApps, problemContentType, uuidPattern, type Body } from './helpers.js';

interface RawResponse {
  readonly statusLine: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Sends bytes on a fresh TCP connection and reads until the server closes it. */
function sendRaw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`No answer within 5 s; got: ${Buffer.concat(chunks).toString('latin1')}`));
    }, 5000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The server may close while the request is still being written (a huge header): that is expected.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.write(request);
  });
}

function parseRaw(raw: string): RawResponse {
  const end = raw.indexOf('\r\n\r\n');
  expect(end).toBeGreaterThan(0);
  const [statusLine = '', ...lines] = raw.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { statusLine, headers, body: raw.slice(end + 4) };
}

async function listening(profile: ProfileName = 'problem'): Promise<{ app: FastifyInstance; port: number }> {
  const app = await buildApp({ profile });
  app.get('/v1/ok', async () => ({ ok: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, port: (app.server.address() as AddressInfo).port };
}

/** Checks what every response written by the client-error handler must carry, and returns the body. */
function expectCatalogResponse(response: RawResponse, statusLine: string, contentType: string): Body {
  expect(response.statusLine).toBe(statusLine);
  expect(response.headers['content-type']).toBe(contentType);
  expect(response.headers['x-request-id']).toMatch(uuidPattern);
  expect(response.headers['connection']).toBe('close');
  expect(Number(response.headers['content-length'])).toBe(Buffer.byteLength(response.body, 'latin1'));
  return JSON.parse(response.body) as Body;
}

describe('requests the HTTP parser rejects (problem profile)', () => {
  let port: number;
  beforeAll(async () => {
    ({ port } = await listening());
  });
  afterAll(closeApps);

  it('answers a malformed request line with 400 and a catalog body', async () => {
    const response = parseRaw(await sendRaw(port, 'GARBAGE\r\n\r\n'));
    const body = expectCatalogResponse(response, 'HTTP/1.1 400 Bad Request', problemContentType);
    expect(body).toEqual({
      type: '/docs/errors#invalid_request',
      title: 'Invalid request',
      status: 400,
      detail: 'The request is not well-formed HTTP.',
      code: 'invalid_request',
      request_id: response.headers['x-request-id'],
      time: expect.any(String),
    });
  });

  it('answers a header line without a colon with 400', async () => {
    const response = parseRaw(await sendRaw(port, 'GET /v1/ok HTTP/1.1\r\nHost: localhost\r\nNot a header\r\n\r\n'));
    const body = expectCatalogResponse(response, 'HTTP/1.1 400 Bad Request', problemContentType);
    expect(body['code']).toBe('invalid_request');
  });

  it('answers 100 KB of headers with 431 and a catalog body', async () => {
    const request = `GET /v1/ok HTTP/1.1\r\nHost: localhost\r\nX-Padding: ${'a'.repeat(100 * 1024)}\r\n\r\n`;
    const response = parseRaw(await sendRaw(port, request));
    const body = expectCatalogResponse(response, 'HTTP/1.1 431 Request Header Fields Too Large', problemContentType);
    expect(body).toMatchObject({
      status: 431,
      code: 'request_too_large',
      detail: 'The request headers are larger than the server accepts.',
      request_id: response.headers['x-request-id'],
    });
  });

  it('answers 431 when the size comes from many headers', async () => {
    const many = Array.from({ length: 2000 }, (_, index) => `X-H${index}: ${'v'.repeat(40)}`).join('\r\n');
    const response = parseRaw(await sendRaw(port, `GET /v1/ok HTTP/1.1\r\nHost: localhost\r\n${many}\r\n\r\n`));
    expect(response.statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large');
  });

  it('gives each rejected request its own id', async () => {
    const first = parseRaw(await sendRaw(port, 'GARBAGE\r\n\r\n'));
    const second = parseRaw(await sendRaw(port, 'GARBAGE\r\n\r\n'));
    expect(first.headers['x-request-id']).not.toBe(second.headers['x-request-id']);
  });

  it('still serves well-formed requests on the same server', async () => {
    const response = parseRaw(await sendRaw(port, 'GET /v1/ok HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'));
    expect(response.statusLine).toBe('HTTP/1.1 200 OK');
    expect(response.headers['x-request-id']).toMatch(uuidPattern);
    expect(JSON.parse(response.body)).toEqual({ ok: true });
  });

  it('answers an unknown route over a real connection with a 404 catalog body', async () => {
    const response = parseRaw(await sendRaw(port, 'GET /v1/none HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'));
    expect(response.statusLine).toBe('HTTP/1.1 404 Not Found');
    expect(response.headers['content-type']).toBe(problemContentType);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'not_found', request_id: response.headers['x-request-id'] });
  });
});

describe('requests the HTTP parser rejects, in other profiles', () => {
  afterEach(closeApps);

  it('writes the classic body with the classic variant code', async () => {
    const { port } = await listening('classic');
    const response = parseRaw(await sendRaw(port, 'GARBAGE\r\n\r\n'));
    const body = expectCatalogResponse(response, 'HTTP/1.1 400 Bad Request', 'application/json');
    expect(body).toEqual({ code: 'invalid_parameter', error: 'The request is not well-formed HTTP.', time: expect.any(String) });
  });

  it('writes the oauth body for oversized headers', async () => {
    const { port } = await listening('oauth');
    const request = `GET /v1/ok HTTP/1.1\r\nHost: localhost\r\nX-Padding: ${'a'.repeat(100 * 1024)}\r\n\r\n`;
    const response = parseRaw(await sendRaw(port, request));
    const body = expectCatalogResponse(response, 'HTTP/1.1 431 Request Header Fields Too Large', 'application/json');
    expect(body).toEqual({
      error: 'request_too_large',
      error_description: 'The request headers are larger than the server accepts.',
      error_uri: '/docs/errors#request_too_large',
    });
  });
});

describe('paths the router cannot read', () => {
  afterEach(closeApps);

  it('answers a bad percent-encoding with 400 invalid_request', async () => {
    const app = await buildApp();
    app.get('/v1/things/:id', async () => ({}));
    const response = await app.inject({ method: 'GET', url: '/v1/things/%E0%A4%A' });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe(problemContentType);
    const requestId = response.headers['x-request-id'];
    expect(requestId).toMatch(uuidPattern);
    expect(JSON.parse(response.body)).toMatchObject({
      code: 'invalid_request',
      detail: 'The request path is not a valid URL: check its percent-encoding.',
      request_id: requestId,
    });
  });
});
