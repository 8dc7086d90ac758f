import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { faultline, faultlineServerOptions, loadShedding, type FaultlineServerOptions } from '@faultline/fastify';

/*
 * Slow and hostile clients on real sockets. Timeouts are set short so the
 * tests run quickly; every wait is asserted against the configured bound
 * plus a generous margin, because the machine may be loaded.
 */

const open: FastifyInstance[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(open.splice(0).map((app) => app.close()));
});

/** A listening app with the contract, `POST /echo`, `GET /work` and an exempt `/healthz`. */
async function listening(server: FaultlineServerOptions, plugin: { maxRequestsPerClient?: number } = {}, maxInFlight?: number) {
  const app = Fastify({ ...faultlineServerOptions(server), logger: false });
  open.push(app);
  await app.register(faultline, plugin);
  if (maxInFlight !== undefined) await app.register(loadShedding, { maxInFlight, exemptRoutes: ['/healthz'] });
  app.post('/echo', async (request) => ({ got: request.body }));
  app.get('/work', async () => ({ ok: true }));
  app.get('/healthz', async () => ({ status: 'ok' }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return { app, port: typeof address === 'object' && address !== null ? address.port : 0 };
}

/** A raw connection that records what it reads and when it closed. */
function rawSocket(port: number, localAddress = '127.0.0.1') {
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  sockets.push(socket);
  socket.on('error', () => {});
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  const opened = Date.now();
  const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - opened)));
  const connected = new Promise<void>((resolve) => socket.on('connect', () => resolve()));
  return { socket, connected, closed, received: () => received };
}

/** The status, headers and JSON body of the one response in `raw`. */
function parseResponse(raw: string) {
  const [head = '', body = ''] = raw.split('\r\n\r\n', 2);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) as Record<string, unknown> };
}

