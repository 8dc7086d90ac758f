import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '@faultline/test-services';
import { readConfig, startReferenceApi, type RunningApi } from '../src/index.js';

// The API opens its own SQLite file here; the PostgreSQL run of the suite has nothing to add.
describe('the reference API on Redis', () => {
  let redis: RedisServer;
  let directory: string;
  let running: RunningApi | undefined;

  beforeAll(async () => {
    redis = await startRedisServer();
    directory = mkdtempSync(join(tmpdir(), 'faultline-redis-rate-limits-'));
  });

  afterAll(async () => {
    await running?.close();
    await redis?.close();
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  });

  it('starts while Redis is down, limits on its share meanwhile, never 500, and moves to Redis once it is back', async () => {
    await redis.stop();
    const started = performance.now();
    running = await startReferenceApi(
      readConfig({
        PORT: '0',
        DATABASE_URL: `sqlite:${join(directory, 'api.db')}`,
        REDIS_URL: redis.url,
        RATE_LIMITS: 'hourly=6/1h',
        // The key's policy alone, so the fields show its share (the team ceiling is counted the same way).
        TEAM_RATE_LIMITS: 'off',
        RATE_LIMIT_FALLBACK_SHARE: '0.5',
        LOG_LEVEL: 'silent',
      }),
    );
    expect(performance.now() - started).toBeLessThan(5000);
    const { app, demo } = running;
    const get = () => app.inject({ url: '/v1/campaigns', headers: { authorization: `Bearer ${demo.apiKey}` } });

    const local = [];
    for (let index = 0; index < 5; index++) local.push(await get());
    expect(local.map((response) => response.statusCode)).toEqual([200, 200, 200, 429, 429]);
    for (const response of local) expect(response.headers['ratelimit-policy']).toBe('"hourly";q=6;w=3600');
    expect(Number(local[4]?.headers['retry-after'])).toBeGreaterThan(0);

    await redis.start();
    const client = new Redis(redis.port, '127.0.0.1', { lazyConnect: true });
    try {
      await client.connect();
      // The API reconnects by itself and tries Redis again within a second; Redis starts from nothing.
      await expect
        .poll(
          async () => {
            const response = await get();
            expect(response.statusCode).not.toBe(500);
            return (await client.keys('faultline:rate-limit:*')).length;
          },
          { timeout: 10_000, interval: 100 },
        )
        .toBe(1);
    } finally {
      client.disconnect();
    }
    await running.close();
    running = undefined;
  });
});
