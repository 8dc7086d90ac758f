import { connect, type Socket } from 'node:net';
import { createServer as createHttp2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { faultline } from '@faultline/hono';
import { guardServer } from '@faultline/hono/node';
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
