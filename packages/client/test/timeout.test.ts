/**
 * The per-attempt timeout: an attempt that gets no complete answer in
 * `timeoutMs` fails with TimeoutError, and is retried when the request is
 * safe to repeat.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createClient, TimeoutError, type ClientOptions, type FaultlineClient } from '@faultline/client';
import { FaultServer, reply } from './fault-server.js';
import { failureLog, quickBackoff, realDelay, timed } from './helpers.js';

let server: FaultServer;
let log: ReturnType<typeof failureLog>;

beforeEach(async () => {
  server = await FaultServer.start();
  log = failureLog();
});

afterEach(async () => {
  await server.close();
});

function client(options: Partial<ClientOptions> = {}): FaultlineClient {
  return createClient({
    baseUrl: server.url,
    timeoutMs: 100,
    onAttemptFailed: log.onAttemptFailed,
    retry: { backoff: quickBackoff, budget: false },
    ...options,
  });
}

it('a GET that hangs fails with TimeoutError after timeoutMs and is retried', async () => {
  server.script(reply.hang(), reply.json(200, { ok: true }));
  // A timeout long enough that the prompt second answer never reaches it on a loaded machine.
  const { ms, value } = await timed(() => client({ timeoutMs: 1000 }).get('/slow'));
  expect(value).toEqual({ ok: true });
  expect(server.requests).toHaveLength(2);
  expect(ms).toBeGreaterThanOrEqual(950);
  expect(log.failures).toHaveLength(1);
  expect(log.failures[0]).toMatchObject({ status: 0, code: 'timeout', attempt: 1, willRetry: true });
  expect(log.failures[0]?.error).toBeInstanceOf(TimeoutError);
});

it('every attempt timing out ends in TimeoutError after maxAttempts', async () => {
  server.script(reply.hang());
  const { ms, error } = await timed(() =>
    client({ retry: { maxAttempts: 3, backoff: quickBackoff, budget: false } }).get('/slow'),
  );
  expect(error).toBeInstanceOf(TimeoutError);
  expect(error).toMatchObject({ status: 0, code: 'timeout', attempts: 3, category: 'timeout' });
  expect((error as TimeoutError).detail).toContain('100 ms');
  expect(server.requests).toHaveLength(3);
  expect(ms).toBeGreaterThanOrEqual(290);
});

it('a body that stops halfway times out too', async () => {
  server.script(reply.stall(200, '{"items": ['), reply.json(200, { items: [] }));
  await expect(client({ timeoutMs: 1000 }).get('/slow')).resolves.toEqual({ items: [] });
  expect(server.requests).toHaveLength(2);
  expect(log.failures[0]?.code).toBe('timeout');
});

it('a POST without an idempotency key that times out is not retried: it may have taken effect', async () => {
  server.script(reply.hang(), reply.json(201, {}));
  await expect(client().post('/orders', { body: {} })).rejects.toBeInstanceOf(TimeoutError);
  await realDelay(50);
  expect(server.requests).toHaveLength(1);
});

it('the request’s own timeoutMs overrides the client’s', async () => {
  server.script(reply.hang());
  const { ms, error } = await timed(() =>
    client({ timeoutMs: 30_000, retry: { maxAttempts: 1 } }).get('/slow', { timeoutMs: 80 }),
  );
  expect(error).toBeInstanceOf(TimeoutError);
  expect(ms).toBeGreaterThanOrEqual(75);
  expect(ms).toBeLessThan(1000);
});
