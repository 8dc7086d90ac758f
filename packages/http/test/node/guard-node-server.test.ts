import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveContractSettings } from '@faultline/http';
import { defaultServerTimeouts, guardNodeServer, resolveServerTimeouts } from '@faultline/http/node';

const settings = resolveContractSettings({ profile: 'problem' });
const quiet = { debug: () => undefined };
const servers: Server[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A plain node:http app answering 200, guarded. */
async function guarded(maxConnectionsPerClient?: number): Promise<number> {
  const server = createServer((_request, response) => response.end('ok'));
  servers.push(server);
  guardNodeServer(server, {
    settings,
    log: quiet,
    ...(maxConnectionsPerClient === undefined ? {} : { maxConnectionsPerClient }),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Writes raw bytes on a new connection; resolves with everything read until the server closes it. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    let read = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (read += chunk));
    socket.on('end', () => resolve(read));
    socket.on('error', reject);
    socket.write(text);
  });
}

const statusOf = (answer: string) => Number(answer.slice(9, 12));
const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;

describe('a node:http server guarded by guardNodeServer', () => {
  it('answers a malformed request with 400 in the app’s profile, with a request id, and closes', async () => {
    const answer = await raw(await guarded(), 'GET /\x01 nonsense\r\n\r\n');
    expect(statusOf(answer)).toBe(400);
    expect(answer).toMatch(/content-type: application\/problem\+json/i);
    expect(answer).toMatch(/x-request-id: [0-9a-f-]{36}/i);
    expect(answer).toMatch(/connection: close/i);
    expect(bodyOf(answer)).toMatchObject({ code: 'invalid_request', detail: 'The request is not well-formed HTTP.' });
  });

  it('answers headers over Node’s limit with 431', async () => {
    const answer = await raw(await guarded(), `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(statusOf(answer)).toBe(431);
    expect(bodyOf(answer)).toMatchObject({ code: 'request_too_large' });
  });

  it('refuses CONNECT: an API is not a proxy', async () => {
    const answer = await raw(await guarded(), 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    expect(statusOf(answer)).toBe(400);
    expect(bodyOf(answer)).toMatchObject({ detail: 'CONNECT is not supported: this server is an API, not a proxy.' });
  });

  it('passes a request with an unknown Expect to the app instead of a bare 417', async () => {
    const answer = await raw(await guarded(), 'GET / HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\nConnection: close\r\n\r\n');
    expect(statusOf(answer)).toBe(200);
    expect(answer.endsWith('ok')).toBe(true);
  });

  it('refuses a connection over the per-address cap with 503 and Retry-After, and serves the address again once it closes one', async () => {
    const port = await guarded(2);
    const held = [connect(port, '127.0.0.1'), connect(port, '127.0.0.1')];
    sockets.push(...held);
    await Promise.all(held.map((socket) => new Promise((resolve) => socket.once('connect', resolve))));
    // Let the server see both connections before the third.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const over = await raw(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(statusOf(over)).toBe(503);
    expect(over).toMatch(/retry-after: 1/i);
    expect(bodyOf(over)).toMatchObject({ code: 'service_unavailable' });
    expect(String(bodyOf(over)['detail'])).toContain('maxConnectionsPerClient 2');
    held[0]?.destroy();
    await expect
      .poll(async () => (await raw(port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).slice(9, 12), {
        timeout: 5000,
      })
      .toBe('200');
  });

  it('sets the server’s timeouts, each with its default, and refuses inconsistent ones', async () => {
    await guarded();
    const server = servers[0] as Server;
    expect(server.headersTimeout).toBe(defaultServerTimeouts.headersTimeoutMs);
    expect(server.requestTimeout).toBe(defaultServerTimeouts.requestTimeoutMs);
    expect(server.keepAliveTimeout).toBe(defaultServerTimeouts.keepAliveTimeoutMs);
    expect(server.timeout).toBe(defaultServerTimeouts.idleTimeoutMs);
    expect(() => resolveServerTimeouts({ headersTimeoutMs: 40_000 })).toThrow(
      'serverTimeouts: headersTimeoutMs (40000) cannot be longer than requestTimeoutMs (30000), which includes the headers.',
    );
    expect(() => resolveServerTimeouts({ idleTimeoutMs: 0 }, 'guardNodeServer')).toThrow(
      'guardNodeServer: idleTimeoutMs must be a positive whole number of milliseconds, not 0.',
    );
  });
});

describe('guardNodeServer with clientAddress (behind a proxy)', () => {
  it("counts each client address's requests in flight, the socket's address when it gives none, and not connections", async () => {
    const waiting: (() => void)[] = [];
    const server = createServer((request, response) => {
      if (request.url === '/held') waiting.push(() => response.end('held'));
      else response.end('ok');
    });
    servers.push(server);
    const clientAddress = (request: { headers: Record<string, string | string[] | undefined> }) =>
      request.headers['x-client'] as string | undefined;
    guardNodeServer(server, { settings, log: quiet, maxConnectionsPerClient: 1, clientAddress });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const send = (path: string, client?: string) =>
      raw(
        port,
        `GET ${path} HTTP/1.1\r\nHost: x\r\n${client === undefined ? '' : `X-Client: ${client}\r\n`}Connection: close\r\n\r\n`,
      );

    const held = [send('/held', 'a'), send('/held')];
    await expect.poll(() => waiting.length).toBe(2);
    const refused = await send('/', 'a');
    expect(statusOf(refused)).toBe(503);
    expect(String(bodyOf(refused)['detail'])).toContain('already has 1 request in flight');
    expect(statusOf(await send('/'))).toBe(503);
    // Three connections from one socket address at once, past a cap of 1: they are not what counts.
    expect(statusOf(await send('/', 'b'))).toBe(200);
    for (const answer of waiting) answer();
    await Promise.all(held);
    expect(statusOf(await send('/', 'a'))).toBe(200);
  });
});
