/**
 * Pacing by the server's `RateLimit-Policy` and `RateLimit` fields: against a
 * server that allows N requests per window, a paced client sends 3N requests
 * (one after another, or all at once) without a single 429, where the same
 * run unpaced meets 429s. A wait that would end after the deadline fails at
 * once without sending.
 *
 * The window runs on vitest's fake clock (both the server's count and the
 * client's waits), advanced in small steps while the sockets stay real; one
 * test runs on the real clock to show the two agree.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient, QuotaExceededError, type ClientOptions, type FaultlineClient } from '@faultline/client';
import { FaultServer, reply, windowLimiter } from './fault-server.js';
import { failureLog, realDelay, timed, useFakeClock } from './helpers.js';

const limit = 4;
const windowSeconds = 1;

let server: FaultServer;
let log: ReturnType<typeof failureLog>;

beforeEach(async () => {
  server = await FaultServer.start(windowLimiter({ limit, windowSeconds }));
  log = failureLog();
});

afterEach(async () => {
  vi.useRealTimers();
  await server.close();
});

function client(options: Partial<ClientOptions> = {}): FaultlineClient {
  return createClient({
    baseUrl: server.url,
    onAttemptFailed: log.onAttemptFailed,
    retry: { budget: false, deadlineMs: 20_000 },
    ...options,
  });
}

/** Advances the fake clock 20 ms at a time, letting real I/O run in between, until `work` settles. */
async function onFakeClock<T>(work: () => Promise<T>): Promise<T> {
  let settled = false;
  const done = work().finally(() => {
    settled = true;
  });
  while (!settled) {
    await vi.advanceTimersByTimeAsync(20);
    await realDelay(1);
  }
  return done;
}

const count429 = () => server.statuses.filter((status) => status === 429).length;
const allOk = (count: number) => Array<number>(count).fill(200);

/** No window of the server's length ever saw more than `limit` requests. */
function expectNoWindowOverfilled(): void {
  const arrivals = server.requests.map((request) => request.clock);
  for (const start of arrivals) {
    expect(arrivals.filter((at) => at >= start && at < start + windowSeconds * 1000).length).toBeLessThanOrEqual(limit);
  }
}

describe(`a server allowing ${limit} requests per ${windowSeconds} s window`, () => {
  beforeEach(() => {
    useFakeClock();
  });

  it(`paced: ${3 * limit} sequential requests, zero 429s`, async () => {
    const api = client();
    await onFakeClock(async () => {
      for (let n = 0; n < 3 * limit; n++) await api.get(`/items/${n}`);
    });
    expect(server.statuses).toEqual(allOk(3 * limit));
    expect(log.failures).toEqual([]);
    expectNoWindowOverfilled();
  });

  it(`unpaced: the same ${3 * limit} sequential requests meet 429s`, async () => {
    const api = client({ pacing: false });
    await onFakeClock(async () => {
      for (let n = 0; n < 3 * limit; n++) await api.get(`/items/${n}`);
    });
    expect(count429()).toBeGreaterThan(0);
    expect(log.failures.length).toBe(count429());
  });

  it(`paced: ${3 * limit} concurrent requests after a first answer taught the policy, zero 429s`, async () => {
    const api = client();
    await onFakeClock(async () => {
      await api.get('/first');
      await Promise.all(Array.from({ length: 3 * limit }, (_, n) => api.get(`/items/${n}`)));
    });
    expect(server.statuses).toEqual(allOk(3 * limit + 1));
    expect(log.failures).toEqual([]);
    expectNoWindowOverfilled();
  });

  it(`unpaced: the same concurrent requests meet 429s`, async () => {
    const api = client({ pacing: false });
    await onFakeClock(async () => {
      await api.get('/first');
      await Promise.all(Array.from({ length: 3 * limit }, (_, n) => api.get(`/items/${n}`)));
    });
    expect(count429()).toBeGreaterThan(0);
  });

  it(`paced: 3 workers sending ${limit} requests each in turn, from a cold start, zero 429s`, async () => {
    const api = client();
    const worker = async (name: string) => {
      for (let n = 0; n < limit; n++) await api.get(`/${name}/${n}`);
    };
    await onFakeClock(() => Promise.all(['a', 'b', 'c'].map(worker)));
    expect(server.statuses).toEqual(allOk(3 * limit));
    expect(log.failures).toEqual([]);
    expectNoWindowOverfilled();
  });
});

describe('on the real clock', () => {
  it(`paced: ${2 * limit} sequential requests, zero 429s, the second window waited for`, async () => {
    const api = client();
    const { ms } = await timed(async () => {
      for (let n = 0; n < 2 * limit; n++) await api.get(`/items/${n}`);
    });
    expect(server.statuses).toEqual(allOk(2 * limit));
    expect(ms).toBeGreaterThanOrEqual(900);
  });
});

describe('a wait past the deadline', () => {
  it('throws QuotaExceededError at once and sends nothing', async () => {
    server.script(reply.json(200, {}, { 'ratelimit-policy': '"daily";q=100;w=86400', ratelimit: '"daily";r=0;t=3600' }));
    const api = client({ retry: { deadlineMs: 5000 } });
    await api.get('/first');
    const before = Date.now();
    const { ms, error } = await timed(() => api.post('/second', { body: {} }));
    expect(ms).toBeLessThan(200);
    expect(error).toBeInstanceOf(QuotaExceededError);
    expect(error).toMatchObject({ status: 429, code: 'limit_reached', attempts: 0, method: 'POST' });
    const retryAt = (error as QuotaExceededError).retryAt?.getTime() ?? 0;
    expect(retryAt).toBeGreaterThanOrEqual(before + 3_599_000);
    await realDelay(50);
    expect(server.requests).toHaveLength(1);
  });

  it('while a wait inside the deadline is waited out', async () => {
    useFakeClock();
    server.script(reply.json(200, {}, { ratelimit: '"burst";r=0;t=2' }), reply.json(200, { second: true }));
    const api = client({ retry: { deadlineMs: 5000 } });
    await api.get('/first');
    const second = api.get('/second');
    await vi.advanceTimersByTimeAsync(1999);
    await realDelay(30);
    expect(server.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(second).resolves.toEqual({ second: true });
    expect((server.requests[1]?.clock ?? 0) - (server.requests[0]?.clock ?? 0)).toBe(2000);
  });
});

describe('what the pacer reads', () => {
  it('takes the most constrained of several policies, from several field lines', async () => {
    server.script(
      reply.json(
        200,
        {},
        {
          'ratelimit-policy': ['"burst";q=100;w=60', '"daily";q=1000;w=86400'],
          ratelimit: ['"burst";r=50;t=30', '"daily";r=0;t=7200'],
        },
      ),
    );
    const api = client({ retry: { deadlineMs: 10_000 } });
    await api.get('/first');
    const error = await timed(() => api.get('/second')).then((result) => result.error);
    expect(error).toBeInstanceOf(QuotaExceededError);
    expect(server.requests).toHaveLength(1);
  });

  it('ignores a malformed field and keeps sending', async () => {
    server.script(reply.json(200, {}, { 'ratelimit-policy': 'garbage((', ratelimit: '"burst;r=0;t=60' }));
    const api = client();
    await api.get('/1');
    await api.get('/2');
    expect(server.requests).toHaveLength(2);
  });

  it('is off with pacing: false', async () => {
    server.script(reply.json(200, {}, { ratelimit: '"burst";r=0;t=60' }));
    const api = client({ pacing: false });
    await api.get('/1');
    await api.get('/2');
    expect(server.requests).toHaveLength(2);
  });
});
