/**
 * The client waits out a foreign API's rate limit as that API tells it, even
 * when it is not a 429: GitHub's 403 secondary limit with `Retry-After`, and
 * its primary limit with `x-ratelimit-reset`, which, an hour ahead, is past
 * the deadline and thrown at once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient, QuotaExceededError, RateLimitedError } from '@faultline/client';
import { FaultServer, reply } from './fault-server.js';
import { failureLog, rejectionOf } from './helpers.js';

let server: FaultServer;

beforeAll(async () => {
  server = await FaultServer.start();
});

afterAll(async () => {
  await server.close();
});

const secondaryLimit = JSON.stringify({
  message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
  documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
});

it("waits out GitHub's 403 secondary limit for its Retry-After, then succeeds, even for a POST", async () => {
  server.script(
    reply.respond(403, secondaryLimit, { 'content-type': 'application/json', 'retry-after': '1' }),
    reply.json(201, { number: 7 }),
  );
  const log = failureLog();
  const client = createClient({ baseUrl: server.url, onAttemptFailed: log.onAttemptFailed, retry: { budget: false } });
  const before = server.requests.length;
  await expect(client.post('/repos/o/r/issues', { body: { title: 'x' } })).resolves.toEqual({ number: 7 });
  expect(server.requests.length - before).toBe(2);
  expect(log.failures).toHaveLength(1);
  const [failure] = log.failures;
  expect(failure?.error).toBeInstanceOf(RateLimitedError);
  expect(failure?.error.envelope).toBe('github');
  expect(failure?.willRetry).toBe(true);
  // Retry-After is whole seconds from when it was read: close to 1000 ms, never the backoff formula's few ms.
  expect(failure?.delayMs).toBeGreaterThan(900);
  expect(failure?.delayMs).toBeLessThanOrEqual(1000);
});

it("throws GitHub's primary limit at once when its reset is past the deadline, saying when", async () => {
  const reset = Math.floor(Date.now() / 1000) + 3600;
  server.script(
    reply.respond(
      403,
      JSON.stringify({
        message: 'API rate limit exceeded for 203.0.113.7.',
        documentation_url: 'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting',
      }),
      { 'content-type': 'application/json', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
    ),
  );
  const client = createClient({ baseUrl: server.url, retry: { deadlineMs: 5000, budget: false } });
  const before = server.requests.length;
  const error = await rejectionOf(client.get('/repos/o/r'));
  expect(error).toBeInstanceOf(QuotaExceededError);
  expect(error).toMatchObject({ status: 403, code: 'limit_reached', envelope: 'github' });
  expect((error as QuotaExceededError).retryAt?.getTime()).toBe(reset * 1000);
  expect(server.requests.length - before).toBe(1);
});
