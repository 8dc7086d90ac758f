import { connect, type Socket } from 'node:net';
import { createServer as createHttp2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { faultline } from '@faultline/hono';
import { guardServer, type GuardServerOptions } from '@faultline/hono/node';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLogs } from './helpers.js';

const open: { server: ServerType; sockets: Socket[] }[] = [];
afterEach(async () => {
  for (const { server, sockets } of open.splice(0)) {
    for (const socket of sockets) socket.destroy();
    if ('closeAllConnections' in server) server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function guardedServer(maxConnectionsPerClient = 256): Promise<{ port: number; sockets: Socket[] }> {
  const app = new Hono();
  const settings = faultline(app, { logger: captureLogs().logger });
  app.get('/v1/things', (c) => c.json([]));
  const server = await new Promise<ServerType>((resolve) => {
    const started: ServerType = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  guardServer(server, settings, { maxConnectionsPerClient });
  const sockets: Socket[] = [];
  open.push({ server, sockets });
  return { port: (server.address() as AddressInfo).port, sockets };
}

/** Sends raw bytes on a new connection; resolves with everything the server wrote before closing or going quiet. */
function exchange(port: number, sockets: Socket[], bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    let received = '';
    let quiet: NodeJS.Timeout | undefined;
    const settle = () => resolve(received);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      clearTimeout(quiet);
      quiet = setTimeout(settle, 200);
    });
    socket.on('close', settle);
    socket.on('error', settle);
    socket.write(bytes);
  });
}

describe('guardServer() on @hono/node-server', () => {
  it('takes what serve() returns as typed, and refuses an HTTP/2 server with a TypeError that says so', () => {
    const settings = faultline(new Hono(), { logger: captureLogs().logger });
    expect(() => guardServer(createHttp2Server(), settings)).toThrow(/HTTP\/1\.1 server .*HTTP\/2/);
  });

  it('answers headers too large with 431 in the contract format, not a bare status', async () => {
    const { port, sockets } = await guardedServer();
    const answer = await exchange(port, sockets, `GET /v1/things HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toMatch(/content-type: application\/problem\+json/i);
    expect(answer).toContain('"code":"request_too_large"');
    expect(answer).toMatch(/x-request-id: /i);
  });

  it('answers malformed HTTP with 400 in the contract format', async () => {
    const { port, sockets } = await guardedServer();
    const answer = await exchange(port, sockets, 'GET /v1/things HTTP/1.1\r\nHost x\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('"code":"invalid_request"');
  });

  it('refuses one address past maxConnectionsPerClient with 503 and Retry-After, and serves it again once it lets go', async () => {
    const { port, sockets } = await guardedServer(2);
    const request = 'GET /v1/things HTTP/1.1\r\nHost: x\r\n\r\n';
    const first = await exchange(port, sockets, request);
    const second = await exchange(port, sockets, request);
    expect(first).toMatch(/^HTTP\/1\.1 200 /);
    expect(second).toMatch(/^HTTP\/1\.1 200 /);
    // Both keep-alive connections are still open: a third is over the cap.
    const third = await exchange(port, sockets, request);
    expect(third).toMatch(/^HTTP\/1\.1 503 /);
    expect(third).toMatch(/retry-after: \d+/i);
    expect(third).toContain('"code":"service_unavailable"');
    for (const socket of sockets.splice(0)) socket.destroy();
    await expect
      .poll(async () =>
        (await exchange(port, sockets, 'GET /v1/things HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).slice(0, 12),
      )
      .toBe('HTTP/1.1 200');
  });
});

/** A guarded server whose `/held` answers once the test lets it, `/ok` at once; each request sent on a fresh connection. */
async function proxiedServer(options: GuardServerOptions) {
  const app = new Hono();
  const settings = faultline(app, { logger: captureLogs().logger });
  const waiting: (() => void)[] = [];
  app.get('/held', async (c) => {
    await new Promise<void>((resolve) => waiting.push(resolve));
    return c.json({ held: true });
  });
  app.get('/ok', (c) => c.json({ ok: true }));
  const server = await new Promise<ServerType>((resolve) => {
    const started: ServerType = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  guardServer(server, settings, { maxConnectionsPerClient: 2, ...options });
  const sockets: Socket[] = [];
  open.push({ server, sockets });
  const port = (server.address() as AddressInfo).port;
  /** A request as the proxy on 127.0.0.1 passes it on for a client: the status line and the body. */
  const viaProxy = (path: string, forwardedFor: string) =>
    exchange(port, sockets, `GET ${path} HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: ${forwardedFor}\r\nConnection: close\r\n\r\n`);
  return { waiting, viaProxy };
}

const statusOf = (answer: string) => Number(answer.slice(9, 12));

describe('guardServer() behind a proxy', () => {
  it("with trustProxy, counts the requests in flight of each forwarded address, not the proxy's connections", async () => {
    const { waiting, viaProxy } = await proxiedServer({ trustProxy: 'loopback' });
    const held = [viaProxy('/held', '203.0.113.9'), viaProxy('/held', '203.0.113.9')];
    await expect.poll(() => waiting.length).toBe(2);

    const refused = await viaProxy('/ok', '203.0.113.9');
    expect(statusOf(refused)).toBe(503);
    expect(refused).toMatch(/retry-after: 1/i);
    expect(refused).toMatch(/x-request-id: [0-9a-f-]{36}/i);
    expect(refused).toMatch(
      /already has 2 requests in flight, the most one address may have \(maxConnectionsPerClient 2, counted per request behind a trusted proxy\)/,
    );
    // More connections from the proxy's one address than the cap, for other clients: connections are not what counts.
    for (let index = 0; index < 5; index++) expect(statusOf(await viaProxy('/ok', `203.0.113.${20 + index}`))).toBe(200);
    for (const answer of waiting) answer();
    for (const answer of await Promise.all(held)) expect(statusOf(answer)).toBe(200);
    // The slots were given back as the answers closed.
    expect(statusOf(await viaProxy('/ok', '203.0.113.9'))).toBe(200);
  });

  it('trusts as many hops as it is told: a client cannot escape its cap by forging the start of X-Forwarded-For', async () => {
    const { waiting, viaProxy } = await proxiedServer({ trustProxy: 1 });
    const held = [viaProxy('/held', '10.0.0.1, 203.0.113.9'), viaProxy('/held', '10.0.0.2, 203.0.113.9')];
    await expect.poll(() => waiting.length).toBe(2);
    expect(statusOf(await viaProxy('/ok', '10.0.0.3, 203.0.113.9'))).toBe(503);
    expect(statusOf(await viaProxy('/ok', '203.0.113.9, 198.51.100.4'))).toBe(200);
    for (const answer of waiting) answer();
    await Promise.all(held);
  });

  it("without trustProxy, a forwarded address changes nothing: the socket address's connections count", async () => {
    const { waiting, viaProxy } = await proxiedServer({});
    const held = [viaProxy('/held', '203.0.113.1'), viaProxy('/held', '203.0.113.2')];
    await expect.poll(() => waiting.length).toBe(2);
    const third = await viaProxy('/ok', '203.0.113.3');
    expect(statusOf(third)).toBe(503);
    expect(third).toContain('already holds 2 connections');
    for (const answer of waiting) answer();
    await Promise.all(held);
  });

  it('refuses a trusted subnet that is not one, where the server is guarded', () => {
    const settings = faultline(new Hono(), { logger: captureLogs().logger });
    const server = serve({ fetch: () => new Response(), port: 0, hostname: '127.0.0.1' });
    open.push({ server, sockets: [] });
    expect(() => guardServer(server, settings, { trustProxy: '10.0.0.0/99' })).toThrow(TypeError);
  });
});
