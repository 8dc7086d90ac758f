import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { builtinCatalog } from '@faultline/core';
import { MemoryStore, RedisStore, rateLimitHook, type RateLimitPolicy, type RedisStoreOptions } from '@faultline/fastify';
import { startRedisServer, type RedisServer } from '@faultline/test-services';
import { buildApp, closeApps } from './helpers.js';

const policy = (limit: number, windowMs: number, name = 'burst'): RateLimitPolicy => ({ name, limit, windowMs });

let server: RedisServer;
let client: Redis;
const clients: Redis[] = [];

/** A client as the store wants it: no offline queue, no retries per command, quick reconnects. */
async function connect(): Promise<Redis> {
  const made = new Redis({
    port: server.port,
    host: '127.0.0.1',
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 500,
    retryStrategy: () => 50,
  });
  // Connection failures are expected here: the store answers from its fallback.
  made.on('error', () => undefined);
  await made.connect();
  clients.push(made);
  return made;
}

beforeAll(async () => {
  server = await startRedisServer();
  client = await connect();
});

afterAll(async () => {
  for (const made of clients) made.disconnect();
  await server.close();
});

afterEach(closeApps);

/**
 * A store on a fresh prefix, so tests never see each other's keys. The wait is
 * long: on a busy test machine a healthy Redis' answer can take more than the
 * default 100 ms to be read, and these tests count what Redis decides.
 */
function store(options: Partial<RedisStoreOptions> = {}): RedisStore {
  return new RedisStore({ client, prefix: `test:${randomUUID()}:`, timeoutMs: 2000, ...options });
}

async function limitedApp(limitStore: RedisStore, policies: readonly RateLimitPolicy[], cost = 1) {
  const app = await buildApp();
  app.addHook(
    'onRequest',
    rateLimitHook({ catalog: builtinCatalog, policies, key: () => 'client', cost: () => cost, store: limitStore }),
  );
  app.get('/v1/things', async () => ({ ok: true }));
  return app;
}

async function statuses(app: Awaited<ReturnType<typeof limitedApp>>, count: number): Promise<number[]> {
  const answers = await Promise.all(Array.from({ length: count }, () => app.inject({ url: '/v1/things' })));
  for (const answer of answers) {
    expect(answer.headers['ratelimit']).toBeDefined();
    if (answer.statusCode === 429) expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
  }
  return answers.map((answer) => answer.statusCode);
}

const count = (codes: number[], code: number) => codes.filter((value) => value === code).length;

