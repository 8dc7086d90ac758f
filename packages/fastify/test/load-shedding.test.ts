import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { loadShedding, type LoadSheddingOptions } from '@faultline/fastify';
import { buildApp, closeApps, problemContentType } from './helpers.js';

afterEach(closeApps);

/** A listening app with the shedder, `/work` (waits for `gate` when asked), and an exempt `/healthz`. */
async function listening(options: LoadSheddingOptions | undefined) {
  // Every request here comes from one address: the per-address cap is tested on its own (slow-clients.test.ts).
  const app = await buildApp({ maxConnectionsPerClient: Number.POSITIVE_INFINITY });
  if (options !== undefined) await app.register(loadShedding, options);
  let open = () => {};
  let gate = Promise.resolve();
  app.get('/work', async (request) => {
    if ((request.query as { wait?: string }).wait !== undefined) await gate;
    return { ok: true };
  });
  app.post('/work', async () => ({ posted: true }));
  app.get('/healthz', async () => ({ status: 'ok' }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  return {
    app,
    base,
    /** Makes `/work?wait` wait until {@link release} is called. */
    hold() {
      gate = new Promise((resolve) => (open = resolve));
    },
    release: () => open(),
  };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // The event loop is blocked, as by a slow synchronous handler.
  }
}

async function expectShed(response: Response, retryAfter: string): Promise<Record<string, unknown>> {
  expect(response.status).toBe(503);
  expect(response.headers.get('retry-after')).toBe(retryAfter);
  expect(response.headers.get('content-type')).toBe(problemContentType);
  const body = (await response.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ status: 503, code: 'service_unavailable', title: 'Service unavailable' });
  expect(Date.parse(body['retry_after'] as string)).toBeGreaterThan(Date.now());
  return body;
}

describe('load shedding by requests in flight', () => {
  it('refuses the request past the limit with 503 and Retry-After, then serves again once answers go out', async () => {
    const server = await listening({ maxInFlight: 2, retryAfterSeconds: 3, exemptRoutes: ['/healthz'] });
    server.hold();
    const held = [fetch(`${server.base}/work?wait`), fetch(`${server.base}/work?wait`)];
    await until(() => server.app.loadShedding.inFlight === 2, 'two requests in flight');
    expect(server.app.loadShedding.shedding).toBe(true);

    const body = await expectShed(await fetch(`${server.base}/work`), '3');
    expect(body['detail']).toMatch(/overloaded \(it is handling 2 requests, its limit\)/);
    // Exempt routes are served even when the server sheds.
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
    expect(server.app.loadShedding.shed).toBe(1);

    server.release();
    for (const response of await Promise.all(held)) expect(response.status).toBe(200);
    await until(() => server.app.loadShedding.inFlight === 0, 'no request in flight');
    const recovered = await fetch(`${server.base}/work`);
    expect(recovered.status).toBe(200);
    expect(await recovered.json()).toEqual({ ok: true });
  });

  it('serves exempt routes without counting them, so a probe never takes a slot or sees itself as load', async () => {
    const server = await listening({ maxInFlight: 1, exemptRoutes: ['/work'] });
    server.hold();
    const held = [fetch(`${server.base}/work?wait`), fetch(`${server.base}/work?wait`)];
    // Both are being handled (neither refused), and neither is counted.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.app.loadShedding.inFlight).toBe(0);
    expect(server.app.loadShedding.shedding).toBe(false);
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
    server.release();
    for (const response of await Promise.all(held)) expect(response.status).toBe(200);
    expect(server.app.loadShedding.shed).toBe(0);
  });

  it('counts a request the client gave up on as done once it is answered', async () => {
    const server = await listening({ maxInFlight: 1 });
    server.hold();
    const controller = new AbortController();
    const abandoned = fetch(`${server.base}/work?wait`, { signal: controller.signal }).catch(() => 'aborted');
    await until(() => server.app.loadShedding.inFlight === 1, 'the request in flight');
    controller.abort();
    expect(await abandoned).toBe('aborted');
    // The client is gone but its handler still works: it still counts, so the next one is refused.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.app.loadShedding.inFlight).toBe(1);
    expect((await fetch(`${server.base}/work`)).status).toBe(503);
    server.release();
    await until(() => server.app.loadShedding.inFlight === 0, 'the abandoned request to be counted out');
    expect((await fetch(`${server.base}/work`)).status).toBe(200);
  });

  it('counts every request out again under concurrent load', async () => {
    const server = await listening({ maxInFlight: 1000 });
    const responses = await Promise.all(Array.from({ length: 200 }, () => fetch(`${server.base}/work`)));
    expect(responses.every((response) => response.status === 200)).toBe(true);
    await until(() => server.app.loadShedding.inFlight === 0, 'no request in flight');
  });

  it('gives the slot back while a body is awaited, and takes one again once the body is read', async () => {
    const server = await listening({ maxInFlight: 1 });
    const { port } = new URL(server.base);
    const slow = connect({ port: Number(port), host: '127.0.0.1' });
    slow.on('error', () => {});
    let received = '';
    slow.on('data', (chunk: Buffer) => (received += chunk.toString()));
    await new Promise((resolve) => slow.on('connect', resolve));
    slow.write('POST /work HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{');
    // Its body is on the way: the one slot is free for someone else.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.app.loadShedding.inFlight).toBe(0);
    server.hold();
    const held = fetch(`${server.base}/work?wait`);
    await until(() => server.app.loadShedding.inFlight === 1, 'the held request in flight');
    // Once its body is read, the slow request needs a slot again, and there is none.
    slow.write('}');
    await until(() => received.includes('\r\n\r\n{'), 'an answer to the slow request');
    expect(received).toMatch(/^HTTP\/1\.1 503 /);
    expect(received).toMatch(/it is handling 1 requests, its limit/);
    server.release();
    expect((await held).status).toBe(200);
    await until(() => server.app.loadShedding.inFlight === 0, 'no request in flight');
    slow.destroy();
  });
});

