import { parseRateLimit, parseRateLimitPolicy } from '@faultline/core';
import { rateLimit } from '@faultline/hono/rate-limit';
import { MemoryStore } from '@faultline/rate-limit';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, closeServers, expectInProfile, expectProblem, listen, profiles } from './helpers.js';

afterEach(closeServers);

function limitedApp(limit: number, profile: (typeof profiles)[number] = 'problem') {
  const app = buildApp({ profile });
  app.use(
    '/v1/*',
    rateLimit({ policies: [{ name: 'per-key', limit, windowMs: 60_000 }], key: (c) => c.req.header('x-key') ?? 'anonymous' }),
  );
  app.get('/v1/things', (c) => c.json({ ok: true }));
  app.get('/v1/fail', () => {
    throw new Error('boom');
  });
  return app;
}

describe('rateLimit()', () => {
  it('puts RateLimit-Policy and RateLimit on every answer, 2xx and errors alike', async () => {
    const app = limitedApp(5);
    const ok = await app.request('/v1/things');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('ratelimit-policy')).toBe('"per-key";q=5;w=60');
    expect(ok.headers.get('ratelimit')).toBe('"per-key";r=4;t=12');
    const failed = await app.request('/v1/fail');
    expect(failed.status).toBe(500);
    expect(failed.headers.get('ratelimit')).toMatch(/^"per-key";r=3;t=\d+$/);
    const missing = await app.request('/v1/none');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('ratelimit-policy')).toBe('"per-key";q=5;w=60');
  });

  it('answers 429 limit_reached with Retry-After past the limit, counting per key, on a real socket', async () => {
    const url = await listen(limitedApp(2));
    const get = (key: string) => fetch(`${url}/v1/things`, { headers: { 'x-key': key } });
    expect((await get('a')).status).toBe(200);
    expect((await get('a')).status).toBe(200);
    const refused = await get('a');
    const body = await expectProblem(refused, 429, 'limit_reached');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(body['policy']).toBe('per-key');
    expect(body['detail']).toMatch(/^Rate limit "per-key" \(2 per 60 s\) reached; try again after /);
    expect(parseRateLimit(refused.headers.get('ratelimit') ?? '')).toMatchObject([{ name: 'per-key', remaining: 0 }]);
    expect(parseRateLimitPolicy(refused.headers.get('ratelimit-policy') ?? '')).toEqual([
      { name: 'per-key', quota: 2, windowSeconds: 60 },
    ]);
    // Another key has its own allowance.
    expect((await get('b')).status).toBe(200);
  });

  it.each(profiles)('refuses with limit_reached in the %s profile', async (profile) => {
    const app = limitedApp(1, profile);
    await app.request('/v1/things');
    const refused = await app.request('/v1/things');
    expect(refused.headers.get('retry-after')).not.toBeNull();
    const detail = (await refused.clone().json()) as Record<string, unknown>;
    const text = String(detail['detail'] ?? detail['description'] ?? detail['error_description'] ?? detail['error']);
    await expectInProfile(refused, profile, 429, 'limit_reached', text);
  });

  it('takes a store of its own and a cost per request', async () => {
    const app = buildApp();
    const store = new MemoryStore();
    app.use('*', rateLimit({ policies: [{ name: 'burst', limit: 10, windowMs: 1000 }], key: () => 'k', store, cost: () => 6 }));
    app.get('/', (c) => c.text('ok'));
    expect((await app.request('/')).status).toBe(200);
    expect((await app.request('/')).status).toBe(429);
  });

  it('refuses a bad policy where the middleware is made', () => {
    expect(() => rateLimit({ policies: [{ name: 'bad name', limit: 1, windowMs: 1000 }], key: () => 'k' })).toThrow(
      /simple word/,
    );
  });
});
