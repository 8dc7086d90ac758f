import { Agent, request as httpRequest } from 'node:http';
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
/** A promise the test resolves: what `/held` waits for. */
function newGate() {
  let resolve = () => {};
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}
let gate = newGate();
const sockets: Socket[] = [];
afterEach(async () => {
  gate.resolve();
  gate = newGate();
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(open.splice(0).map((app) => app.close()));
});

/** A listening app with the contract, `POST /echo`, `GET /work` and an exempt `/healthz`. */
async function listening(
  server: FaultlineServerOptions,
  plugin: { maxConnectionsPerClient?: number; trustProxy?: boolean } = {},
  maxInFlight?: number,
) {
  const app = Fastify({ ...faultlineServerOptions(server), logger: false, trustProxy: plugin.trustProxy === true });
  open.push(app);
  await app.register(faultline, plugin);
  if (maxInFlight !== undefined) await app.register(loadShedding, { maxInFlight, exemptRoutes: ['/healthz'] });
  app.post('/echo', async (request) => ({ got: request.body }));
  app.get('/work', async () => ({ ok: true }));
  // Answers once the test opens the gate: a request that stays in flight as long as a test needs.
  app.get('/held', async () => {
    await gate.promise;
    return { held: true };
  });
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

/** Every response in `raw`, in order, for a connection that carried several. */
function responsesIn(raw: string): { status: number; body: string }[] {
  return [...raw.matchAll(/HTTP\/1\.1 (\d{3}) [^\r]*\r\n(?:[^\r]+\r\n)*\r\n/g)].map((match) => {
    const length = Number(/content-length: (\d+)/i.exec(match[0])?.[1] ?? 0);
    const start = (match.index ?? 0) + match[0].length;
    return { status: Number(match[1]), body: raw.slice(start, start + length) };
  });
}

async function until(condition: () => boolean, what: string, withinMs = 20_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function expectOverLimit(raw: string, held: number, max: number): void {
  const response = parseResponse(raw);
  expect(response.status).toBe(503);
  expect(response.headers['retry-after']).toBe('1');
  expect(response.headers['connection']).toBe('close');
  expect(response.headers['content-type']).toBe('application/problem+json');
  expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  expect(response.body).toMatchObject({ status: 503, code: 'service_unavailable' });
  expect(response.body['detail']).toMatch(
    new RegExp(
      `already holds ${held} connections \\(requests pipelined on them included\\), the most one address may hold \\(maxConnectionsPerClient ${max}\\)`,
    ),
  );
}

describe('one client address cannot take the server', () => {
  // 500 sockets stay under the listen backlog (511), so no connection waits for a SYN retry and arrives out of
  // order; the timeouts are long enough that no admitted socket is answered while the test runs on a busy machine.
  it(
    'answers the sockets of one address past its limit with 503, holds no shedding slot for a body awaited, and serves other addresses',
    { timeout: 90_000 },
    async () => {
      const { app, port } = await listening(
        { headersTimeoutMs: 80_000, requestTimeoutMs: 80_000 },
        { maxConnectionsPerClient: 50 },
        1000,
      );
      // 500 sockets from one address: 350 send nothing, 150 send headers and never the body.
      const attackers = Array.from({ length: 500 }, () => rawSocket(port));
      await Promise.all(attackers.map((attacker) => attacker.connected));
      for (const attacker of attackers.slice(350)) {
        attacker.socket.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n');
      }
      // The 450 over the limit are answered (those that sent nothing within a second); 50 wait, counted.
      await until(() => attackers.filter((attacker) => attacker.received() !== '').length >= 450, '450 answers', 60_000);
      const answered = attackers.filter((attacker) => attacker.received() !== '');
      expect(answered.length).toBe(450);
      for (const attacker of answered) expectOverLimit(attacker.received(), 50, 50);
      await Promise.all(answered.map((attacker) => attacker.closed));
      // The admitted ones that sent headers wait for their bodies without holding any of the server's 1,000 slots.
      expect(app.loadShedding.inFlight).toBe(0);

      // Another address is served, and so is the health check.
      for (let index = 0; index < 5; index++) {
        const response = await get(port, '/work', '127.0.0.2');
        expect(response.status).toBe(200);
        expect(JSON.parse(response.body)).toEqual({ ok: true });
      }
      expect((await get(port, '/healthz', '127.0.0.3')).status).toBe(200);
    },
  );

  it('counts idle keep-alive connections, answers a silent one over the limit, and frees a slot when a connection closes', async () => {
    const { port } = await listening({}, { maxConnectionsPerClient: 3 });
    const idle = [rawSocket(port), rawSocket(port), rawSocket(port)];
    await Promise.all(idle.map((client) => client.connected));
    // Served and kept alive: the connection still holds its slot between requests.
    idle[0]!.socket.write('GET /work HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => idle[0]!.received().includes('{"ok":true}'), 'the first answer');

    const asking = rawSocket(port);
    await asking.connected;
    asking.socket.write('GET /work HTTP/1.1\r\nHost: x\r\n\r\n');
    await asking.closed;
    expectOverLimit(asking.received(), 3, 3);
    expect(responsesIn(asking.received())).toHaveLength(1);

    const silent = rawSocket(port);
    await silent.connected;
    expect(await silent.closed).toBeLessThan(1000 + margin);
    expectOverLimit(silent.received(), 3, 3);

    idle[1]!.socket.destroy();
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline) status = (await get(port, '/work')).status;
    expect(status).toBe(200);
  });

  it('counts requests pipelined on one connection, and answers each in order', async () => {
    const { port } = await listening({}, { maxConnectionsPerClient: 2 });
    const client = rawSocket(port);
    await client.connected;
    // The first is answered when the gate opens, the second waits behind it (a second slot), the third is over.
    client.socket.write('GET /held HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(3));
    await new Promise((resolve) => setTimeout(resolve, 300));
    gate.resolve();
    await client.closed;
    const responses = responsesIn(client.received());
    expect(responses.map((response) => response.status)).toEqual([200, 200, 503]);
    expect(JSON.parse(responses[0]!.body)).toEqual({ held: true });
    expect(JSON.parse(responses[2]!.body)).toMatchObject({ code: 'service_unavailable' });
    // Every slot came back with the answers and the close.
    const [first, second] = await Promise.all([get(port, '/work'), get(port, '/work')]);
    expect([first.status, second.status]).toEqual([200, 200]);
  });

  it('serves a client pool of 100 keep-alive connections from one address under the default limit', async () => {
    const { port } = await listening({});
    const agent = new Agent({ keepAlive: true, maxSockets: 100 });
    try {
      const requests = Array.from(
        { length: 100 },
        () =>
          new Promise<number>((resolve, reject) => {
            const req = httpRequest({ host: '127.0.0.1', port, path: '/held', agent }, (response) => {
              response.resume();
              response.on('end', () => resolve(response.statusCode ?? 0));
            });
            req.on('error', reject);
            req.end();
          }),
      );
      // Each request holds its own connection until the gate opens.
      await new Promise((resolve) => setTimeout(resolve, 500));
      gate.resolve();
      expect(await Promise.all(requests)).toEqual(Array.from({ length: 100 }, () => 200));
      expect(Object.values(agent.sockets).flat().length + Object.values(agent.freeSockets).flat().length).toBe(100);
    } finally {
      agent.destroy();
    }
  });

  it("behind a trusted proxy, counts the requests of each forwarded address, not the proxy's connections", async () => {
    const { port } = await listening({}, { maxConnectionsPerClient: 2, trustProxy: true });
    const pending =
      'POST /echo HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.9\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a"';
    const held = [rawSocket(port), rawSocket(port)];
    await Promise.all(held.map((client) => client.connected));
    for (const client of held) client.socket.write(pending);
    await new Promise((resolve) => setTimeout(resolve, 300));

    const refused = rawSocket(port);
    await refused.connected;
    refused.socket.end('GET /work HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.9\r\n\r\n');
    await refused.closed;
    const answer = parseResponse(refused.received());
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('1');
    expect(answer.body['detail']).toMatch(
      /already has 2 requests in flight, the most one address may have \(maxConnectionsPerClient 2, counted per request behind a trusted proxy\)/,
    );

    // Five more connections from the proxy, for other clients: connections are not what counts.
    for (let index = 0; index < 5; index++) {
      const other = rawSocket(port);
      await other.connected;
      other.socket.end(`GET /work HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.${20 + index}\r\n\r\n`);
      await other.closed;
      expect(parseResponse(other.received()).status).toBe(200);
    }
    for (const client of held) client.socket.end(':1}');
    await Promise.all(held.map((client) => client.closed));
    for (const client of held) expect(parseResponse(client.received()).body).toEqual({ got: { a: 1 } });
    const again = rawSocket(port);
    await again.connected;
    again.socket.end('GET /work HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.9\r\n\r\n');
    await again.closed;
    expect(parseResponse(again.received()).status).toBe(200);
  });

  it('gives the slot back to the address once its requests are answered', async () => {
    const { port } = await listening({}, { maxConnectionsPerClient: 2 });
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
