import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { faultline, type FaultlineExpressOptions } from '@faultline/express';
import { buildApp, closeServers, listen, send } from './helpers.js';

afterEach(closeServers);

/** Opens a raw connection and resolves once it is connected. */
function open(base: string): Promise<Socket> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

/** Everything a socket receives until the server closes it. */
function readAll(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('close', () => resolve(text));
  });
}

describe('contract.attach(server)', () => {
  it('caps the connections one address holds: past it, 503 with Retry-After in the contract format', async () => {
    const test = buildApp({ maxConnectionsPerClient: 2 });
    test.app.get('/ok', (_req, res) => void res.json({ ok: true }));
    const base = await listen(test);
    const held = [await open(base), await open(base)];
    const third = await open(base);
    const answer = readAll(third);
    third.write('GET /ok HTTP/1.1\r\nHost: x\r\n\r\n');
    const text = await answer;
    expect(text).toMatch(/^HTTP\/1\.1 503 /);
    expect(text.toLowerCase()).toContain('retry-after: 1');
    expect(text.toLowerCase()).toMatch(/x-request-id: [0-9a-f-]{36}/);
    expect(text).toContain('"code":"service_unavailable"');
    for (const socket of held) socket.destroy();
    // The slots are given back when the connections close.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await send(base, { path: '/ok' })).status).toBe(200);
  });

  it('answers a client that stops sending its body with 408 in the contract format', async () => {
    const test = buildApp({ timeouts: { idleTimeoutMs: 300, headersTimeoutMs: 2000, requestTimeoutMs: 5000 } });
    test.app.post('/echo', test.contract.json(), (req, res) => void res.json({ got: req.body }));
    const base = await listen(test);
    const socket = await open(base);
    const answer = readAll(socket);
    socket.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":');
    const text = await answer;
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(text).toContain('"code":"request_timeout"');
    expect(text.toLowerCase()).toMatch(/x-request-id: [0-9a-f-]{36}/);
  });

  it('refuses a nonsensical cap when the contract is built', () => {
    expect(() => faultline({ maxConnectionsPerClient: 0 })).toThrow(TypeError);
    expect(() => faultline({ trustProxy: 1 as unknown as boolean })).toThrow(/trustProxy is true or false/);
  });
});

/** An app whose `/held` answers once the test lets it; `/ok` at once. */
function proxiedApp(options: FaultlineExpressOptions, trustProxySetting: boolean) {
  const test = buildApp({ maxConnectionsPerClient: 2, ...options });
  if (trustProxySetting) test.app.set('trust proxy', true);
  const waiting: (() => void)[] = [];
  test.app.get('/held', (_req, res) => void waiting.push(() => res.json({ held: true })));
  test.app.get('/ok', (req, res) => void res.json({ ip: req.ip }));
  return { test, waiting };
}

/** Sends a request on a fresh connection, as a proxy would for one client; resolves with everything read until it closes. */
async function viaProxy(base: string, path: string, client: string): Promise<string> {
  const socket = await open(base);
  const answer = readAll(socket);
  socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: ${client}\r\nConnection: close\r\n\r\n`);
  return answer;
}

const statusOf = (text: string) => Number(text.slice(9, 12));

describe('contract.attach(server) behind a proxy', () => {
  it("with trustProxy, counts the requests in flight of each forwarded address, not the proxy's connections", async () => {
    const { test, waiting } = proxiedApp({ trustProxy: true }, true);
    const base = await listen(test);
    const held = [viaProxy(base, '/held', '203.0.113.9'), viaProxy(base, '/held', '203.0.113.9')];
    await expect.poll(() => waiting.length).toBe(2);

    const refused = await viaProxy(base, '/ok', '203.0.113.9');
    expect(statusOf(refused)).toBe(503);
    expect(refused.toLowerCase()).toContain('retry-after: 1');
    expect(refused.toLowerCase()).toMatch(/x-request-id: [0-9a-f-]{36}/);
    expect(refused).toMatch(
      /already has 2 requests in flight, the most one address may have \(maxConnectionsPerClient 2, counted per request behind a trusted proxy\)/,
    );
    // More connections from the proxy's one address than the cap, for other clients: connections are not what counts.
    for (let index = 0; index < 5; index++) {
      const other = await viaProxy(base, '/ok', `203.0.113.${20 + index}`);
      expect(statusOf(other)).toBe(200);
      expect(other).toContain(`"ip":"203.0.113.${20 + index}"`);
    }
    for (const answer of waiting) answer();
    for (const answer of await Promise.all(held)) expect(statusOf(answer)).toBe(200);
    // The slots were given back as the answers closed.
    expect(statusOf(await viaProxy(base, '/ok', '203.0.113.9'))).toBe(200);
  });

  it("without trustProxy, a forwarded address changes nothing: the socket address's connections count", async () => {
    const { test, waiting } = proxiedApp({}, true);
    const base = await listen(test);
    const held = [viaProxy(base, '/held', '203.0.113.1'), viaProxy(base, '/held', '203.0.113.2')];
    await expect.poll(() => waiting.length).toBe(2);
    const third = await viaProxy(base, '/ok', '203.0.113.3');
    expect(statusOf(third)).toBe(503);
    expect(third).toContain('already holds 2 connections');
    for (const answer of waiting) answer();
    await Promise.all(held);
  });

  it("warns when trustProxy is set without Express's 'trust proxy': every client then shares the proxy's address", async () => {
    const { test, waiting } = proxiedApp({ trustProxy: true }, false);
    const base = await listen(test);
    const held = [viaProxy(base, '/held', '203.0.113.1'), viaProxy(base, '/held', '203.0.113.2')];
    await expect.poll(() => waiting.length).toBe(2);
    expect(statusOf(await viaProxy(base, '/ok', '203.0.113.3'))).toBe(503);
    expect(test.logs.filter((entry) => entry.level === 'warn').map((entry) => entry.message)).toEqual([
      expect.stringContaining("Faultline's trustProxy is set but Express's 'trust proxy' is not"),
    ]);
    for (const answer of waiting) answer();
    await Promise.all(held);
  });
});
