import { Readable } from 'node:stream';
import { MemoryIdempotencyStore, type Completion, type IdempotencyStore } from '@faultline/idempotency';
import { afterEach, describe, expect, it } from 'vitest';
import { idempotency, type IdempotencyPluginOptions } from '@faultline/fastify';
import { buildApp, closeApps } from './helpers.js';

afterEach(closeApps);

/** An app with one route per mode, counting how often each handler runs. */
async function appWith(options: Partial<IdempotencyPluginOptions> = {}) {
  const app = await buildApp();
  const runs = { optional: 0, required: 0, off: 0, failing: 0, stream: 0 };
  await app.register(idempotency, { scope: (request) => String(request.headers['x-tenant'] ?? 'one'), ...options });
  app.post('/optional', { config: { faultline: { idempotency: 'optional' } } }, async (_request, reply) => {
    runs.optional += 1;
    return reply.code(201).header('location', `/things/${runs.optional}`).send({ run: runs.optional });
  });
  app.post('/required', { config: { faultline: { idempotency: 'required' } } }, async () => {
    runs.required += 1;
    return { run: runs.required };
  });
  app.post('/off', async () => {
    runs.off += 1;
    return { run: runs.off };
  });
  app.post('/failing', { config: { faultline: { idempotency: 'optional' } } }, async () => {
    runs.failing += 1;
    throw new Error(`failure ${runs.failing}`);
  });
  app.post('/stream', { config: { faultline: { idempotency: 'optional' } } }, async (_request, reply) => {
    runs.stream += 1;
    return reply.type('text/plain').send(Readable.from(['a', 'b']));
  });
  await app.ready();
  const send = (url: string, key?: string, body: unknown = { a: 1 }, tenant = 'one') =>
    app.inject({
      method: 'POST',
      url,
      headers: {
        'content-type': 'application/json',
        'x-tenant': tenant,
        ...(key === undefined ? {} : { 'idempotency-key': key }),
      },
      payload: JSON.stringify(body),
    });
  return { app, runs, send };
}

describe('the idempotency plugin', () => {
  it('replays a route’s answer, its own headers included, marked Idempotent-Replayed', async () => {
    const { runs, send } = await appWith();
    const first = await send('/optional', 'k1');
    const again = await send('/optional', 'k1');
    expect(runs.optional).toBe(1);
    expect(again.statusCode).toBe(201);
    expect(again.body).toBe(first.body);
    expect(again.headers['location']).toBe('/things/1');
    expect(again.headers['content-type']).toBe(first.headers['content-type']);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    // Without a key, an optional route runs every time.
    await send('/optional');
    await send('/optional');
    expect(runs.optional).toBe(3);
  });

  it('answers a required route without a key with 400 missing_idempotency_key naming the header', async () => {
    const { runs, send } = await appWith();
    const response = await send('/required');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'missing_idempotency_key' });
    expect(response.json().detail).toContain('Idempotency-Key');
    expect(runs.required).toBe(0);
    expect((await send('/required', 'k2')).statusCode).toBe(200);
  });

  it('leaves routes that take no key alone: a bad key is not even read', async () => {
    const { runs, send } = await appWith();
    expect((await send('/off', '')).statusCode).toBe(200);
    expect((await send('/off', 'same')).statusCode).toBe(200);
    expect((await send('/off', 'same')).statusCode).toBe(200);
    expect(runs.off).toBe(3);
  });

  it('takes defaultMode for routes that do not choose', async () => {
    const app = await buildApp();
    let runs = 0;
    await app.register(idempotency, {
      scope: () => 'all',
      defaultMode: ({ method }) => (method === 'POST' ? 'required' : 'off'),
    });
    app.post('/chosen-by-default', async () => ({ run: ++runs }));
    const response = await app.inject({ method: 'POST', url: '/chosen-by-default', payload: {} });
    expect(response.json()).toMatchObject({ code: 'missing_idempotency_key' });
  });

  it('keeps a 500 by default and replays it, as the work may have partly happened', async () => {
    const { runs, send } = await appWith();
    const first = await send('/failing', 'k3');
    const again = await send('/failing', 'k3');
    expect(first.statusCode).toBe(500);
    expect(again.statusCode).toBe(500);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(runs.failing).toBe(1);
  });

  it('releases the key after a 500 with keepServerErrors: false, so the retry runs again', async () => {
    const { runs, send } = await appWith({ keepServerErrors: false });
    await send('/failing', 'k4');
    await send('/failing', 'k4');
    expect(runs.failing).toBe(2);
  });

  it('releases the key of a streamed answer, which cannot be replayed', async () => {
    const { runs, send } = await appWith();
    expect((await send('/stream', 'k5')).body).toBe('ab');
    expect((await send('/stream', 'k5')).body).toBe('ab');
    expect(runs.stream).toBe(2);
  });

  it('keeps each tenant’s keys apart', async () => {
    const { runs, send } = await appWith();
    await send('/optional', 'k6', { a: 1 }, 'one');
    const other = await send('/optional', 'k6', { a: 2 }, 'two');
    expect(other.statusCode).toBe(201);
    expect(other.headers['idempotent-replayed']).toBeUndefined();
    expect(runs.optional).toBe(2);
  });

  it('answers 503 before any work when the store fails, and the key stays usable', async () => {
    const memory = new MemoryIdempotencyStore();
    let down = true;
    const flaky: IdempotencyStore = {
      claim: (claim) => (down ? Promise.reject(new Error('store down')) : memory.claim(claim)),
      complete: (completion) => memory.complete(completion),
      release: (id, token) => memory.release(id, token),
    };
    const { runs, send } = await appWith({ store: flaky });
    const refused = await send('/optional', 'k7');
    expect(refused.statusCode).toBe(503);
    expect(refused.json()).toMatchObject({ code: 'service_unavailable' });
    expect(refused.headers['retry-after']).toBeDefined();
    expect(runs.optional).toBe(0);
    down = false;
    expect((await send('/optional', 'k7')).statusCode).toBe(201);
  });

  it('refuses to register before the faultline plugin, and refuses an unknown mode', async () => {
    const Fastify = (await import('fastify')).default;
    const bare = Fastify();
    await expect(bare.register(idempotency, { scope: () => 'x' }).ready()).rejects.toThrow(/faultline plugin before/);
    await bare.close();
    const app = await buildApp();
    await app.register(idempotency, { scope: () => 'x' });
    expect(() =>
      app.post('/bad', { config: { faultline: { idempotency: 'sometimes' as 'optional' } } }, async () => ({})),
    ).toThrow(/off, optional or required/);
  });
});

