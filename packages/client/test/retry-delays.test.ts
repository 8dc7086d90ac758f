/**
 * How long the client waits before each retry, measured on vitest's fake
 * clock while the sockets stay real: the full-jitter formula when the server
 * says nothing, and exactly what the server asks when it does (Retry-After
 * seconds or date, the body's retry time, the RateLimit reset), for one
 * request and for a storm of them.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient, type ClientOptions, type FaultlineClient } from '@faultline/client';
import { FaultServer, reply, type Reply } from './fault-server.js';
import { failureLog, realDelay, until, useFakeClock } from './helpers.js';

let server: FaultServer;
let log: ReturnType<typeof failureLog>;

beforeEach(async () => {
  useFakeClock();
  server = await FaultServer.start();
  log = failureLog();
});

afterEach(async () => {
  vi.useRealTimers();
  await server.close();
});

function client(options: Partial<ClientOptions> = {}): FaultlineClient {
  return createClient({ baseUrl: server.url, onAttemptFailed: log.onAttemptFailed, retry: { budget: false }, ...options });
}

/**
 * Lets `requests` requests fail `waits.length` times in turn and checks that
 * each retry reaches the server exactly `waits[i]` fake milliseconds after the
 * failure before it: not one millisecond sooner.
 */
async function expectWaits(waits: readonly number[], requests = 1): Promise<void> {
  for (const [round, wait] of waits.entries()) {
    const failed = requests * (round + 1);
    await until(() => log.failures.length === failed);
    expect(log.failures.slice(-requests).map((failure) => failure.delayMs)).toEqual(Array(requests).fill(wait));
    if (wait > 0) {
      await vi.advanceTimersByTimeAsync(wait - 1);
      await realDelay(30);
      expect(server.requests).toHaveLength(failed);
    }
    await vi.advanceTimersByTimeAsync(Math.min(wait, 1));
    await server.waitForRequests(failed + requests);
  }
}

/** Fake milliseconds between consecutive requests. */
const clockGaps = () => server.requests.slice(1).map((request, index) => request.clock - (server.requests[index]?.clock ?? 0));

describe('with no hint from the server: full jitter', () => {
  it('waits random × min(cap, base × 2^(n-1)) before retry n', async () => {
    server.script(reply.serviceUnavailable(), reply.serviceUnavailable(), reply.serviceUnavailable(), reply.json(200, {}));
    const done = client({ random: () => 0.999, retry: { backoff: { baseMs: 100, capMs: 250 }, budget: false } }).get('/');
    await expectWaits([99, 199, 249]);
    await done;
    expect(clockGaps()).toEqual([99, 199, 249]);
  });

  it('scales with the random draw', async () => {
    server.script(reply.drop(), reply.drop(), reply.drop(), reply.json(200, {}));
    const done = client({ random: () => 0.5, retry: { backoff: { baseMs: 100, capMs: 250 }, budget: false } }).get('/');
    await expectWaits([50, 100, 125]);
    await done;
  });

  it('defaults to base 200 ms', async () => {
    server.script(reply.serviceUnavailable(), reply.serviceUnavailable(), reply.serviceUnavailable(), reply.json(200, {}));
    const done = client({ random: () => 0.999 }).get('/');
    await expectWaits([199, 399, 799]);
    await done;
  });

  it('retries at once when the draw is 0', async () => {
    server.script(reply.serviceUnavailable(), reply.json(200, {}));
    const done = client({ random: () => 0 }).get('/');
    await expectWaits([0]);
    await done;
    expect(clockGaps()).toEqual([0]);
  });
});

describe('what the server asks wins over the formula (whose draw here would be ~60 s)', () => {
  const patient: Partial<ClientOptions> = {
    random: () => 0.999,
    retry: { backoff: { baseMs: 60_000, capMs: 60_000 }, budget: false },
  };
  const rateLimitPolicy = '"burst";q=100;w=1';

  it.each<[string, (arrival: number) => Reply, number]>([
    ['503 with Retry-After seconds', () => reply.serviceUnavailable(2), 2000],
    ['429 with Retry-After seconds', () => reply.tooManyRequests.retryAfterSeconds(1), 1000],
    ['429 with Retry-After: 0', () => reply.tooManyRequests.retryAfterSeconds(0), 0],
    ['429 with a Retry-After HTTP date', (arrival) => reply.tooManyRequests.retryAfterDate(new Date(arrival + 3000)), 3000],
    ['429 with the classic sentence', (arrival) => reply.tooManyRequests.classicBody(new Date(arrival + 1500)), 1500],
    ['429 with problem+json retry_after', (arrival) => reply.tooManyRequests.problemBody(new Date(arrival + 2500)), 2500],
    ['429 with only RateLimit t', () => reply.tooManyRequests.rateLimitFields(rateLimitPolicy, '"burst";r=0;t=4'), 4000],
    [
      '429 with a body time and Retry-After: the body, to the millisecond',
      (arrival) =>
        reply.problem(
          429,
          'limit_reached',
          'Slow down.',
          { retry_after: new Date(arrival + 1234).toISOString() },
          { 'retry-after': '5' },
        ),
      1234,
    ],
  ])('%s', async (_name, failure, wait) => {
    server.handle((request, index) => (index === 0 ? failure(request.clock) : reply.json(200, { ok: true })));
    const done = client(patient).get('/');
    await expectWaits([wait]);
    await expect(done).resolves.toEqual({ ok: true });
    expect(clockGaps()).toEqual([wait]);
  });
});

describe('a 429 storm in each header style', () => {
  const storm = 10;
  it.each<[string, (arrival: number) => Reply]>([
    ['Retry-After seconds', () => reply.tooManyRequests.retryAfterSeconds(1)],
    ['Retry-After date', (arrival) => reply.tooManyRequests.retryAfterDate(new Date(arrival + 1000))],
    ['RateLimit fields', () => reply.tooManyRequests.rateLimitFields('"burst";q=100;w=1', '"burst";r=0;t=1')],
    ['classic body', (arrival) => reply.tooManyRequests.classicBody(new Date(arrival + 1000))],
    ['problem+json retry_after', (arrival) => reply.tooManyRequests.problemBody(new Date(arrival + 1000))],
  ])('%s: every request waits as asked, then all succeed', async (_style, failure) => {
    server.handle((request, index) => (index < storm ? failure(request.clock) : reply.json(200, { index })));
    const api = client({ random: () => 0.999, retry: { backoff: { baseMs: 60_000 }, budget: false }, timeoutMs: 60_000 });
    const done = Promise.all(Array.from({ length: storm }, (_, n) => api.post(`/items/${n}`, { body: { n } })));
    await expectWaits([1000], storm);
    const results = await done;
    expect(results).toHaveLength(storm);
    expect(server.statuses).toEqual([...Array(storm).fill(429), ...Array(storm).fill(200)]);
    const start = server.requests[0]?.clock ?? 0;
    expect(server.requests.slice(storm).every((request) => request.clock === start + 1000)).toBe(true);
  });
});
