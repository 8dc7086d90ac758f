import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/index.js';
import { bearer as as, openWorld, type World } from './support.js';

let world: World;
let app: FastifyInstance;

beforeAll(async () => {
  world = await openWorld();
  app = await buildApp({ db: world.db, rateLimits: [{ name: 'burst', limit: 3, windowMs: 60_000 }] });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await world.close();
});

describe('rate limits per API key', () => {
  it('answers limit_reached once a key has spent its allowance, while another key goes on', async () => {
    const statuses = [];
    for (let index = 0; index < 3; index++) {
      const response = await app.inject({ url: '/v1/me', headers: as(world.demo.apiKey) });
      statuses.push(response.statusCode);
      expect(response.headers['ratelimit-policy']).toBe('"burst";q=3;w=60');
      expect(response.headers['ratelimit']).toBe(`"burst";r=${2 - index};t=${20 * (index + 1)}`);
    }
    expect(statuses).toEqual([200, 200, 200]);

    const refused = await app.inject({ url: '/v1/campaigns', headers: as(world.demo.apiKey) });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('20');
    expect(refused.json()).toMatchObject({ code: 'limit_reached', policy: 'burst', type: '/docs/errors#limit_reached' });

    expect((await app.inject({ url: '/v1/me', headers: as(world.other.apiKey) })).statusCode).toBe(200);
  });

  it('does not count requests that fail authentication against anyone', async () => {
    const before = await app.inject({ url: '/v1/me', headers: as(world.other.apiKey) });
    for (let index = 0; index < 5; index++) expect((await app.inject({ url: '/v1/me' })).statusCode).toBe(401);
    const after = await app.inject({ url: '/v1/me', headers: as(world.other.apiKey) });
    // The other key had spent one unit in the test above; five refused requests in between spent none.
    expect(before.headers['ratelimit']).toBe('"burst";r=1;t=40');
    expect(after.statusCode).toBe(200);
    expect(after.headers['ratelimit']).toBe('"burst";r=0;t=60');
    expect((await app.inject({ url: '/v1/me', headers: as(world.other.apiKey) })).statusCode).toBe(429);
  });
});

describe('the older rate-limit header forms', () => {
  it('sends RateLimit-Limit/-Remaining/-Reset and X-RateLimit-* besides the draft-10 fields when configured', async () => {
    const legacy = await buildApp({
      db: world.db,
      rateLimits: [{ name: 'burst', limit: 2, windowMs: 60_000 }],
      rateLimitLegacyHeaders: ['draft-6', 'x-ratelimit'],
    });
    try {
      const answers = [];
      for (let index = 0; index < 3; index++) {
        const before = Date.now();
        const response = await legacy.inject({ url: '/v1/me', headers: as(world.demo.apiKey) });
        answers.push({ response, before, after: Date.now() });
      }
      expect(answers.map(({ response }) => response.statusCode)).toEqual([200, 200, 429]);
      const expected = [
        { remaining: '1', reset: 30 },
        { remaining: '0', reset: 60 },
        { remaining: '0', reset: 60 },
      ];
      answers.forEach(({ response, before, after }, index) => {
        const { remaining, reset } = expected[index] as { remaining: string; reset: number };
        expect(response.headers['ratelimit-policy']).toBe('"burst";q=2;w=60');
        expect(response.headers['ratelimit']).toBe(`"burst";r=${remaining};t=${reset}`);
        expect(response.headers['ratelimit-limit']).toBe('2');
        expect(response.headers['ratelimit-remaining']).toBe(remaining);
        expect(response.headers['ratelimit-reset']).toBe(String(reset));
        expect(response.headers['x-ratelimit-limit']).toBe('2');
        expect(response.headers['x-ratelimit-remaining']).toBe(remaining);
        const unix = Number(response.headers['x-ratelimit-reset']);
        expect(unix).toBeGreaterThanOrEqual(Math.floor(before / 1000) + reset - 1);
        expect(unix).toBeLessThanOrEqual(Math.ceil(after / 1000) + reset);
      });
      expect(answers[2]?.response.headers['retry-after']).toBe('30');
    } finally {
      await legacy.close();
    }
  });
});
