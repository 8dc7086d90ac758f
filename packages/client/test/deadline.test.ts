/**
 * The deadline: a request gives up once waiting would take it past
 * `deadlineMs`. A 429 whose retry time falls after the deadline is thrown at
 * once as QuotaExceededError, with no wait and no further attempt.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createClient,
  QuotaExceededError,
  RateLimitedError,
  ServerError,
  type ClientOptions,
  type FaultlineClient,
} from '@faultline/client';
import { FaultServer, reply, type Reply } from './fault-server.js';
import { failureLog, realDelay, timed } from './helpers.js';

let server: FaultServer;
let log: ReturnType<typeof failureLog>;

beforeEach(async () => {
  server = await FaultServer.start();
  log = failureLog();
});

afterEach(async () => {
  await server.close();
});

function client(retry: ClientOptions['retry'] = { deadlineMs: 5000, budget: false }): FaultlineClient {
  return createClient({ baseUrl: server.url, onAttemptFailed: log.onAttemptFailed, retry });
}

describe('a 429 asking for a wait past the deadline', () => {
  it.each<[string, () => Reply]>([
    ['Retry-After seconds', () => reply.tooManyRequests.retryAfterSeconds(60)],
    ['a Retry-After date', () => reply.tooManyRequests.retryAfterDate(new Date(Date.now() + 60_000))],
    ['the classic sentence', () => reply.tooManyRequests.classicBody(new Date(Date.now() + 60_000))],
    ['problem+json retry_after', () => reply.tooManyRequests.problemBody(new Date(Date.now() + 60_000))],
    ['RateLimit t', () => reply.tooManyRequests.rateLimitFields('"burst";q=10;w=60', '"burst";r=0;t=60')],
  ])('(%s) throws QuotaExceededError at once, after one attempt', async (_style, failure) => {
    server.handle(() => failure());
    const started = Date.now();
    const { ms, error } = await timed(() => client().post('/orders', { body: {} }));
    expect(ms).toBeLessThan(500);
    expect(error).toBeInstanceOf(QuotaExceededError);
    expect(error).toMatchObject({ status: 429, code: 'limit_reached', attempts: 1, category: 'quota' });
    const retryAt = (error as QuotaExceededError).retryAt?.getTime() ?? 0;
    expect(retryAt).toBeGreaterThan(started + 55_000);
    expect(log.failures).toMatchObject([{ attempt: 1, status: 429, willRetry: false, delayMs: undefined }]);
    await realDelay(50);
    expect(server.requests).toHaveLength(1);
  });

  it('waits and retries when the same Retry-After fits in the deadline (real time)', async () => {
    server.script(reply.tooManyRequests.retryAfterSeconds(1), reply.json(200, { ok: true }));
    const { ms, value } = await timed(() => client({ deadlineMs: 3000, budget: false }).get('/'));
    expect(value).toEqual({ ok: true });
    expect(server.requests).toHaveLength(2);
    const [gap = 0] = server.gaps();
    expect(gap).toBeGreaterThanOrEqual(950);
    expect(gap).toBeLessThan(1500);
    expect(ms).toBeGreaterThanOrEqual(950);
  });
});

describe('other waits past the deadline', () => {
  it('a 503 whose Retry-After is past the deadline is thrown as is, at once', async () => {
    server.script(reply.serviceUnavailable(60));
    const { ms, error } = await timed(() => client().get('/'));
    expect(ms).toBeLessThan(500);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).not.toBeInstanceOf(RateLimitedError);
    expect(server.requests).toHaveLength(1);
  });

  it('backoff stops once the next wait would cross the deadline', async () => {
    // Waits would be 399, 799, 1599 ms; the second one ends after the 1000 ms deadline.
    server.script(reply.serviceUnavailable());
    const api = createClient({
      baseUrl: server.url,
      onAttemptFailed: log.onAttemptFailed,
      random: () => 0.999,
      retry: { deadlineMs: 1000, maxAttempts: 10, backoff: { baseMs: 400 }, budget: false },
    });
    const { ms, error } = await timed(() => api.get('/'));
    expect(error).toBeInstanceOf(ServerError);
    expect(server.requests).toHaveLength(2);
    expect(log.failures.map((failure) => [failure.willRetry, failure.delayMs])).toEqual([
      [true, 399],
      [false, undefined],
    ]);
    expect(ms).toBeGreaterThanOrEqual(390);
    expect(ms).toBeLessThan(900);
  });

  it('a quota error with no reset time is not retried', async () => {
    server.script(reply.problem(429, 'exceeds_monthly_recipients', 'Quota spent.'), reply.json(200, {}));
    const error = await timed(() => client().get('/')).then((result) => result.error);
    expect(error).toBeInstanceOf(QuotaExceededError);
    expect(server.requests).toHaveLength(1);
  });
});
