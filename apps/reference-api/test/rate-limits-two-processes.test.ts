/**
 * Two real reference-API processes on one database and one Redis: the rate
 * limit holds exactly across both, as it would behind a load balancer.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '@faultline/test-services';
import { ApiProcesses, requireReferenceApiBuild, type ApiProcess } from './api-process.js';

const limit = 200;

interface Api extends ApiProcess {
  readonly apiKey: string;
}

let redis: RedisServer;
let directory: string;
const processes = new ApiProcesses();

/** Starts the built reference API and reads the demo key from its banner. */
async function startApi(environment: Record<string, string>): Promise<Api> {
  const api = await processes.start(directory, environment);
  const apiKey = /demo API key: (\S+)/.exec(api.banner)?.[1];
  if (apiKey === undefined) throw new Error(`The reference API's banner names no demo API key: ${api.banner}`);
  return { ...api, apiKey };
}

// The processes open their own SQLite file; the PostgreSQL run of the suite has nothing to add here.
describe('two reference-API processes sharing Redis', () => {
  beforeAll(async () => {
    // The processes run the build (`npm test` builds first).
    requireReferenceApiBuild();
    redis = await startRedisServer();
    directory = mkdtempSync(join(tmpdir(), 'faultline-two-processes-'));
  });

  afterAll(async () => {
    for (const child of processes.children) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await redis?.close();
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  });

  it('admit exactly the limit between them; the rest get 429 with Retry-After', async () => {
    const environment = {
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${join(directory, 'shared.db')}`,
      REDIS_URL: redis.url,
      RATE_LIMITS: `burst=${limit}/1d`,
      // The burst comes from one team's key: the team ceiling would refuse part of it; this test counts the key's limit.
      TEAM_RATE_LIMITS: 'off',
      LOG_LEVEL: 'warn',
      // Load shedding would answer some of this burst with 503 on a busy test machine; this test counts rate limits only.
      OVERLOAD_MAX_IN_FLIGHT: 'off',
      OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: 'off',
      // A loaded test machine can hold a healthy Redis' answer past the default 100 ms; exactness holds while Redis answers in time.
      RATE_LIMIT_REDIS_TIMEOUT_MS: '2000',
    };
    // The first creates the schema and the demo key; the second finds both.
    const first = await startApi(environment);
    const second = await startApi(environment);
    expect(second.apiKey).toBe(first.apiKey);

    const total = 600;
    const inFlightPerProcess = 50;
    const statuses: number[] = [];
    let next = 0;
    const worker = async (api: Api): Promise<void> => {
      while (next < total) {
        next += 1;
        const response = await fetch(`${api.url}/v1/campaigns`, { headers: { authorization: `Bearer ${api.apiKey}` } });
        const body = await response.text();
        expect([200, 429], body).toContain(response.status);
        if (response.status === 429) expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(response.headers.get('ratelimit')).toMatch(/^"burst";r=\d+;t=\d+$/);
        statuses.push(response.status);
      }
    };
    await Promise.all([first, second].flatMap((api) => Array.from({ length: inFlightPerProcess }, () => worker(api))));

    expect(statuses).toHaveLength(total);
    expect(statuses.filter((status) => status >= 200 && status < 300)).toHaveLength(limit);
    expect(statuses.filter((status) => status === 429)).toHaveLength(total - limit);

    // One key in Redis holds the count of both processes.
    const client = new Redis(redis.port, '127.0.0.1', { lazyConnect: true });
    try {
      await client.connect();
      expect(await client.keys('faultline:rate-limit:*')).toHaveLength(1);
    } finally {
      client.disconnect();
    }
  });
});
