/**
 * The caller's AbortSignal: aborting ends the request at once with the
 * signal's reason, whatever the client was doing (waiting for an answer,
 * for a retry or for the rate limit), and nothing is retried.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createClient, FaultlineError, type FaultlineClient } from '@faultline/client';
import { FaultServer, reply } from './fault-server.js';
import { failureLog, quickBackoff, realDelay, rejectionOf, timed, until } from './helpers.js';

let server: FaultServer;
let log: ReturnType<typeof failureLog>;
let client: FaultlineClient;

beforeEach(async () => {
  server = await FaultServer.start();
  log = failureLog();
  client = createClient({
    baseUrl: server.url,
    onAttemptFailed: log.onAttemptFailed,
    retry: { backoff: quickBackoff, budget: false },
  });
});

afterEach(async () => {
  await server.close();
});

it('while waiting for an answer: rejects with the reason and does not retry', async () => {
  server.script(reply.hang());
  const controller = new AbortController();
  const reason = new Error('user navigated away');
  const pending = rejectionOf(client.get('/slow', { signal: controller.signal }));
  await server.waitForRequests(1);
  const { ms, value } = await timed(() => {
    controller.abort(reason);
    return pending;
  });
  expect(value).toBe(reason);
  expect(ms).toBeLessThan(200);
  await realDelay(100);
  expect(server.requests).toHaveLength(1);
  expect(log.failures).toEqual([]);
});

it('while waiting to retry: rejects with the reason and sends nothing more', async () => {
  server.script(reply.serviceUnavailable(5), reply.json(200, {}));
  const controller = new AbortController();
  const pending = rejectionOf(client.get('/', { signal: controller.signal }));
  await until(() => log.failures.length === 1);
  expect(log.failures[0]).toMatchObject({ willRetry: true, delayMs: expect.any(Number) });
  const reason = { why: 'shutting down' };
  controller.abort(reason);
  await expect(pending).resolves.toBe(reason);
  await realDelay(100);
  expect(server.requests).toHaveLength(1);
});

it('while held back by the rate limit: rejects with the reason and sends nothing', async () => {
  server.script(reply.json(200, {}, { 'ratelimit-policy': '"burst";q=1;w=10', ratelimit: '"burst";r=0;t=10' }));
  await client.get('/first');
  const controller = new AbortController();
  const pending = rejectionOf(client.get('/second', { signal: controller.signal }));
  await realDelay(50);
  const reason = new Error('cancelled');
  controller.abort(reason);
  await expect(pending).resolves.toBe(reason);
  expect(server.requests).toHaveLength(1);
});

it('a signal aborted before the call: rejects with the reason and sends nothing', async () => {
  server.script(reply.json(200, { ok: true }));
  const reason = new Error('already cancelled');
  const error = await rejectionOf(client.get('/', { signal: AbortSignal.abort(reason) }));
  expect(error).toBe(reason);
  await realDelay(50);
  expect(server.requests).toHaveLength(0);
});

it('without a reason: rejects with the signal’s AbortError, not a FaultlineError', async () => {
  server.script(reply.hang());
  const controller = new AbortController();
  const pending = rejectionOf(client.get('/slow', { signal: controller.signal }));
  await server.waitForRequests(1);
  controller.abort();
  const error = await pending;
  expect(error).toBe(controller.signal.reason);
  expect(error).toMatchObject({ name: 'AbortError' });
  expect(error).not.toBeInstanceOf(FaultlineError);
});

it('an abort before the timeout is not reported as a timeout', async () => {
  server.script(reply.hang());
  const controller = new AbortController();
  const pending = rejectionOf(client.get('/slow', { signal: controller.signal, timeoutMs: 5000 }));
  await server.waitForRequests(1);
  controller.abort(new Error('stop'));
  expect(await pending).toMatchObject({ message: 'stop' });
});