/** A GET from a chosen local address, on a fresh connection. */
function get(port: number, path: string, localAddress = '127.0.0.1'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, localAddress, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const margin = 10_000;

function expectTimeoutAnswer(raw: string): Record<string, unknown> {
  const response = parseResponse(raw);
  expect(response.status).toBe(408);
  expect(response.headers['connection']).toBe('close');
  expect(response.headers['content-type']).toBe('application/problem+json');
  expect(response.body).toMatchObject({ status: 408, code: 'request_timeout', title: 'Request timeout' });
  return response.body;
}

describe('timeouts by default', () => {
  it('sets every timeout when none is given, and refuses a nonsensical one', () => {
    const options = faultlineServerOptions();
    expect(options).toMatchObject({ requestTimeout: 30_000, connectionTimeout: 60_000, keepAliveTimeout: 72_000 });
    expect(options.http).toMatchObject({ headersTimeout: 10_000, requestTimeout: 30_000 });
    expect(() => faultlineServerOptions({ requestTimeoutMs: 0 })).toThrow(/requestTimeoutMs must be a positive whole number/);
    expect(() => faultlineServerOptions({ headersTimeoutMs: 5000, requestTimeoutMs: 1000 })).toThrow(
      /headersTimeoutMs \(5000\) cannot be longer than requestTimeoutMs \(1000\)/,
    );
  });

  it('answers headers sent without their body with 408 once the request timeout passes', async () => {
    const { port } = await listening({ headersTimeoutMs: 500, requestTimeoutMs: 1000 });
    const client = rawSocket(port);
    await client.connected;
    client.socket.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n');
    const after = await client.closed;
    expect(after).toBeLessThan(1000 + margin);
    const body = expectTimeoutAnswer(client.received());
    expect(body['detail']).toMatch(/this server waits 0\.5 s for the headers and 1 s for the whole request\./);
  });

  it('answers a body trickled a byte at a time with 408, however steadily the bytes come', async () => {
    const { port } = await listening({ headersTimeoutMs: 500, requestTimeoutMs: 1500 });
    const client = rawSocket(port);
    await client.connected;
    client.socket.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n');
    const drip = setInterval(() => client.socket.write(' '), 100);
    const after = await client.closed.finally(() => clearInterval(drip));
    expect(after).toBeLessThan(1500 + margin);
    expectTimeoutAnswer(client.received());
  });

  it('answers a body that stops arriving with 408 after the idle timeout', async () => {
    const { port } = await listening({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, idleTimeoutMs: 700 });
    const client = rawSocket(port);
    await client.connected;
    client.socket.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n{"a"');
    const after = await client.closed;
    expect(after).toBeLessThan(700 + margin);
    const body = expectTimeoutAnswer(client.received());
    expect(body['detail']).toMatch(/silent for 0\.7 s/);
  });

  it('closes a connection that sends nothing, and a keep-alive connection left idle', async () => {
    const { port } = await listening({ headersTimeoutMs: 500, requestTimeoutMs: 1000, keepAliveTimeoutMs: 500 });
    const silent = rawSocket(port);
    const kept = rawSocket(port);
    await Promise.all([silent.connected, kept.connected]);
    kept.socket.write('GET /work HTTP/1.1\r\nHost: x\r\n\r\n');
    const [silentAfter, keptAfter] = await Promise.all([silent.closed, kept.closed]);
    expect(silentAfter).toBeLessThan(500 + margin);
    expect(keptAfter).toBeLessThan(500 + margin);
    // The kept connection was answered in full before it was closed, and carried nothing else.
    expect(kept.received()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(kept.received().match(/HTTP\/1\.1/g)).toHaveLength(1);
  });
});

describe('one client address cannot take the server', () => {
  it('holds no shedding slot while a body is awaited, and refuses one address past its own limit', async () => {
    const { app, port } = await listening(
      { headersTimeoutMs: 20_000, requestTimeoutMs: 60_000 },
      { maxRequestsPerClient: 50 },
      1000,
    );
    // 1,500 sockets from one address: 1,000 send nothing, 500 send headers and never the body.
    const attackers = Array.from({ length: 1500 }, () => rawSocket(port));
    await Promise.all(attackers.map((attacker) => attacker.connected));
    for (const attacker of attackers.slice(1000)) {
      attacker.socket.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n');
    }
    // The 450 over the address's limit are answered at once; 50 wait for their bodies.
    const deadline = Date.now() + 20_000;
    while (attackers.slice(1000).filter((attacker) => attacker.received() !== '').length < 450 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const answered = attackers.slice(1000).filter((attacker) => attacker.received() !== '');
    expect(answered.length).toBe(450);
    const sample = parseResponse(answered[0]!.received());
    expect(sample.status).toBe(503);
    expect(sample.headers['retry-after']).toBe('1');
    expect(sample.body).toMatchObject({ code: 'service_unavailable' });
    expect(sample.body['detail']).toMatch(
      /already has 50 requests in flight, the most one address may have \(maxRequestsPerClient 50\)/,
    );
    // The 50 admitted ones wait for their bodies without holding any of the server's 1,000 slots.
    expect(app.loadShedding.inFlight).toBe(0);

    // Another address is served, and so is the health check.
    for (let index = 0; index < 5; index++) {
      const response = await get(port, '/work', '127.0.0.2');
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toEqual({ ok: true });
    }
    expect((await get(port, '/healthz', '127.0.0.3')).status).toBe(200);
  });

  it('gives the slot back to the address once its requests are answered', async () => {
    const { port } = await listening({}, { maxRequestsPerClient: 2 });
    const held = [rawSocket(port), rawSocket(port)];
    await Promise.all(held.map((client) => client.connected));
    for (const client of held)
      client.socket.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a"');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await get(port, '/work')).status).toBe(503);
    for (const client of held) client.socket.end(':1}');
    await Promise.all(held.map((client) => client.closed));
    for (const client of held) expect(parseResponse(client.received()).body).toEqual({ got: { a: 1 } });
    expect((await get(port, '/work')).status).toBe(200);
  });
});
