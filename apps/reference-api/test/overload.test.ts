import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, readConfig } from '../src/index.js';
import { parseOverloadLimits } from '../src/overload.js';
import { bearer, openWorld, type World } from './support.js';

let world: World;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  world = await openWorld();
});

afterAll(async () => {
  for (const app of apps) await app.close();
  await world.close();
});

/** The reference API listening on a free port, with a `/slow` route that waits for `release`. */
async function listening(overload: Parameters<typeof buildApp>[0]['overload']) {
  const app = await buildApp({ db: world.db, ...(overload === undefined ? {} : { overload }) });
  apps.push(app);
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  // A test's own route, not the API's: hidden from the document, so its answers are not held to it.
  app.get('/slow', { schema: { hide: true } }, async () => {
    await gate;
    return { done: true };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return { app, base: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`, release };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('OVERLOAD_* settings', () => {
  it('shed past 1000 requests in flight or 1000 ms of event-loop delay by default', () => {
    expect(readConfig({}).overload).toEqual({ maxInFlight: 1000, maxEventLoopDelayMs: 1000 });
    expect(parseOverloadLimits({ OVERLOAD_MAX_IN_FLIGHT: '', OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '' })).toEqual({
      maxInFlight: 1000,
      maxEventLoopDelayMs: 1000,
    });
  });

  it('read each limit, or off', () => {
    expect(parseOverloadLimits({ OVERLOAD_MAX_IN_FLIGHT: '64', OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: 'off' })).toEqual({
      maxInFlight: 64,
    });
    expect(parseOverloadLimits({ OVERLOAD_MAX_IN_FLIGHT: 'off', OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '500' })).toEqual({
      maxEventLoopDelayMs: 500,
    });
  });

  it.each(['0', '-1', '1.5', 'many', '10ms'])('refuse %s, naming the variable', (value) => {
    expect(() => readConfig({ OVERLOAD_MAX_IN_FLIGHT: value })).toThrow(
      `OVERLOAD_MAX_IN_FLIGHT must be a positive whole number or "off", not "${value}".`,
    );
    expect(() => readConfig({ OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: value })).toThrow(/^OVERLOAD_MAX_EVENT_LOOP_DELAY_MS must be/);
  });
});

describe('the reference API under overload', () => {
  it('refuses /v1 requests with 503 before authenticating them, keeps /healthz served, and recovers', async () => {
    const { app, base, release } = await listening({ maxInFlight: 1 });
    const slow = fetch(`${base}/slow`);
    await until(() => app.loadShedding.inFlight === 1, 'the slow request in flight');

    // No API key: the shedder answers before the authentication hook would say 401.
    const refused = await fetch(`${base}/v1/me`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('2');
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.headers.get('x-request-id')).toBeTypeOf('string');
    expect(await refused.json()).toMatchObject({
      status: 503,
      code: 'service_unavailable',
      type: '/docs/errors#service_unavailable',
    });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    // Readiness says why the instance should get no traffic for now.
    const notReady = await fetch(`${base}/readyz`);
    expect(notReady.status).toBe(503);
    expect(notReady.headers.get('retry-after')).toMatch(/^[1-5]$/);
    expect(await notReady.json()).toMatchObject({
      code: 'service_unavailable',
      detail: 'This instance is not ready: it is overloaded and refusing new requests.',
    });

    release();
    expect((await slow).status).toBe(200);
    await until(() => app.loadShedding.inFlight === 0, 'no request in flight');
    expect((await fetch(`${base}/v1/me`)).status).toBe(401);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    // A probe takes no slot: with a limit of one, it does not count itself as the load.
    expect(await ready.json()).toEqual({ status: 'ready', database: 'ok', shedding: false, in_flight: 0 });
    const me = await fetch(`${base}/v1/me`, { headers: bearer(world.demo.apiKey) as Record<string, string> });
    expect(me.status).toBe(200);
    expect(me.headers.get('retry-after')).toBeNull();
  });

  it('refuses requests while its event loop is blocked, then serves them again', async () => {
    const { app, base } = await listening({ maxEventLoopDelayMs: 150 });
    const end = performance.now() + 500;
    while (performance.now() < end) {
      // A slow synchronous piece of work holds the event loop the server shares with this test.
    }
    const refused = await fetch(`${base}/v1/me`, { headers: bearer(world.demo.apiKey) as Record<string, string> });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('2');
    await until(() => !app.loadShedding.shedding, 'the event loop to catch up');
    expect((await fetch(`${base}/v1/me`, { headers: bearer(world.demo.apiKey) as Record<string, string> })).status).toBe(200);
  });

  it('does not shed unless asked: buildApp leaves it off, as it does rate limits', async () => {
    const { app } = await listening(undefined);
    expect(app.hasDecorator('loadShedding')).toBe(false);
  });
});
