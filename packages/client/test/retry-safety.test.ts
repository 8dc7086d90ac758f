/**
 * Which failures are retried, counted at the server: transient failures of
 * requests that are safe to repeat are; refusals, and anything that may have
 * taken effect for a POST, are not. A 429 is retried whatever the method.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  ConflictError,
  createClient,
  NetworkError,
  NotFoundError,
  PermissionError,
  PreconditionFailedError,
  ServerError,
  TimeoutError,
  ValidationError,
  type ClientOptions,
  type FaultlineClient,
} from '@faultline/client';
import { FaultServer, reply } from './fault-server.js';
import { failureLog, quickBackoff, realDelay, rejectionOf } from './helpers.js';

let server: FaultServer;

beforeEach(async () => {
  server = await FaultServer.start();
});

afterEach(async () => {
  await server.close();
});

function client(options: Partial<ClientOptions> = {}): FaultlineClient {
  return createClient({ baseUrl: server.url, retry: { backoff: quickBackoff, budget: false }, ...options });
}

const ok = reply.json(200, { ok: true });

describe('a GET is retried', () => {
  it('when the connection drops before an answer', async () => {
    server.script(reply.drop(), reply.drop(), ok);
    await expect(client().get('/items')).resolves.toEqual({ ok: true });
    expect(server.requests).toHaveLength(3);
    expect(server.statuses).toEqual([200]);
  });

  it.each([
    [502, reply.html(502, '502 Bad Gateway')],
    [503, reply.serviceUnavailable()],
    [504, reply.text(504, 'upstream timed out')],
    [408, reply.problem(408, 'request_timeout', 'Too slow.')],
    [500, reply.problem(500, 'internal_error', 'Oops.')],
  ])('after a %i', async (status, failure) => {
    server.script(failure, ok);
    await expect(client().get('/items')).resolves.toEqual({ ok: true });
    expect(server.requests).toHaveLength(2);
    expect(server.statuses).toEqual([status, 200]);
  });

  it('after a 500 whose body names no code (internal_error is assumed)', async () => {
    server.script(reply.empty(500), ok);
    await expect(client().get('/items')).resolves.toEqual({ ok: true });
    expect(server.requests).toHaveLength(2);
  });

  it.each(['PUT', 'DELETE', 'HEAD', 'OPTIONS'])('and so is a %s, which is idempotent', async (method) => {
    server.script(reply.serviceUnavailable(), reply.empty(204));
    await expect(client().request(method, '/items/1')).resolves.toBeUndefined();
    expect(server.requests.map((request) => request.method)).toEqual([method, method]);
  });
});

describe('a GET is not retried', () => {
  it.each([
    [400, reply.problem(400, 'invalid_parameter', 'Bad.'), ValidationError],
    [401, reply.problem(401, 'invalid_api_key', 'Who?'), AuthenticationError],
    [403, reply.problem(403, 'not_authorized', 'No.'), PermissionError],
    [404, reply.problem(404, 'not_found', 'Gone.'), NotFoundError],
    [409, reply.problem(409, 'conflict', 'Clash.'), ConflictError],
    [412, reply.problem(412, 'precondition_failed', 'Stale.'), PreconditionFailedError],
    [422, reply.json(422, { message: 'Unprocessable' }), ValidationError],
  ])('after a %i', async (_status, failure, type) => {
    server.script(failure, ok);
    const error = await rejectionOf(client().get('/items'));
    expect(error).toBeInstanceOf(type);
    await realDelay(50);
    expect(server.requests).toHaveLength(1);
  });

  it('after a 500 with a code the catalog does not call retryable', async () => {
    server.script(reply.problem(500, 'invalid_response', 'Broken.'), ok);
    await expect(client().get('/items')).rejects.toBeInstanceOf(ServerError);
    expect(server.requests).toHaveLength(1);
  });
});

describe('a POST without an idempotency key is not retried', () => {
  it.each([
    ['a dropped connection', reply.drop(), NetworkError],
    ['a 503', reply.serviceUnavailable(), ServerError],
    ['a 502', reply.html(502, 'Bad Gateway'), ServerError],
    ['a 500 internal_error', reply.problem(500, 'internal_error', 'Oops.'), ServerError],
    ['a 408', reply.problem(408, 'request_timeout', 'Slow.'), TimeoutError],
  ])('after %s', async (_name, failure, type) => {
    server.script(failure, ok);
    const error = await rejectionOf(client().post('/orders', { body: { item: 1 } }));
    expect(error).toBeInstanceOf(type);
    await realDelay(50);
    expect(server.requests).toHaveLength(1);
  });

  it('nor a PATCH', async () => {
    server.script(reply.serviceUnavailable(), ok);
    await expect(client().patch('/orders/1', { body: { item: 2 } })).rejects.toBeInstanceOf(ServerError);
    expect(server.requests).toHaveLength(1);
  });
});

describe('a 429', () => {
  it('is retried even for a POST: the server refused before doing anything', async () => {
    server.script(reply.tooManyRequests.retryAfterSeconds(0), reply.json(201, { id: 1 }));
    await expect(client().post('/orders', { body: { item: 1 } })).resolves.toEqual({ id: 1 });
    expect(server.requests.map((request) => request.method)).toEqual(['POST', 'POST']);
    expect(server.requests[1]?.body).toBe('{"item":1}');
  });

  it('without any retry hint is retried with backoff', async () => {
    server.script(reply.tooManyRequests.bare(), reply.tooManyRequests.bare(), ok);
    await expect(client({ pacing: false }).get('/items')).resolves.toEqual({ ok: true });
    expect(server.requests).toHaveLength(3);
  });
});

describe('maxAttempts', () => {
  it.each([1, 2, 5])('stops after %i attempts', async (maxAttempts) => {
    server.script(reply.serviceUnavailable());
    const log = failureLog();
    const error = await rejectionOf(
      client({ retry: { maxAttempts, backoff: quickBackoff, budget: false }, onAttemptFailed: log.onAttemptFailed }).get(
        '/items',
      ),
    );
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ attempts: maxAttempts, code: 'service_unavailable' });
    await realDelay(50);
    expect(server.requests).toHaveLength(maxAttempts);
    expect(log.failures.map((failure) => failure.willRetry)).toEqual([...Array(maxAttempts - 1).fill(true), false]);
  });

  it('defaults to 4', async () => {
    server.script(reply.drop());
    const error = await rejectionOf(client().get('/items'));
    expect(error).toBeInstanceOf(NetworkError);
    expect(server.requests).toHaveLength(4);
  });

  it('is what a network error reports in attempts', async () => {
    server.script(reply.drop());
    const error = await rejectionOf(client({ retry: { maxAttempts: 3, backoff: quickBackoff, budget: false } }).get('/items'));
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ status: 0, code: 'network_error', attempts: 3 });
  });
});