describe('sealAnswers', () => {
  it('seals every answer by default, and leaves plain those of the routes the function names', async () => {
    const stored: Completion[] = [];
    class WatchedStore extends MemoryIdempotencyStore {
      override complete(completion: Completion): Promise<boolean> {
        stored.push(completion);
        return super.complete(completion);
      }
    }
    const asked: string[] = [];
    const { send } = await appWith({
      store: new WatchedStore(),
      sealAnswers: (route) => {
        asked.push(`${route.method} ${route.url}`);
        return route.url !== '/required';
      },
    });
    // Asked once per route that takes keys, when the route is added; never for a route without keys.
    expect(asked).toEqual(['POST /optional', 'POST /required', 'POST /failing', 'POST /stream']);
    const sealed = await send('/optional', 's1');
    const plain = await send('/required', 's2');
    expect(stored.map((completion) => completion.answer.startsWith('{'))).toEqual([false, true]);
    expect(stored[0]?.answer).not.toContain(sealed.body);
    expect(JSON.parse(stored[1]?.answer ?? '')).toMatchObject({ status: 200, body: plain.body });
    // Both replay.
    expect((await send('/optional', 's1')).headers['idempotent-replayed']).toBe('true');
    expect((await send('/required', 's2')).body).toBe(plain.body);
  });
});

describe('claimIn: handler', () => {
  it('logs an error when a keyed 2xx answer was never recorded by its handler, and stays quiet when it was', async () => {
    const lines: string[] = [];
    const app = await buildApp({ logStream: { write: (line: string) => void lines.push(line) } });
    await app.register(idempotency, { scope: () => 'one', claimIn: 'handler', defaultMode: 'optional' });
    app.post('/records', async (request, reply) => {
      // Stands for the route's own transaction: the answer is written beside the work, then marked recorded.
      request.idempotencyClaim?.markRecorded();
      return reply.code(201).send({ ok: true });
    });
    app.post('/forgets', async (_request, reply) => reply.code(201).send({ ok: true }));
    await app.ready();
    const send = (url: string) =>
      app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', 'idempotency-key': 'k' }, payload: '{}' });
    expect((await send('/records')).statusCode).toBe(201);
    const unrecorded = () =>
      lines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((entry) => entry.level >= 50);
    expect(unrecorded()).toEqual([]);
    expect((await send('/forgets')).statusCode).toBe(201);
    expect(unrecorded().map((entry) => entry.msg)).toEqual([
      expect.stringMatching(/^POST \/forgets takes an Idempotency-Key, but its handler answered 201 without recording/),
    ]);
  });
});
