/**
 * Guessing and minting are metered (issue 12, finding 7): failed
 * authentications per client network, checked before any database lookup;
 * /oauth/token and /oauth/revoke per client and per network; the two login
 * forms on one budget per account and per network; a ceiling per team over
 * all its keys. Shared through Redis when the app is given a Redis store.
 */
import { RedisStore } from '@faultline/fastify';
import { startRedisServer, type RedisServer } from '@faultline/test-services';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import type { Kysely, KyselyPlugin, RootOperationNode } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, issueApiKey, type Database } from '../src/index.js';
import { attemptPolicies as policiesOf } from '../src/attempt-limits.js';

const attemptPolicies = policiesOf();
import { basic, form, formHeaders, registerApp, setPassword } from './oauth-support.js';
import { bearer, json, openWorld, type World } from './support.js';

let world: World;
/** Every query the app sends, counted. */
let queries = 0;
let counted: Kysely<Database>;

beforeAll(async () => {
  world = await openWorld();
  const counter: KyselyPlugin = {
    transformQuery({ node }): RootOperationNode {
      queries += 1;
      return node;
    },
    transformResult: async ({ result }) => result,
  };
  counted = world.db.withPlugin(counter);
});

afterAll(async () => {
  await world.close();
});

/** A well-formed key no one was issued: it costs a lookup, and fails it. */
const wrongKey = (index: number) => `flk_${String(index).padStart(16, '0')}_${'x'.repeat(43)}`;

/** Sends `count` requests, `parallel` at a time, and returns the responses in order. */
async function inWaves(count: number, parallel: number, send: (index: number) => Promise<LightMyRequestResponse>) {
  const responses: LightMyRequestResponse[] = [];
  for (let start = 0; start < count; start += parallel) {
    const wave = Array.from({ length: Math.min(parallel, count - start) }, (_, offset) => send(start + offset));
    responses.push(...(await Promise.all(wave)));
  }
  return responses;
}

/** How many units a policy can have refilled since `startedAt`: the wall clock keeps running during a test. */
const refilledSince = (policy: { limit: number; windowMs: number }, startedAt: number) =>
  Math.ceil((Date.now() - startedAt) / (policy.windowMs / policy.limit)) + 1;

/** The last refused response: refusals go on to the end but for the units refilled meanwhile. */
const lastRefused = (responses: readonly LightMyRequestResponse[]) =>
  responses.findLast((response) => response.statusCode === 429) as LightMyRequestResponse;

const expectLimited = (response: LightMyRequestResponse, code = 'limit_reached') => {
  expect(response.statusCode).toBe(429);
  expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
  expect(json(response)['code'] ?? json(response)['error']).toBe(code);
};

