import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { faultline } from '@faultline/express';
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
  });
});
