/**
 * The retry budget shared by all requests of one client: when everything
 * fails at once, retries stop once the budget is spent, so an outage does not
 * multiply the load on the server.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClient, RetryBudget, ServerError, type RetryOptions } from '@faultline/client';
import { FaultServer, reply } from './fault-server.js';
import { failureLog, quickBackoff, realDelay } from './helpers.js';

let server: FaultServer;

beforeEach(async () => {
  server = await FaultServer.start(() => reply.serviceUnavailable());
});

afterEach(async () => {
  await server.close();
});

/** Sends `count` GETs at once to a server that always answers 503; resolves with how they ended. */
async function outage(count: number, budget: RetryOptions['budget'] | undefined) {
  const log = failureLog();
  const client = createClient({
    baseUrl: server.url,
    onAttemptFailed: log.onAttemptFailed,
    retry: { maxAttempts: 4, backoff: quickBackoff, ...(budget === undefined ? {} : { budget }) },
  });
  const results = await Promise.allSettled(Array.from({ length: count }, (_, n) => client.get(`/items/${n}`)));
  await realDelay(50);
  return { results, log };
}

describe('across concurrent failing requests', () => {
  it('{ ratio: 0, minPerSecond: 1 } allows one retry in all: requests + 1 attempts', async () => {
    const { results, log } = await outage(20, { ratio: 0, minPerSecond: 1 });
    expect(results.every((result) => result.status === 'rejected' && result.reason instanceof ServerError)).toBe(true);
    expect(server.requests).toHaveLength(21);
    expect(log.failures.filter((failure) => failure.willRetry)).toHaveLength(1);
    expect(log.failures).toHaveLength(21);
  });

  it('{ ratio: 0.5, minPerSecond: 0 } allows half a retry per request', async () => {
    await outage(20, { ratio: 0.5, minPerSecond: 0 });
    expect(server.requests).toHaveLength(30);
  });

  it('{ ratio: 0, minPerSecond: 0 } allows none', async () => {
    await outage(10, { ratio: 0, minPerSecond: 0 });
    expect(server.requests).toHaveLength(10);
  });

  it('the default (ratio 0.2, 5 per second) holds 20 requests to about 20 + 5 + 4 attempts', async () => {
    await outage(20, undefined);
    // 5 from the per-second reserve, 4 banked by 20 deposits; one more if the retries spread over 200 ms.
    expect(server.requests.length).toBeGreaterThanOrEqual(29);
    expect(server.requests.length).toBeLessThanOrEqual(30);
  });

  it('without a budget, every request makes all its attempts', async () => {
    await outage(20, false);
    expect(server.requests).toHaveLength(80);
  });
});

describe('RetryBudget on its own clock', () => {
  it('refills minPerSecond over time and caps the reserve', () => {
    let now = 0;
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 2, now: () => now });
    expect([budget.tryWithdraw(), budget.tryWithdraw(), budget.tryWithdraw()]).toEqual([true, true, false]);
    now = 500;
    expect([budget.tryWithdraw(), budget.tryWithdraw()]).toEqual([true, false]);
    now = 60_000;
    expect([budget.tryWithdraw(), budget.tryWithdraw(), budget.tryWithdraw()]).toEqual([true, true, false]);
  });

  it('banks ratio per deposit, up to a cap', () => {
    const budget = new RetryBudget({ ratio: 0.25, minPerSecond: 0, now: () => 0 });
    for (let n = 0; n < 8; n++) budget.deposit();
    expect([budget.tryWithdraw(), budget.tryWithdraw(), budget.tryWithdraw()]).toEqual([true, true, false]);
    for (let n = 0; n < 10_000; n++) budget.deposit();
    let granted = 0;
    while (budget.tryWithdraw()) granted++;
    expect(granted).toBe(25);
  });
});