describe('failed authentication, per client network', () => {
  it('320 wrong keys from one address: 401 up to the budget, then 429 with no lookup, while a good key from another address works', async () => {
    const app = await buildApp({ db: counted });
    try {
      const budget = attemptPolicies.authFailures[0].limit;
      const parallel = 16;
      const startedAt = Date.now();
      const responses = await inWaves(320, parallel, (index) =>
        app.inject({ url: '/v1/campaigns', remoteAddress: '203.0.113.7', headers: bearer(wrongKey(index)) }),
      );
      const statuses = responses.map((response) => response.statusCode);
      expect(statuses.filter((status) => status !== 401 && status !== 429)).toEqual([]);
      // Lookups under way count against what is left, so waves sent at once cannot overdraw the budget.
      const unauthorized = statuses.filter((status) => status === 401).length;
      expect(unauthorized).toBeGreaterThanOrEqual(budget);
      expect(unauthorized).toBeLessThanOrEqual(budget + refilledSince(attemptPolicies.authFailures[0], startedAt));

      // A burst sent all at once by a network that has failed is refused whole (but for what refilled meanwhile).
      const burstStartedAt = Date.now();
      const burst = await inWaves(100, 100, (index) =>
        app.inject({ url: '/v1/campaigns', remoteAddress: '203.0.113.7', headers: bearer(wrongKey(index)) }),
      );
      expect(burst.filter((response) => response.statusCode === 401).length).toBeLessThanOrEqual(
        refilledSince(attemptPolicies.authFailures[0], burstStartedAt),
      );
      // (A unit refills every few hundred milliseconds, so the very last request may be admitted again.)
      expectLimited(lastRefused(responses));

      // Past the budget, a wrong key costs no database query at all.
      // (A unit may refill between two requests; the first refused one is the one measured.)
      let refusedWithoutQuery = false;
      for (let attempt = 0; attempt < 5 && !refusedWithoutQuery; attempt += 1) {
        const before = queries;
        const again = await app.inject({ url: '/v1/campaigns', remoteAddress: '203.0.113.7', headers: bearer(wrongKey(999)) });
        if (again.statusCode === 429) {
          expect(queries).toBe(before);
          refusedWithoutQuery = true;
        }
      }
      expect(refusedWithoutQuery).toBe(true);

      // The well-behaved client elsewhere is not affected.
      const good = await app.inject({ url: '/v1/campaigns', remoteAddress: '198.51.100.2', headers: bearer(world.demo.apiKey) });
      expect(good.statusCode).toBe(200);
      // An IPv6 client is counted by its /64: a fresh address per guess gains nothing.
      const sixStartedAt = Date.now();
      const sixes = await inWaves(2 * budget, 1, (index) =>
        app.inject({
          url: '/v1/me',
          remoteAddress: `2001:db8:1:2::${(index + 1).toString(16)}`,
          headers: bearer(wrongKey(index)),
        }),
      );
      const sixStatuses = sixes.map((response) => response.statusCode);
      expect(sixStatuses.filter((status) => status === 401).length).toBeLessThanOrEqual(
        budget + refilledSince(attemptPolicies.authFailures[0], sixStartedAt),
      );
      expect(sixStatuses.filter((status) => status !== 401 && status !== 429)).toEqual([]);
      expect(
        (await app.inject({ url: '/v1/me', remoteAddress: '2001:db8:1:3::1', headers: bearer(world.demo.apiKey) })).statusCode,
      ).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('a burst of wrong keys from a network that never failed: at most a budget of lookups, the rest 429 before any query', async () => {
    const budget = 10;
    const app = await buildApp({ db: counted, attemptBudgets: { authFailures: budget } });
    try {
      // What one wrong key and one good request cost the database, each measured from a network of its own.
      const cost = async (send: () => Promise<LightMyRequestResponse>, status: number) => {
        const mark = queries;
        expect((await send()).statusCode).toBe(status);
        return queries - mark;
      };
      const perLookup = await cost(
        () => app.inject({ url: '/v1/campaigns', remoteAddress: '198.51.100.90', headers: bearer(wrongKey(1)) }),
        401,
      );
      const perGood = await cost(
        () => app.inject({ url: '/v1/me', remoteAddress: '198.51.100.92', headers: bearer(world.demo.apiKey) }),
        200,
      );
      expect(perLookup).toBeGreaterThan(0);

      // 200 wrong keys at once from one address that never failed, and good keys from another address meanwhile.
      const startedAt = Date.now();
      const queriesBefore = queries;
      const [burst, good] = await Promise.all([
        Promise.all(
          Array.from({ length: 200 }, (_, index) =>
            app.inject({ url: '/v1/campaigns', remoteAddress: '203.0.113.80', headers: bearer(wrongKey(index)) }),
          ),
        ),
        Promise.all(
          Array.from({ length: 20 }, () =>
            app.inject({ url: '/v1/me', remoteAddress: '198.51.100.91', headers: bearer(world.demo.apiKey) }),
          ),
        ),
      ]);
      expect(good.map((response) => response.statusCode)).toEqual(Array(20).fill(200));
      const statuses = burst.map((response) => response.statusCode);
      expect(statuses.filter((status) => status !== 401 && status !== 429)).toEqual([]);
      const unauthorized = statuses.filter((status) => status === 401).length;
      const refill = refilledSince({ limit: budget, windowMs: 60_000 }, startedAt);
      expect(unauthorized).toBeGreaterThanOrEqual(budget);
      expect(unauthorized).toBeLessThanOrEqual(budget + refill);
      // The lookups the database saw: the queries of the burst, less those of the good requests.
      const lookups = (queries - queriesBefore - good.length * perGood) / perLookup;
      expect(lookups).toBe(unauthorized);

      // Each refusal carries the standard fields of the policy that refused, as the /v1 rate-limit hook writes them.
      const refused = burst.find((response) => response.statusCode === 429) as LightMyRequestResponse;
      expectLimited(refused);
      expect(json(refused)['policy']).toBe('auth-failures');
      expect(refused.headers['ratelimit-policy']).toBe(`"auth-failures";q=${budget};w=60`);
      expect(refused.headers['ratelimit']).toMatch(/^"auth-failures";r=0;t=\d+$/);
    } finally {
      await app.close();
    }
  });

  it('successful requests spend nothing: a busy client never trips the failure budget', async () => {
    const app = await buildApp({ db: world.db });
    try {
      const responses = await inWaves(100, 10, () =>
        app.inject({ url: '/v1/me', remoteAddress: '198.51.100.3', headers: bearer(world.demo.apiKey) }),
      );
      expect(responses.map((response) => response.statusCode)).toEqual(Array(100).fill(200));
    } finally {
      await app.close();
    }
  });
});

describe('the token and revocation endpoints', () => {
  it('500 client-credentials requests from one client: tokens up to the per-client budget, then 429 and no more rows', async () => {
    const app = await buildApp({ db: world.db });
    try {
      const machine = await registerApp(app, world.demo.apiKey, {
        name: 'Minting machine',
        grant_types: ['client_credentials'],
        allowed_scopes: ['campaigns:read'],
      });
      const policy = attemptPolicies.oauthPerClient[0];
      const budget = policy.limit;
      const rowsBefore = await world.db.selectFrom('oauth_tokens').select('id').execute();
      const startedAt = Date.now();
      // From many addresses, so the per-address budget is not what stops them.
      const responses = await inWaves(500, 10, (index) =>
        app.inject({
          method: 'POST',
          url: '/oauth/token',
          remoteAddress: `10.20.${index % 200}.${Math.floor(index / 200) + 1}`,
          headers: { ...formHeaders, ...basic(machine.clientId, machine.clientSecret as string) },
          payload: form({ grant_type: 'client_credentials' }),
        }),
      );
      const statuses = responses.map((response) => response.statusCode);
      expect(statuses.filter((status) => status !== 200 && status !== 429)).toEqual([]);
      const minted = statuses.filter((status) => status === 200).length;
      expect(minted).toBeGreaterThanOrEqual(budget);
      expect(minted).toBeLessThanOrEqual(budget + refilledSince(policy, startedAt));
      // (A unit refills every few hundred milliseconds, so the very last request may be admitted again.)
      expectLimited(lastRefused(responses), 'usage_limit_exceeded');
      // One access token row per token answered, none for a refused request.
      const rowsAfter = await world.db.selectFrom('oauth_tokens').select('id').execute();
      expect(rowsAfter.length - rowsBefore.length).toBe(minted);
    } finally {
      await app.close();
    }
  });

  it('one network gets a budget across both endpoints, whatever client it names', async () => {
    const app = await buildApp({ db: world.db });
    try {
      const policy = attemptPolicies.oauthPerAddress[0];
      const budget = policy.limit;
      const startedAt = Date.now();
      const responses = await inWaves(budget + 100, 20, (index) =>
        app.inject({
          method: 'POST',
          url: index % 2 === 0 ? '/oauth/token' : '/oauth/revoke',
          remoteAddress: '192.0.2.44',
          headers: { ...formHeaders, ...basic('app_unknownunknown00', 'guess') },
          payload: form({ grant_type: 'client_credentials', token: 'x' }),
        }),
      );
      const statuses = responses.map((response) => response.statusCode);
      expect(statuses.slice(0, budget)).toEqual(Array(budget).fill(401));
      const answered = statuses.filter((status) => status === 401).length;
      expect(answered).toBeLessThanOrEqual(budget + refilledSince(policy, startedAt));
      expect(statuses.filter((status) => status !== 401 && status !== 429)).toEqual([]);
      // (A unit refills every few hundred milliseconds, so the very last request may be admitted again.)
      expectLimited(lastRefused(responses), 'usage_limit_exceeded');
      const elsewhere = await app.inject({
        method: 'POST',
        url: '/oauth/revoke',
        remoteAddress: '192.0.2.45',
        headers: { ...formHeaders, ...basic('app_unknownunknown00', 'guess') },
        payload: form({ token: 'x' }),
      });
      expect(elsewhere.statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});

describe('the two login forms', () => {
  let app: FastifyInstance;
  let authorizeQuery: string;

  beforeAll(async () => {
    app = await buildApp({ db: world.db });
    await app.ready();
    await setPassword(world, world.demo.userId);
    const client = await registerApp(app, world.demo.apiKey, { name: 'Login form client' });
    authorizeQuery = new URLSearchParams({
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: 'https://client.example/callback',
      scope: 'account:read',
    }).toString();
  });

  afterAll(async () => {
    await app.close();
  });

  const apiLogin = (email: string, address: string) =>
    app.inject({ method: 'POST', url: '/v1/sessions', remoteAddress: address, payload: { email, password: 'a wrong guess' } });
  const formLogin = (email: string, address: string) =>
    app.inject({
      method: 'POST',
      url: '/oauth/login',
      remoteAddress: address,
      headers: formHeaders,
      payload: form({ request: authorizeQuery, csrf: 'x', email, password: 'a wrong guess' }),
    });

  it('draw on one budget per account: 10 guesses on each form, and the 21st on either is 429', async () => {
    const budget = attemptPolicies.loginsPerAccount[0].limit;
    for (let index = 0; index < budget / 2; index += 1) {
      expect((await apiLogin('Shared@Example.com', `10.30.${index}.1`)).statusCode).toBe(401);
      // 403: the form's CSRF token is wrong, but the attempt was counted before it was looked at.
      expect((await formLogin('shared@example.com', `10.31.${index}.1`)).statusCode).toBe(403);
    }
    expectLimited(await apiLogin('shared@example.com', '10.32.0.1'));
    const page = await formLogin('SHARED@example.com', '10.32.0.2');
    expect(page.statusCode).toBe(429);
    expect(page.body).toContain('Too many login attempts.');
    // Another account is not affected.
    expect((await apiLogin('someone-else@example.com', '10.32.0.3')).statusCode).toBe(401);
  });

  it('draw on one budget per network', async () => {
    const policy = attemptPolicies.loginsPerAddress[0];
    const startedAt = Date.now();
    let admitted = 0;
    for (;;) {
      const email = `guess${admitted}@example.com`;
      const response = admitted % 2 === 0 ? await apiLogin(email, '10.33.0.1') : await formLogin(email, '10.33.0.1');
      if (response.statusCode === 429) break;
      admitted += 1;
      expect(admitted).toBeLessThanOrEqual(policy.limit + refilledSince(policy, startedAt));
    }
    expect(admitted).toBeGreaterThanOrEqual(policy.limit);
    expectLimited(await apiLogin('fresh@example.com', '10.33.0.1'));
    expect((await formLogin('fresh@example.com', '10.33.0.1')).statusCode).toBe(429);
  });
});

describe('the team ceiling', () => {
  it('caps a team over all its keys, however many it makes; another team is not affected', async () => {
    const app = await buildApp({
      db: world.db,
      rateLimits: [{ name: 'burst', limit: 50, windowMs: 60_000 }],
      teamRateLimits: [{ name: 'team', limit: 20, windowMs: 60_000 }],
    });
    try {
      const keys: string[] = [];
      for (let index = 0; index < 8; index += 1) {
        const key = issueApiKey();
        await world.db
          .insertInto('api_keys')
          .values({
            user_id: world.demo.userId,
            public_id: key.publicId,
            secret_hash: key.secretHash,
            label: `Key ${index}`,
            created_at: new Date().toISOString(),
            revoked_at: null,
          })
          .execute();
        keys.push(key.key);
      }
      // Eight keys, 5 requests each: 40 against a per-key limit of 50, but a team ceiling of 20.
      const responses = await inWaves(40, 8, (index) =>
        app.inject({ url: '/v1/campaigns', headers: bearer(keys[index % 8] as string) }),
      );
      const statuses = responses.map((response) => response.statusCode);
      expect(statuses.filter((status) => status === 200)).toHaveLength(20);
      expect(statuses.filter((status) => status === 429)).toHaveLength(20);
      const refused = responses.find((response) => response.statusCode === 429) as LightMyRequestResponse;
      expectLimited(refused);
      expect(json(refused)['policy']).toBe('team');
      // One mechanism: the ceiling's policy is in the standard fields of every answer, beside the key's.
      expect(refused.headers['ratelimit-policy']).toBe('"burst";q=50;w=60, "team";q=20;w=60');
      expect(refused.headers['ratelimit']).toMatch(/^"burst";r=\d+;t=\d+, "team";r=0;t=\d+$/);
      const admitted = responses.find((response) => response.statusCode === 200) as LightMyRequestResponse;
      expect(admitted.headers['ratelimit-policy']).toBe('"burst";q=50;w=60, "team";q=20;w=60');
      expect(admitted.headers['ratelimit']).toMatch(/^"burst";r=\d+;t=\d+, "team";r=\d+;t=\d+$/);
      expect((await app.inject({ url: '/v1/campaigns', headers: bearer(world.other.apiKey) })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe('the team ceiling alone (RATE_LIMITS=off)', () => {
  it('counts every credential of a team in the standard fields, and leaves logging in to its own limits', async () => {
    const app = await buildApp({ db: world.db, teamRateLimits: [{ name: 'team', limit: 3, windowMs: 60_000 }] });
    try {
      const statuses: number[] = [];
      let last: LightMyRequestResponse | undefined;
      for (let index = 0; index < 4; index += 1) {
        last = await app.inject({ url: '/v1/me', remoteAddress: '198.51.100.60', headers: bearer(world.other.apiKey) });
        statuses.push(last.statusCode);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      expectLimited(last as LightMyRequestResponse);
      expect(last?.headers['ratelimit-policy']).toBe('"team";q=3;w=60');
      expect(last?.headers['ratelimit']).toMatch(/^"team";r=0;t=\d+$/);
      // A login has no team yet: it is not counted against one.
      const login = await app.inject({
        method: 'POST',
        url: '/v1/sessions',
        remoteAddress: '198.51.100.61',
        payload: { email: 'nobody@example.com', password: 'a wrong guess' },
      });
      expect(login.statusCode).toBe(401);
      expect(login.headers['ratelimit-policy']).toBeUndefined();
    } finally {
      await app.close();
    }
  });
});

describe('shared through Redis', () => {
  let redis: RedisServer;
  let client: Redis;

  beforeAll(async () => {
    redis = await startRedisServer();
    client = new Redis(redis.url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    await client.connect();
  });

  afterAll(async () => {
    client.disconnect();
    await redis.close();
  });

  it('a network that never failed costs no Redis call: the happy path is not slowed by the failure budget', async () => {
    const app = await buildApp({ db: world.db, rateLimitStore: new RedisStore({ client, timeoutMs: 2000 }) });
    const scripts = async () => {
      const stats = await client.info('commandstats');
      return [...stats.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
    };
    try {
      const before = await scripts();
      for (let index = 0; index < 20; index += 1) {
        const response = await app.inject({ url: '/v1/me', remoteAddress: '203.0.113.50', headers: bearer(world.demo.apiKey) });
        expect(response.statusCode).toBe(200);
      }
      expect(await scripts()).toBe(before);
      // After one failure, the network is checked in Redis on every request.
      await app.inject({ url: '/v1/me', remoteAddress: '203.0.113.50', headers: bearer(wrongKey(7)) });
      const afterFailure = await scripts();
      expect(afterFailure).toBeGreaterThan(before);
      await app.inject({ url: '/v1/me', remoteAddress: '203.0.113.50', headers: bearer(world.demo.apiKey) });
      expect(await scripts()).toBeGreaterThan(afterFailure);
    } finally {
      await app.close();
    }
  });

  it('two processes on one Redis share the failure budget of a network', async () => {
    const store = () => new RedisStore({ client, timeoutMs: 2000 });
    const first = await buildApp({ db: world.db, rateLimitStore: store() });
    const second = await buildApp({ db: world.db, rateLimitStore: store() });
    try {
      const policy = attemptPolicies.authFailures[0];
      const startedAt = Date.now();
      // Alternating between the processes, one guess at a time, until one of them refuses.
      let failed = 0;
      for (;;) {
        const app = failed % 2 === 0 ? first : second;
        const response = await app.inject({ url: '/v1/me', remoteAddress: '203.0.113.99', headers: bearer(wrongKey(failed)) });
        if (response.statusCode === 429) break;
        expect(response.statusCode).toBe(401);
        failed += 1;
        expect(failed).toBeLessThanOrEqual(policy.limit + refilledSince(policy, startedAt));
      }
      // Together, not each: one process alone would have allowed the whole budget.
      expect(failed).toBeGreaterThanOrEqual(policy.limit);
      expectLimited(await first.inject({ url: '/v1/me', remoteAddress: '203.0.113.99', headers: bearer(wrongKey(1)) }));
      expectLimited(await second.inject({ url: '/v1/me', remoteAddress: '203.0.113.99', headers: bearer(wrongKey(2)) }));
    } finally {
      await first.close();
      await second.close();
    }
  });
});
