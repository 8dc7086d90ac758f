import { afterEach, describe, expect, it } from 'vitest';
import { builtinCatalog } from '@faultline/core';
import type { FastifyInstance } from 'fastify';
import { MemoryStore, rateLimitHook, type RateLimitOptions, type RateLimitPolicy } from '@faultline/fastify';
import { buildApp, closeApps } from './helpers.js';

afterEach(closeApps);

const policy = (limit: number, windowMs: number, name = 'burst'): RateLimitPolicy => ({ name, limit, windowMs });

async function limitedApp(
  profile: 'problem' | 'classic' = 'problem',
  options: Partial<RateLimitOptions> = {},
): Promise<FastifyInstance> {
  const app = await buildApp({ profile });
  app.addHook(
    'onRequest',
    rateLimitHook({
      catalog: builtinCatalog,
      policies: [policy(3, 60_000)],
      key: (request) => String(request.headers['x-client'] ?? 'anonymous'),
      ...options,
    }),
  );
  app.get('/v1/things', async () => ({ ok: true }));
  return app;
}

describe('the rate-limit hook', () => {
  it('sends the draft RateLimit fields on every answer and refuses the request over the limit with limit_reached', async () => {
    const app = await limitedApp();
    const remaining = [];
    for (let index = 0; index < 3; index++) {
      const response = await app.inject({ url: '/v1/things', headers: { 'x-client': 'a' } });
      expect(response.statusCode).toBe(200);
      expect(response.headers['ratelimit-policy']).toBe('"burst";q=3;w=60');
      remaining.push(response.headers['ratelimit']);
    }
    expect(remaining).toEqual(['"burst";r=2;t=20', '"burst";r=1;t=40', '"burst";r=0;t=60']);

    const refused = await app.inject({ url: '/v1/things', headers: { 'x-client': 'a' } });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('20');
    expect(refused.headers['ratelimit']).toBe('"burst";r=0;t=60');
    expect(refused.headers['ratelimit-policy']).toBe('"burst";q=3;w=60');
    const body = refused.json() as Record<string, unknown>;
    expect(body).toMatchObject({ code: 'limit_reached', status: 429, policy: 'burst' });
    expect(Date.parse(body['retry_after'] as string) - Date.now()).toBeGreaterThan(18_000);

    expect((await app.inject({ url: '/v1/things', headers: { 'x-client': 'b' } })).statusCode).toBe(200);
  });

  it('counts groups of policies on keys of their own, in the same fields, once the main policies admit', async () => {
    const store = new MemoryStore();
    // Two clients of one team: 3 each, 4 for the team together; a request without a team is not counted for one.
    const app = await limitedApp('problem', {
      store,
      also: [
        {
          key: (request) => (request.headers['x-team'] === undefined ? undefined : `team:${String(request.headers['x-team'])}`),
          policies: [policy(4, 60_000, 'team')],
        },
      ],
    });
    const send = (client: string, team?: string) =>
      app.inject({ url: '/v1/things', headers: { 'x-client': client, ...(team === undefined ? {} : { 'x-team': team }) } });
    const statuses = [];
    for (const client of ['a', 'b', 'a', 'b', 'a']) statuses.push((await send(client, 't')).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    const refused = await send('b', 't');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['ratelimit-policy']).toBe('"burst";q=3;w=60, "team";q=4;w=60');
    expect(refused.headers['ratelimit']).toBe('"burst";r=0;t=60, "team";r=0;t=60');
    expect(refused.json()).toMatchObject({ code: 'limit_reached', policy: 'team' });
    // Refused by its own policy, a request spends nothing of the team's.
    const own = await send('a', 'u');
    expect(own.statusCode).toBe(429);
    expect(own.json()).toMatchObject({ policy: 'burst' });
    expect(own.headers['ratelimit']).toBe('"burst";r=0;t=60');
    expect(store.consume('team:u', [policy(4, 60_000, 'team')], 0)[0]?.remaining).toBe(4);
    // Without a team, only the main policies count.
    const alone = await send('c');
    expect(alone.statusCode).toBe(200);
    expect(alone.headers['ratelimit']).toBe('"burst";r=2;t=20');
  });

  it('writes the classic message with the exact retry sentence', async () => {
    const app = await limitedApp('classic');
    for (let index = 0; index < 3; index++) await app.inject({ url: '/v1/things' });
    const body = (await app.inject({ url: '/v1/things' })).json() as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['code', 'error', 'time']);
    expect(body['code']).toBe('limit_reached');
    expect(body['error']).toMatch(/^Please wait and try again after: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('refuses a malformed policy at start-up', () => {
    expect(() => rateLimitHook({ catalog: builtinCatalog, policies: [policy(0, 1000)] })).toThrow(/positive whole limit/);
    expect(() => rateLimitHook({ catalog: builtinCatalog, policies: [policy(1, 1000, 'a b')] })).toThrow(/simple word/);
  });
});

describe('legacy rate-limit headers', () => {
  const legacyNames = [
    'ratelimit-limit',
    'ratelimit-remaining',
    'ratelimit-reset',
    'x-ratelimit-limit',
    'x-ratelimit-remaining',
    'x-ratelimit-reset',
  ];

  /** Three admitted requests and one refused, over the 3-per-minute policy of `limitedApp`. */
  async function overTheLimit(app: FastifyInstance) {
    const answers = [];
    for (let index = 0; index < 4; index++) {
      const before = Date.now();
      const response = await app.inject({ url: '/v1/things' });
      answers.push({ response, before, after: Date.now() });
    }
    expect(answers.map(({ response }) => response.statusCode)).toEqual([200, 200, 200, 429]);
    return answers;
  }

  it('are not sent by default', async () => {
    const answers = await overTheLimit(await limitedApp());
    for (const { response } of answers) for (const name of legacyNames) expect(response.headers).not.toHaveProperty(name);
  });

  it('draft-6: RateLimit-Limit, -Remaining and -Reset in seconds, besides the draft-10 fields', async () => {
    const answers = await overTheLimit(await limitedApp('problem', { legacyHeaders: ['draft-6'] }));
    expect(
      answers.map(({ response }) => [
        response.headers['ratelimit-limit'],
        response.headers['ratelimit-remaining'],
        response.headers['ratelimit-reset'],
      ]),
    ).toEqual([
      ['3', '2', '20'],
      ['3', '1', '40'],
      ['3', '0', '60'],
      ['3', '0', '60'],
    ]);
    const refused = answers[3]?.response;
    expect(refused?.headers['ratelimit']).toBe('"burst";r=0;t=60');
    expect(refused?.headers['ratelimit-policy']).toBe('"burst";q=3;w=60');
    expect(refused?.headers['retry-after']).toBe('20');
    for (const { response } of answers) expect(response.headers).not.toHaveProperty('x-ratelimit-limit');
  });

  it('x-ratelimit: X-RateLimit-Limit, -Remaining and -Reset as Unix seconds', async () => {
    const answers = await overTheLimit(await limitedApp('problem', { legacyHeaders: ['x-ratelimit'] }));
    const resetAfter = [20, 40, 60, 60];
    answers.forEach(({ response, before, after }, index) => {
      expect(response.headers['x-ratelimit-limit']).toBe('3');
      expect(response.headers['x-ratelimit-remaining']).toBe(String(Math.max(0, 2 - index)));
      const reset = Number(response.headers['x-ratelimit-reset']);
      const seconds = (resetAfter[index] as number) * 1000;
      expect(reset).toBeGreaterThanOrEqual(Math.floor((before + seconds) / 1000) - 1);
      expect(reset).toBeLessThanOrEqual(Math.ceil((after + seconds) / 1000));
      expect(response.headers).not.toHaveProperty('ratelimit-limit');
      expect(response.headers['ratelimit']).toBeDefined();
    });
  });

  it('sends both forms when asked, in any profile', async () => {
    const answers = await overTheLimit(await limitedApp('classic', { legacyHeaders: ['draft-6', 'x-ratelimit'] }));
    const refused = answers[3]?.response;
    expect(refused?.headers['ratelimit-remaining']).toBe('0');
    expect(refused?.headers['x-ratelimit-remaining']).toBe('0');
    expect(refused?.headers['ratelimit-limit']).toBe('3');
    expect(refused?.headers['x-ratelimit-limit']).toBe('3');
    expect(Object.keys(refused?.json() as object).sort()).toEqual(['code', 'error', 'time']);
  });

  it('describe the policy with the fewest units left, then the refused one', async () => {
    const app = await limitedApp('problem', {
      legacyHeaders: ['draft-6'],
      policies: [policy(10, 1000, 'burst'), policy(2, 3_600_000, 'hourly')],
    });
    const headersOf = async () => {
      const response = await app.inject({ url: '/v1/things' });
      return [
        response.statusCode,
        response.headers['ratelimit-limit'],
        response.headers['ratelimit-remaining'],
        response.headers['ratelimit-reset'],
      ];
    };
    expect(await headersOf()).toEqual([200, '2', '1', '1800']);
    expect(await headersOf()).toEqual([200, '2', '0', '3600']);
    expect(await headersOf()).toEqual([429, '2', '0', '3600']);
  });

  it('refuses an unknown form at start-up, naming the ones it knows', () => {
    expect(() =>
      rateLimitHook({
        catalog: builtinCatalog,
        policies: [policy(1, 1000)],
        legacyHeaders: ['draft-7' as 'draft-6'],
      }),
    ).toThrow('Unknown rate-limit header form "draft-7": use draft-6 or x-ratelimit.');
  });
});
