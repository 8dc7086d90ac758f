import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { builtinCatalog, parseRateLimit, writeErrorResponse } from '@faultline/core';
import {
  createRateLimiter,
  MemoryStore,
  type PolicyDecision,
  type RateLimitPolicy,
  type RateLimitStore,
  type RateLimitVerdict,
} from '@faultline/rate-limit';

const policy = (limit: number, windowMs: number, name = 'burst'): RateLimitPolicy => ({ name, limit, windowMs });

/** A request as the tests make them: who sends it, and for which team. */
interface Caller {
  readonly key: string;
  readonly team?: string;
}

const sync = (verdict: RateLimitVerdict | Promise<RateLimitVerdict>): RateLimitVerdict => {
  if (verdict instanceof Promise) throw new Error('expected a synchronous verdict from the memory store');
  return verdict;
};

describe('createRateLimiter', () => {
  it('writes the policy and remaining fields on every verdict, and refuses over the limit with limit_reached', () => {
    let clock = 0;
    const limiter = createRateLimiter<Caller>({
      catalog: builtinCatalog,
      policies: [policy(2, 10_000)],
      key: (caller) => caller.key,
      store: new MemoryStore({ now: () => clock }),
    });
    const first = sync(limiter.check({ key: 'a' }));
    expect(first.refusal).toBeUndefined();
    expect(first.headers).toEqual({ 'ratelimit-policy': '"burst";q=2;w=10', ratelimit: '"burst";r=1;t=5' });
    sync(limiter.check({ key: 'a' }));
    clock = 1000;
    const refused = sync(limiter.check({ key: 'a' }));
    expect(refused.headers['ratelimit']).toBe('"burst";r=0;t=9');
    expect(refused.refusal?.code).toBe('limit_reached');
    expect(refused.refusal?.status).toBe(429);
    expect(refused.refusal?.extensions['policy']).toBe('burst');
    expect(refused.refusal?.detail).toMatch(/^Rate limit "burst" \(2 per 10 s\) reached; try again after \d{4}-/);
    // Another key has its own allowance.
    expect(sync(limiter.check({ key: 'b' })).refusal).toBeUndefined();
  });

  it('counts a group on its own key once the main policies admit, and lists its items in the same fields', () => {
    const limiter = createRateLimiter<Caller>({
      catalog: builtinCatalog,
      policies: [policy(5, 60_000, 'key')],
      key: (caller) => caller.key,
      also: [{ key: (caller) => caller.team, policies: [policy(2, 60_000, 'team')] }],
    });
    const verdicts: RateLimitVerdict[] = [];
    for (const key of ['k1', 'k2', 'k3']) verdicts.push(limiter.check({ key, team: 't' }) as RateLimitVerdict);
    return Promise.all(verdicts).then((settled) => {
      expect(settled.map((verdict) => verdict.refusal?.extensions['policy'])).toEqual([undefined, undefined, 'team']);
      expect(settled[0]?.headers['ratelimit-policy']).toBe('"key";q=5;w=60, "team";q=2;w=60');
      expect(parseRateLimit(settled[1]?.headers['ratelimit'] ?? '').map((item) => item.remaining)).toEqual([4, 0]);
    });
  });

  it('skips a group whose key is undefined', async () => {
    const limiter = createRateLimiter<Caller>({
      catalog: builtinCatalog,
      policies: [policy(5, 60_000, 'key')],
      key: (caller) => caller.key,
      also: [{ key: (caller) => caller.team, policies: [policy(1, 60_000, 'team')] }],
    });
    for (let index = 0; index < 3; index++) {
      const verdict = await limiter.check({ key: 'solo' });
      expect(verdict.refusal).toBeUndefined();
      expect(verdict.headers['ratelimit']).not.toContain('"team"');
    }
  });

  it('adds the legacy forms asked for, describing the tightest policy', () => {
    const limiter = createRateLimiter<Caller>({
      catalog: builtinCatalog,
      policies: [policy(10, 1000, 'second'), policy(3, 60_000, 'minute')],
      key: (caller) => caller.key,
      legacyHeaders: ['draft-6', 'x-ratelimit'],
    });
    const verdict = sync(limiter.check({ key: 'a' }));
    expect(verdict.headers).toMatchObject({
      'ratelimit-limit': '3',
      'ratelimit-remaining': '2',
      'x-ratelimit-limit': '3',
      'x-ratelimit-remaining': '2',
    });
    expect(Number(verdict.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
  });

  it('answers through a promise with an asynchronous store, and rejects when the store fails', async () => {
    let failing = false;
    const memory = new MemoryStore();
    const store: RateLimitStore = {
      consume: (key, policies, cost): Promise<PolicyDecision[]> =>
        failing ? Promise.reject(new Error('store down')) : Promise.resolve(memory.consume(key, policies, cost)),
    };
    const limiter = createRateLimiter<Caller>({ catalog: builtinCatalog, policies: [policy(1, 1000)], key: (c) => c.key, store });
    const pending = limiter.check({ key: 'a' });
    expect(pending).toBeInstanceOf(Promise);
    expect((await pending).refusal).toBeUndefined();
    expect((await limiter.check({ key: 'a' })).refusal?.code).toBe('limit_reached');
    failing = true;
    await expect(limiter.check({ key: 'b' })).rejects.toThrow('store down');
  });

  it('refuses bad options at creation, naming what is wrong', () => {
    const make = (options: Partial<Parameters<typeof createRateLimiter<Caller>>[0]>) => () =>
      createRateLimiter<Caller>({ catalog: builtinCatalog, policies: [policy(1, 1000)], key: (c) => c.key, ...options });
    expect(make({ policies: [policy(1, 1000, 'two words')] })).toThrow('must be a simple word');
    expect(make({ policies: [policy(0, 1000)] })).toThrow('positive whole limit and window');
    expect(make({ legacyHeaders: ['draft-7' as 'draft-6'] })).toThrow('use draft-6 or x-ratelimit');
  });

  it('limits a plain node:http server: the fields on each answer, then a 429 with Retry-After', async () => {
    const limiter = createRateLimiter<IncomingMessage>({
      catalog: builtinCatalog,
      policies: [policy(2, 60_000)],
      key: (request) => `ip:${request.socket.remoteAddress}`,
    });
    const server = createServer((request, response) => {
      void Promise.resolve(limiter.check(request)).then((verdict) => {
        for (const [name, value] of Object.entries(verdict.headers)) response.setHeader(name, value);
        if (verdict.refusal === undefined) {
          response.end('ok');
          return;
        }
        const answer = writeErrorResponse(verdict.refusal, {
          catalog: builtinCatalog,
          profile: 'problem',
          requestId: 'r1',
          docsUrl: '/docs/errors',
        });
        response.writeHead(answer?.status ?? 500, answer?.headers).end(answer?.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const answers = [await fetch(url), await fetch(url), await fetch(url)];
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 429]);
      expect(answers[0]?.headers.get('ratelimit-policy')).toBe('"burst";q=2;w=60');
      const refused = answers[2] as Response;
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
      expect(await refused.json()).toMatchObject({ code: 'limit_reached', status: 429, policy: 'burst' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
