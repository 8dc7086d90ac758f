/**
 * An idempotency key makes a POST or PATCH safe to retry: it is retried like
 * a GET, and the server sees the same `Idempotency-Key` on every attempt.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createClient, ServerError, type FaultlineClient } from '@faultline/client';
import { FaultServer, reply } from './fault-server.js';
import { quickBackoff } from './helpers.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let server: FaultServer;
let client: FaultlineClient;

beforeEach(async () => {
  server = await FaultServer.start();
  client = createClient({ baseUrl: server.url, retry: { backoff: quickBackoff, budget: false } });
});

afterEach(async () => {
  await server.close();
});

it('idempotencyKey: true makes up one key and sends it on every attempt of a POST', async () => {
  server.script(reply.serviceUnavailable(), reply.drop(), reply.html(502, 'Bad Gateway'), reply.json(201, { id: 9 }));
  await expect(client.post('/orders', { body: { item: 1 }, idempotencyKey: true })).resolves.toEqual({ id: 9 });
  expect(server.requests).toHaveLength(4);
  const keys = server.requests.map((request) => request.idempotencyKey);
  expect(keys[0]).toMatch(uuid);
  expect(new Set(keys)).toEqual(new Set([keys[0]]));
  expect(server.requests.every((request) => request.body === '{"item":1}')).toBe(true);
});

it('a key given by the caller is sent as is on every attempt of a PATCH', async () => {
  server.script(reply.drop(), reply.problem(500, 'internal_error', 'Oops.'), reply.json(200, { ok: true }));
  await expect(client.patch('/orders/1', { body: { qty: 2 }, idempotencyKey: 'order-1-qty-2' })).resolves.toEqual({ ok: true });
  expect(server.requests.map((request) => [request.method, request.idempotencyKey])).toEqual([
    ['PATCH', 'order-1-qty-2'],
    ['PATCH', 'order-1-qty-2'],
    ['PATCH', 'order-1-qty-2'],
  ]);
});

it('each request made with idempotencyKey: true gets a key of its own', async () => {
  server.script(reply.json(201, {}));
  await client.post('/orders', { idempotencyKey: true });
  await client.post('/orders', { idempotencyKey: true });
  const [first, second] = server.requests.map((request) => request.idempotencyKey);
  expect(first).toMatch(uuid);
  expect(second).toMatch(uuid);
  expect(first).not.toBe(second);
});

it('without a key, no Idempotency-Key header is sent and the POST is tried once', async () => {
  server.script(reply.serviceUnavailable(), reply.json(201, {}));
  await expect(client.post('/orders', { body: {} })).rejects.toBeInstanceOf(ServerError);
  expect(server.requests).toHaveLength(1);
  expect(server.requests[0]?.idempotencyKey).toBeUndefined();
});

it('a keyed POST is still not retried after a refusal', async () => {
  server.script(reply.problem(409, 'conflict', 'Already placed.'), reply.json(201, {}));
  await expect(client.post('/orders', { idempotencyKey: true })).rejects.toMatchObject({ status: 409, code: 'conflict' });
  expect(server.requests).toHaveLength(1);
});

it('a 409 idempotency_key_in_use (the first attempt still runs) is retried after its Retry-After, with the same key', async () => {
  server.script(
    reply.drop(),
    reply.problem(409, 'idempotency_key_in_use', 'Still in progress.', {}, { 'retry-after': '0' }),
    reply.json(201, { id: 7 }),
  );
  await expect(client.post('/orders', { body: { item: 1 }, idempotencyKey: 'in-use-key' })).resolves.toEqual({ id: 7 });
  expect(server.requests.map((request) => request.idempotencyKey)).toEqual(['in-use-key', 'in-use-key', 'in-use-key']);
});

it('without a key, a 409 idempotency_key_in_use is not retried: the POST is not safe to repeat', async () => {
  server.script(reply.problem(409, 'idempotency_key_in_use', 'Still in progress.', {}, { 'retry-after': '0' }));
  await expect(client.post('/orders', { body: {} })).rejects.toMatchObject({ status: 409, code: 'idempotency_key_in_use' });
  expect(server.requests).toHaveLength(1);
});
