import { randomUUID } from 'node:crypto';
import { startRedisServer, type RedisServer } from '@faultline/test-services';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Idempotency, RedisIdempotencyStore } from '../src/index.js';
import { storeBehaviour } from './store-behaviour.js';

let server: RedisServer;
const clients: Redis[] = [];
const prefix = `test:${randomUUID()}:`;

function client(): Redis {
  const made = new Redis({ port: server.port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  made.on('error', () => undefined);
  clients.push(made);
  return made;
}

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  for (const made of clients) made.disconnect();
  await server?.close();
});

// Each engine on its own connection: two processes on one Redis.
storeBehaviour(
  'RedisIdempotencyStore',
  () => new RedisIdempotencyStore({ client: client(), prefix, timeoutMs: 5000 }),
  () => new RedisIdempotencyStore({ client: client(), prefix, timeoutMs: 5000 }),
);

describe('RedisIdempotencyStore', () => {
  it('keeps records under its prefix, with Redis expiring them, and never the key itself', async () => {
    const redis = client();
    const store = new RedisIdempotencyStore({ client: redis, prefix: 'own-prefix:', timeoutMs: 5000 });
    const idempotency = new Idempotency({ store, claimTtlMs: 10_000 });
    await idempotency.admit({ key: 'visible-key', scope: 'team:1', method: 'POST', path: '/', body: { a: 1 } });
    const keys = await redis.keys('own-prefix:*');
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toContain('visible-key');
    const ttl = await redis.pttl(keys[0] as string);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10_000);
  });

  it('fails the admission within its timeout when Redis does not answer', async () => {
    const redis = client();
    await redis.ping();
    const store = new RedisIdempotencyStore({ client: redis, prefix, timeoutMs: 200 });
    server.pause();
    try {
      const started = Date.now();
      await expect(
        new Idempotency({ store }).admit({ key: 'k', scope: 's', method: 'POST', path: '/', body: undefined }),
      ).rejects.toThrow(/did not answer within 200 ms/);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      server.resume();
    }
  });
});
