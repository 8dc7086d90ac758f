/**
 * `onAttemptFailed` sees every failed attempt, with its status, code, request
 * id, number, and whether and when the client tries again.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  createClient,
  NetworkError,
  NotFoundError,
  ServerError,
  type ClientOptions,
  type FaultlineClient,
} from '@faultline/client';
import { FaultServer, reply } from './fault-server.js';
import { failureLog, rejectionOf } from './helpers.js';

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
    onAttemptFailed: log.onAttemptFailed,
    random: () => 0.5,
    retry: { backoff: { baseMs: 20, capMs: 100 }, budget: false },
    ...options,
  });
}

it('reports each failure of a request that finally succeeds', async () => {
  server.script(
    reply.problem(503, 'service_unavailable', 'Busy.', { request_id: 'req-1' }),
    reply.drop(),
    reply.html(502, 'Bad Gateway', { 'x-request-id': 'req-3' }),
    reply.json(200, { ok: true }),
  );
  await expect(client().get('/items', { query: { page: 2 } })).resolves.toEqual({ ok: true });
  const url = `${server.url}/items?page=2`;
  expect(log.failures).toEqual([
    expect.objectContaining({
      method: 'GET',
      url,
      attempt: 1,
      status: 503,
      code: 'service_unavailable',
      requestId: 'req-1',
      willRetry: true,
      delayMs: 10,
    }),
    expect.objectContaining({
      method: 'GET',
      url,
      attempt: 2,
      status: 0,
      code: 'network_error',
      requestId: undefined,
      willRetry: true,
      delayMs: 20,
    }),
    expect.objectContaining({
      method: 'GET',
      url,
      attempt: 3,
      status: 502,
      code: 'bad_gateway',
      requestId: 'req-3',
      willRetry: true,
      delayMs: 40,
    }),
  ]);
  expect(log.failures.map((failure) => failure.error.constructor)).toEqual([ServerError, NetworkError, ServerError]);
});

it('reports the last failure with willRetry false, and it is the error thrown', async () => {
  server.script(reply.serviceUnavailable());
  const error = await rejectionOf(client({ retry: { maxAttempts: 2, backoff: { baseMs: 20 }, budget: false } }).get('/'));
  expect(log.failures.map((failure) => [failure.attempt, failure.willRetry, failure.delayMs])).toEqual([
    [1, true, 10],
    [2, false, undefined],
  ]);
  expect(log.failures[1]?.error).toBe(error);
});

it('reports a failure that is not retried once', async () => {
  server.script(reply.classic(404, 'not_found', 'No such item.', {}, { 'x-request-id': 'req-404' }));
  const error = await rejectionOf(client().delete('/items/9'));
  expect(error).toBeInstanceOf(NotFoundError);
  expect(log.failures).toEqual([
    {
      method: 'DELETE',
      url: `${server.url}/items/9`,
      attempt: 1,
      status: 404,
      code: 'not_found',
      requestId: 'req-404',
      willRetry: false,
      delayMs: undefined,
      error,
    },
  ]);
});

it('reports the delay the server asked for', async () => {
  server.script(reply.tooManyRequests.retryAfterSeconds(0), reply.json(200, {}));
  await client().post('/orders');
  expect(log.failures).toMatchObject([{ status: 429, code: 'limit_reached', willRetry: true, delayMs: 0 }]);
});

it('is not called when the first attempt succeeds', async () => {
  server.script(reply.json(200, {}));
  await client().get('/');
  expect(log.failures).toEqual([]);
});