describe('RedisStore', () => {
  it('is satisfied by an ioredis client', () => {
    const options: RedisStoreOptions = { client };
    expect(options.client).toBe(client);
  });

  it('admits exactly the limit, even when the requests arrive at once', async () => {
    const app = await limitedApp(store(), [policy(20, 3_600_000)]);
    const codes = await statuses(app, 35);
    expect(count(codes, 200)).toBe(20);
    expect(count(codes, 429)).toBe(15);
  });

  it('counts a request against every policy only when all of them admit it', async () => {
    const limitStore = store({ clock: () => 0 });
    const policies = [policy(10, 1000, 'second'), policy(2, 60_000, 'minute')];
    expect((await limitStore.consume('k', policies, 1)).every((decision) => decision.allowed)).toBe(true);
    expect((await limitStore.consume('k', policies, 1)).every((decision) => decision.allowed)).toBe(true);
    const third = await limitStore.consume('k', policies, 1);
    expect(third.map((decision) => decision.allowed)).toEqual([true, false]);
    expect(third[0]?.remaining).toBe(7);
    const app = await limitedApp(store(), policies);
    const codes = await statuses(app, 5);
    expect(count(codes, 200)).toBe(2);
    const refused = await app.inject({ url: '/v1/things' });
    expect(refused.json()).toMatchObject({ policy: 'minute' });
  });

  it('spends a cost of several units, and refuses a cost above the limit for good', async () => {
    const app = await limitedApp(store(), [policy(10, 3_600_000)], 3);
    const codes = await statuses(app, 6);
    expect(count(codes, 200)).toBe(3);
    const decision = (await store({ clock: () => 0 }).consume('k', [policy(3, 1000)], 4))[0];
    expect(decision).toMatchObject({ allowed: false, retryAfterMs: Number.POSITIVE_INFINITY });
  });

  it('makes exactly the decisions of the memory store for any sequence of costs and times', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            limit: fc.integer({ min: 1, max: 50 }),
            windowMs: fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 400 * 86_400_000 })),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        fc.array(fc.record({ cost: fc.integer({ min: 0, max: 12 }), advance: fc.integer({ min: 0, max: 5_000 }) }), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.integer({ min: 0, max: 2 ** 45 }),
        async (shapes, steps, start) => {
          const policies = shapes.map((shape, index) => policy(shape.limit, shape.windowMs, `p${index}`));
          let clock = start;
          const memory = new MemoryStore({ now: () => clock });
          const redis = store({ clock: () => clock, fallback: false });
          for (const step of steps) {
            clock += step.advance;
            expect(await redis.consume('k', policies, step.cost)).toEqual(memory.consume('k', policies, step.cost));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('decides requests that reach it together in one round trip, exactly as one after the other', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Redis expires keys on its own clock: every TTL here is at least 500 ms, far more than a step takes.
        fc.array(fc.record({ limit: fc.integer({ min: 1, max: 4 }), windowMs: fc.integer({ min: 2_000, max: 10_000 }) }), {
          minLength: 1,
          maxLength: 3,
        }),
        fc.array(
          fc.record({
            advance: fc.integer({ min: 0, max: 3_000 }),
            together: fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c'), cost: fc.integer({ min: 1, max: 5 }) }), {
              minLength: 1,
              maxLength: 12,
            }),
          }),
          { minLength: 1, maxLength: 10 },
        ),
        async (shapes, steps) => {
          const policies = shapes.map((shape, index) => policy(shape.limit, shape.windowMs, `p${index}`));
          let clock = 1_700_000_000_000;
          const memory = new MemoryStore({ now: () => clock });
          const redis = store({ clock: () => clock, fallback: false });
          for (const step of steps) {
            clock += step.advance;
            const together = await Promise.all(step.together.map(({ key, cost }) => redis.consume(key, policies, cost)));
            expect(together).toEqual(step.together.map(({ key, cost }) => memory.consume(key, policies, cost)));
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('reloads its batch script after SCRIPT FLUSH too', async () => {
    const limitStore = store({ fallback: false });
    const burst = [policy(5, 60_000)];
    await Promise.all([limitStore.consume('k', burst, 1), limitStore.consume('k', burst, 1)]);
    await client.script('FLUSH');
    const decisions = await Promise.all([limitStore.consume('k', burst, 1), limitStore.consume('k', burst, 1)]);
    expect(decisions.map((answer) => answer[0]?.remaining)).toEqual([2, 1]);
  });

  it('sends decisions one by one to a Redis Cluster, whose keys live in different slots', async () => {
    const sent: number[] = [];
    const cluster = {
      status: 'ready',
      isCluster: true,
      evalsha: (_sha: string, keys: number, ...rest: string[]) => {
        sent.push(keys);
        return client.evalsha(_sha, keys, ...rest);
      },
      eval: (script: string, keys: number, ...rest: string[]) => client.eval(script, keys, ...rest),
    };
    const limitStore = new RedisStore({ client: cluster, prefix: `test:${randomUUID()}:`, timeoutMs: 2000, fallback: false });
    const answers = await Promise.all(['a', 'b', 'c'].map((key) => limitStore.consume(key, [policy(5, 1000)], 1)));
    expect(answers.map((answer) => answer[0]?.remaining)).toEqual([4, 4, 4]);
    expect(sent).toEqual([1, 1, 1]);
  });

  it("uses the Redis server's clock by default and lets idle keys expire", async () => {
    const limitStore = store();
    const before = Date.now();
    const [decision] = await limitStore.consume('k', [policy(4, 2000)], 1);
    expect(decision).toMatchObject({ allowed: true, remaining: 3, resetMs: 500 });
    const ttl = await client.pttl(limitStore.keyFor('k', policy(4, 2000)));
    // Restored after 500 ms, kept one second more (an expired key and a restored one decide alike).
    expect(ttl).toBeGreaterThan(1000);
    expect(ttl).toBeLessThanOrEqual(1500);
    const tat = Number(await client.get(limitStore.keyFor('k', policy(4, 2000))));
    // Same machine: the server's clock and ours agree to within the test's run time.
    expect(Math.abs(tat - 500 - before)).toBeLessThan(5000);
  });

  it('works with windows longer than 25 days (no 32-bit milliseconds)', async () => {
    const year = policy(2, 366 * 86_400_000, 'yearly');
    const limitStore = store();
    expect((await limitStore.consume('k', [year], 1))[0]?.allowed).toBe(true);
    expect((await limitStore.consume('k', [year], 1))[0]?.allowed).toBe(true);
    const refused = (await limitStore.consume('k', [year], 1))[0];
    expect(refused?.allowed).toBe(false);
    expect(refused?.retryAfterMs).toBeGreaterThan(2 ** 31);
    expect(await client.pttl(limitStore.keyFor('k', year))).toBeGreaterThan(2 ** 32);
  });

  it('reloads its script after SCRIPT FLUSH in the same call (NOSCRIPT)', async () => {
    const limitStore = store({ fallback: false });
    await limitStore.consume('k', [policy(5, 1000)], 1);
    await client.script('FLUSH');
    expect((await limitStore.consume('k', [policy(5, 1000)], 1))[0]).toMatchObject({ allowed: true, remaining: 3 });
  });
});

describe('RedisStore timeouts', () => {
  it('bounds each decision by its own timeoutMs, one shared timer for all of them', async () => {
    const hanging = {
      status: 'ready',
      evalsha: () => new Promise<unknown>(() => undefined),
      eval: () => new Promise<unknown>(() => undefined),
    };
    const limitStore = new RedisStore({ client: hanging, timeoutMs: 200, fallback: false });
    const started = performance.now();
    const settledAfter = (promise: Promise<unknown>) =>
      promise.then(
        () => Number.NaN,
        (error: unknown) => {
          expect((error as Error).name).toBe('RedisTimeoutError');
          return performance.now() - started;
        },
      );
    const first = settledAfter(limitStore.consume('a', [policy(5, 1000)], 1));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = settledAfter(limitStore.consume('b', [policy(5, 1000)], 1));
    const [firstAfter, secondAfter] = await Promise.all([first, second]);
    expect(firstAfter).toBeGreaterThanOrEqual(195);
    expect(firstAfter).toBeLessThan(290);
    expect(secondAfter).toBeGreaterThanOrEqual(295);
    expect(secondAfter).toBeLessThan(500);
  });
});

describe('RedisStore with a client that throws', () => {
  it('answers from the local limiter, as when Redis rejects', async () => {
    const broken = () => {
      throw new Error('broken client');
    };
    const limitStore = new RedisStore({
      client: { status: 'ready', evalsha: broken, eval: broken },
      fallback: { retryMs: 60_000, failuresToFallback: 1, failingForMs: 0 },
    });
    const [decision] = await limitStore.consume('k', [policy(4, 1000)], 1);
    expect(decision).toMatchObject({ allowed: true, remaining: 1 });
    expect(limitStore.state).toBe('local');
  });
});

describe('RedisStore when Redis fails', () => {
  const hourly = [policy(10, 3_600_000, 'hourly')];

  it('answers from the local limiter with half the budget when Redis is stopped, quickly and never 500', async () => {
    const changes: string[] = [];
    const limitStore = store({
      timeoutMs: 100,
      fallback: { onStateChange: (state) => changes.push(state), retryMs: 60_000, failingForMs: 0 },
    });
    const app = await limitedApp(limitStore, hourly);
    expect(count(await statuses(app, 2), 200)).toBe(2);
    await server.stop();
    try {
      const started = performance.now();
      const codes = await statuses(app, 12);
      expect(performance.now() - started).toBeLessThan(1000);
      // The local limiter knows nothing of Redis' count: a fresh half of the limit.
      expect(count(codes, 200)).toBe(5);
      expect(count(codes, 429)).toBe(7);
      expect(limitStore.state).toBe('local');
      expect(changes).toEqual(['fallback']);
    } finally {
      await server.start();
    }
  });

  it('bounds a decision by the timeout when Redis hangs (SIGSTOP)', async () => {
    await expect.poll(() => client.status, { timeout: 5000 }).toBe('ready');
    const limitStore = store({ timeoutMs: 500, fallback: { share: 0.3, retryMs: 60_000, failingForMs: 0 } });
    const app = await limitedApp(limitStore, hourly);
    await statuses(app, 1);
    expect(limitStore.state).toBe('redis');
    server.pause();
    try {
      const started = performance.now();
      const codes = await statuses(app, 5);
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(490);
      expect(elapsed).toBeLessThan(2000);
      expect(count(codes, 200)).toBe(3);
      expect(count(codes, 429)).toBe(2);
      expect(limitStore.state).toBe('local');
      // Once on the local limiter, requests no longer wait for Redis.
      const next = performance.now();
      await statuses(app, 3);
      expect(performance.now() - next).toBeLessThan(490);
    } finally {
      server.resume();
    }
  });

  it('keeps deciding in Redis after one slow answer, though every decision waiting on it timed out', async () => {
    await expect.poll(() => client.status, { timeout: 5000 }).toBe('ready');
    const changes: string[] = [];
    const limitStore = store({ timeoutMs: 200, fallback: { onStateChange: (state) => changes.push(state) } });
    const app = await limitedApp(limitStore, hourly);
    expect(count(await statuses(app, 1), 200)).toBe(1);
    server.pause();
    try {
      // Twenty decisions wait on one paused Redis: each times out and is taken locally, once.
      const codes = await statuses(app, 20);
      expect(codes.every((code) => code === 200 || code === 429)).toBe(true);
    } finally {
      server.resume();
    }
    expect(limitStore.state).toBe('redis');
    expect(changes).toEqual([]);
    // Redis still decides: the key it holds counts the requests made since.
    const key = limitStore.keyFor('client', hourly[0] as RateLimitPolicy);
    await statuses(app, 1);
    expect(await client.exists(key)).toBe(1);
  });

  it('moves to the local limiter once Redis fails decision after decision (SIGSTOP)', async () => {
    await expect.poll(() => client.status, { timeout: 5000 }).toBe('ready');
    const changes: string[] = [];
    const limitStore = store({
      timeoutMs: 200,
      fallback: { failuresToFallback: 3, failingForMs: 500, retryMs: 60_000, onStateChange: (state) => changes.push(state) },
    });
    const app = await limitedApp(limitStore, hourly);
    expect(count(await statuses(app, 1), 200)).toBe(1);
    server.pause();
    try {
      // One request at a time, each waiting out the timeout: the third failure, 400 ms after the first, is
      // not yet enough; the fourth, at 600 ms, is. The machine may be slow, so allow a few more.
      let sent = 0;
      while (limitStore.state === 'redis' && sent < 10) {
        await statuses(app, 1);
        sent++;
      }
      expect(sent).toBeGreaterThanOrEqual(3);
      expect(sent).toBeLessThanOrEqual(4);
      expect(limitStore.state).toBe('local');
      expect(changes).toEqual(['fallback']);
      // From now on no request waits for the paused Redis.
      const started = performance.now();
      await statuses(app, 3);
      expect(performance.now() - started).toBeLessThan(200);
    } finally {
      server.resume();
    }
  });

  it('goes back to Redis by itself after a restart that lost the scripts and the data', async () => {
    await expect.poll(() => client.status, { timeout: 5000 }).toBe('ready');
    const changes: string[] = [];
    const limitStore = store({
      fallback: { retryMs: 100, failuresToFallback: 1, failingForMs: 0, onStateChange: (state) => changes.push(state) },
    });
    const app = await limitedApp(limitStore, hourly);
    expect(count(await statuses(app, 1), 200)).toBe(1);
    await server.stop();
    expect(count(await statuses(app, 1), 200)).toBe(1);
    expect(limitStore.state).toBe('local');
    await server.start();
    const key = limitStore.keyFor('client', hourly[0] as RateLimitPolicy);
    await expect
      .poll(
        async () => {
          const answer = await app.inject({ url: '/v1/things' });
          expect(answer.statusCode).not.toBe(500);
          return limitStore.state === 'redis' && client.status === 'ready' && (await client.exists(key)) === 1;
        },
        { timeout: 10_000, interval: 50 },
      )
      .toBe(true);
    expect(changes).toEqual(['fallback', 'primary']);
  });
});
