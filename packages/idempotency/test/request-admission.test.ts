import { createServer } from 'node:net';
import { builtinCatalog } from '@faultline/core';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkIdempotencyKey,
  Idempotency,
  MemoryIdempotencyStore,
  RedisIdempotencyStore,
  type RequestAdmission,
  type StoredAnswer,
} from '../src/index.js';

const catalog = builtinCatalog;
const identity = { key: 'k1', scope: 'team:1', method: 'POST', path: '/v1/orders', body: { item: 'tea' } };
const answer: StoredAnswer = { status: 201, headers: { 'content-type': 'application/json' }, body: '{"id":1}' };

function errorOf(admission: RequestAdmission) {
  if (admission.kind !== 'error') throw new Error(`expected an error, got ${admission.kind}`);
  return admission;
}

describe('checkIdempotencyKey', () => {
  it('skips a request without a key on a route where keys are optional', () => {
    expect(checkIdempotencyKey(undefined, false, catalog, 'POST')).toEqual({ kind: 'skip' });
  });

  it('refuses a request without a key on a route that requires one: 400 missing_idempotency_key naming the method', () => {
    const check = checkIdempotencyKey(undefined, true, catalog, 'PATCH');
    if (check.kind !== 'error') throw new Error(`expected an error, got ${check.kind}`);
    expect(check.error.status).toBe(400);
    expect(check.error.code).toBe('missing_idempotency_key');
    expect(check.error.detail).toContain('This PATCH needs an Idempotency-Key header');
  });

  it('refuses a malformed key, required or not: 400 invalid_idempotency_key naming the problem', () => {
    for (const required of [false, true]) {
      const check = checkIdempotencyKey(['a', 'b'], required, catalog, 'POST');
      if (check.kind !== 'error') throw new Error(`expected an error, got ${check.kind}`);
      expect(check.error.status).toBe(400);
      expect(check.error.code).toBe('invalid_idempotency_key');
      expect(check.error.detail).toContain('The Idempotency-Key header was sent 2 times; send it once.');
    }
    const empty = checkIdempotencyKey('', false, catalog, 'POST');
    expect(empty.kind === 'error' && empty.error.detail).toContain('is empty');
  });

  it('gives the key of a well-formed header, a quoted one unquoted', () => {
    expect(checkIdempotencyKey('abc-1', true, catalog, 'POST')).toEqual({ kind: 'key', key: 'abc-1' });
    expect(checkIdempotencyKey('"abc-1"', false, catalog, 'POST')).toEqual({ kind: 'key', key: 'abc-1' });
  });
});

describe('Idempotency.admitRequest', () => {
  it('lets the first request with a key run, holding a claim taken in the store', async () => {
    const idempotency = new Idempotency();
    const admission = await idempotency.admitRequest(identity, catalog);
    if (admission.kind !== 'execute') throw new Error(`expected to run, got ${admission.kind}`);
    expect(admission.claim.taken).toBe(true);
    expect(admission.claim.sealed).toBe(true);
    expect(await idempotency.finish(admission.claim, answer)).toBe('stored');
  });

  it('passes the request’s sealAnswer to its claim', async () => {
    const admission = await new Idempotency().admitRequest(identity, catalog, { sealAnswer: false });
    expect(admission.kind === 'execute' && admission.claim.sealed).toBe(false);
  });

  it('replays the answer of the same request, once it finished', async () => {
    const idempotency = new Idempotency();
    const first = await idempotency.admitRequest(identity, catalog);
    if (first.kind !== 'execute') throw new Error(`expected to run, got ${first.kind}`);
    await idempotency.finish(first.claim, answer);
    expect(await idempotency.admitRequest({ ...identity }, catalog)).toEqual({ kind: 'replay', answer });
  });

  it('refuses a repeat while the first still runs: 409 idempotency_key_in_use with a retry time', async () => {
    let now = 1_000_000;
    const idempotency = new Idempotency({ claimTtlMs: 60_000, now: () => now });
    expect((await idempotency.admitRequest(identity, catalog)).kind).toBe('execute');
    now += 1000;
    const before = Date.now();
    const { error, storeFailure } = errorOf(await idempotency.admitRequest(identity, catalog));
    expect(storeFailure).toBeUndefined();
    expect(error.status).toBe(409);
    expect(error.code).toBe('idempotency_key_in_use');
    expect(error.detail).toContain('Retry the same request after 5 s');
    expect(error.retryAt?.getTime()).toBeGreaterThanOrEqual(before + 5000);
  });

  it('refuses the key reused for another request: 422 idempotency_key_reused, even once the first finished', async () => {
    const idempotency = new Idempotency();
    const first = await idempotency.admitRequest(identity, catalog);
    const other = { ...identity, body: { item: 'coffee' } };
    const whileRunning = errorOf(await idempotency.admitRequest(other, catalog));
    expect(whileRunning.error.code).toBe('idempotency_key_reused');
    if (first.kind !== 'execute') throw new Error(`expected to run, got ${first.kind}`);
    await idempotency.finish(first.claim, answer);
    const { error, storeFailure } = errorOf(await idempotency.admitRequest(other, catalog));
    expect(storeFailure).toBeUndefined();
    expect(error.status).toBe(422);
    expect(error.code).toBe('idempotency_key_reused');
    // The same key in another scope is another key.
    expect((await idempotency.admitRequest({ ...other, scope: 'team:2' }, catalog)).kind).toBe('execute');
  });

  describe('with a store that fails', () => {
    const clients: Redis[] = [];
    afterAll(() => {
      for (const client of clients) client.disconnect();
    });

    /** A Redis port nobody listens on: every command of the store fails at once. */
    async function unreachableRedis(): Promise<RedisIdempotencyStore> {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as { port: number };
      await new Promise((resolve) => server.close(resolve));
      const client = new Redis({
        port,
        host: '127.0.0.1',
        lazyConnect: true,
        enableOfflineQueue: false,
        retryStrategy: () => null,
      });
      client.on('error', () => undefined);
      clients.push(client);
      return new RedisIdempotencyStore({ client, timeoutMs: 2000 });
    }

    it('answers 503 service_unavailable with a retry time, and says what to log, without rejecting', async () => {
      const idempotency = new Idempotency({ store: await unreachableRedis() });
      const before = Date.now();
      const { error, storeFailure } = errorOf(await idempotency.admitRequest(identity, catalog));
      expect(error.status).toBe(503);
      expect(error.code).toBe('service_unavailable');
      expect(error.detail).toBe(
        'Idempotency keys cannot be checked right now, so nothing was done. Try again shortly with the same key.',
      );
      expect(error.retryAt?.getTime()).toBeGreaterThanOrEqual(before + 2000);
      expect(storeFailure?.error).toBeInstanceOf(Error);
      expect(storeFailure?.message).toBe('The idempotency store failed; the request was refused before any work');
      // admit() itself rejects: the difference is admitRequest's to make.
      await expect(idempotency.admit(identity)).rejects.toBeInstanceOf(Error);
    });

    it('answers 503 for a store that throws instead of rejecting', async () => {
      const broken = new MemoryIdempotencyStore();
      const thrown = new Error('no connection');
      broken.claim = () => {
        throw thrown;
      };
      const { error, storeFailure } = errorOf(await new Idempotency({ store: broken }).admitRequest(identity, catalog));
      expect(error.code).toBe('service_unavailable');
      expect(storeFailure?.error).toBe(thrown);
    });
  });
});