describe('load shedding by event-loop delay', () => {
  it('refuses requests while the event loop runs late, then recovers', async () => {
    const server = await listening({ maxEventLoopDelayMs: 150, sampleIntervalMs: 200, exemptRoutes: ['/healthz'] });
    expect((await fetch(`${server.base}/work`)).status).toBe(200);
    // The server shares this process's event loop: block it as a slow synchronous handler would.
    busyWait(500);
    const body = await expectShed(await fetch(`${server.base}/work`), '2');
    expect(body['detail']).toMatch(/event loop is \d+ ms behind/);
    expect(server.app.loadShedding.eventLoopDelayMs).toBeGreaterThan(150);
    expect((await fetch(`${server.base}/healthz`)).status).toBe(200);

    await until(() => !server.app.loadShedding.shedding, 'the delay to fall back');
    expect((await fetch(`${server.base}/work`)).status).toBe(200);
  });

  it('stops sampling when the app closes', async () => {
    const server = await listening({ maxEventLoopDelayMs: 50, sampleIntervalMs: 10 });
    await server.app.close();
    const before = server.app.loadShedding.eventLoopDelayMs;
    busyWait(100);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.app.loadShedding.eventLoopDelayMs).toBe(before);
  });
});

describe('a healthy server', () => {
  it('answers exactly as without the shedder: no extra header, nothing refused', async () => {
    const plain = await listening(undefined);
    const shedding = await listening({ maxInFlight: 100, maxEventLoopDelayMs: 1000 });
    const headerNames = (response: Response) => [...response.headers.keys()].sort();
    const expected = await fetch(`${plain.base}/work`);
    for (let index = 0; index < 20; index++) {
      const response = await fetch(`${shedding.base}/work`);
      expect(response.status).toBe(200);
      expect(headerNames(response)).toEqual(headerNames(expected));
      expect(await response.text()).toBe('{"ok":true}');
    }
    expect(shedding.app.loadShedding).toMatchObject({ shed: 0, shedding: false });
  });

  it('rejects limits that are not positive numbers', async () => {
    const app: FastifyInstance = await buildApp();
    await expect(app.register(loadShedding, { maxInFlight: 0 })).rejects.toThrow(/maxInFlight must be a positive number/);
  });
});

describe('a fresh process', () => {
  it('serves its first requests although loading its routes held the event loop up', async () => {
    const app = await buildApp();
    await app.register(loadShedding, { maxEventLoopDelayMs: 50, sampleIntervalMs: 100 });
    // A slow start, as loading many routes and plugins is: the loop is busy for 400 ms before listening.
    await app.register(async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      const until = Date.now() + 400;
      while (Date.now() < until);
    });
    app.get('/work', async () => ({ ok: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const first = await fetch(`http://127.0.0.1:${port}/work`);
    expect(first.status).toBe(200);
    expect(app.loadShedding.shed).toBe(0);
  });
});
