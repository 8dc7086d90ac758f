import { afterEach, describe, expect, it } from 'vitest';
import { parseRateLimit, parseRateLimitPolicy, type ProfileName } from '@faultline/core';
import { rateLimit } from '@faultline/express';
import { bodyOf, buildApp, closeServers, codeOf, wireCode, expectProblem, listen, profiles, send } from './helpers.js';

afterEach(closeServers);

/** /limited allows 3 requests a minute per `x-key` header; /other has a policy of its own; /free none. */
async function limitedApp(profile: ProfileName = 'problem'): Promise<string> {
  const test = buildApp({ profile });
  const perKey = rateLimit({
    policies: [{ name: 'per-key', limit: 3, windowMs: 60_000 }],
    key: (req) => String(req.headers['x-key'] ?? 'anonymous'),
  });
  test.app.get('/limited', perKey, (_req, res) => void res.json({ ok: true }));
  test.app.get(
    '/other',
    rateLimit({ policies: [{ name: 'other', limit: 1, windowMs: 60_000 }] }),
    (_req, res) => void res.json({ ok: true }),
  );
  test.app.get('/free', (_req, res) => void res.json({ ok: true }));
  return listen(test);
}

describe('rateLimit', () => {
  it('sends RateLimit-Policy and RateLimit on allowed answers, counting down', async () => {
    const base = await limitedApp();
    const first = await send(base, { path: '/limited', headers: { 'x-key': 'a' } });
    expect(first.status).toBe(200);
    expect(first.headers['ratelimit-policy']).toBe('"per-key";q=3;w=60');
    expect(parseRateLimitPolicy(first.headers['ratelimit-policy'])).toEqual([
      expect.objectContaining({ name: 'per-key', quota: 3, windowSeconds: 60 }),
    ]);
    expect(parseRateLimit(first.headers['ratelimit'])[0]).toMatchObject({ name: 'per-key', remaining: 2 });
    const second = await send(base, { path: '/limited', headers: { 'x-key': 'a' } });
    expect(parseRateLimit(second.headers['ratelimit'])[0]).toMatchObject({ remaining: 1 });
  });

  it('refuses past the limit with 429 limit_reached, Retry-After and the policy', async () => {
    const base = await limitedApp();
    for (let i = 0; i < 3; i++) expect((await send(base, { path: '/limited', headers: { 'x-key': 'b' } })).status).toBe(200);
    const refused = await send(base, { path: '/limited', headers: { 'x-key': 'b' } });
    const body = expectProblem(refused, 429, 'limit_reached');
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(20);
    expect(body['policy']).toBe('per-key');
    expect(body['detail']).toMatch(/^Rate limit "per-key" \(3 per 60 s\) reached; try again after /);
    expect(parseRateLimit(refused.headers['ratelimit'])[0]).toMatchObject({ remaining: 0 });
    expect(refused.headers['ratelimit-policy']).toBe('"per-key";q=3;w=60');
  });

  it('counts each key on its own', async () => {
    const base = await limitedApp();
    for (let i = 0; i < 4; i++) await send(base, { path: '/limited', headers: { 'x-key': 'c' } });
    expect((await send(base, { path: '/limited', headers: { 'x-key': 'd' } })).status).toBe(200);
  });

  it('counts each route with its own limiter, and leaves routes without one alone', async () => {
    const base = await limitedApp();
    for (let i = 0; i < 4; i++) await send(base, { path: '/limited' });
    expect((await send(base, { path: '/other' })).status).toBe(200);
    expect((await send(base, { path: '/other' })).status).toBe(429);
    const free = await send(base, { path: '/free' });
    expect(free.status).toBe(200);
    expect(free.headers['ratelimit']).toBeUndefined();
  });

  it('keys on the client address by default', async () => {
    const base = await limitedApp();
    expect((await send(base, { path: '/other', headers: { 'x-key': 'one' } })).status).toBe(200);
    expect((await send(base, { path: '/other', headers: { 'x-key': 'two' } })).status).toBe(429);
  });

  it.each(profiles)('is limit_reached in the %s profile', async (profile) => {
    const base = await limitedApp(profile);
    await send(base, { path: '/other' });
    const refused = await send(base, { path: '/other' });
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(codeOf(profile, bodyOf(refused))).toBe(wireCode(profile, 'limit_reached'));
  });

  it('refuses a policy it cannot enforce when built', () => {
    expect(() => rateLimit({ policies: [{ name: 'bad name', limit: 1, windowMs: 1000 }] })).toThrow(TypeError);
    expect(() => rateLimit({ policies: [{ name: 'zero', limit: 0, windowMs: 1000 }] })).toThrow(TypeError);
  });
});
