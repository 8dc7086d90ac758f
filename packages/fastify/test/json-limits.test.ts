import { monitorEventLoopDelay } from 'node:perf_hooks';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { faultline, faultlineServerOptions, type FaultlineOptions } from '@faultline/fastify';

const open: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((app) => app.close()));
});

/** A listening app with large bodies allowed, so the shape limits (not the byte limit) are what refuses them. */
async function listening(options: FaultlineOptions = {}) {
  const app = Fastify({ ...faultlineServerOptions({ bodyLimit: 64 * 1024 * 1024 }), logger: false });
  open.push(app);
  await app.register(faultline, options);
  app.post(
    '/things',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            items: {
              type: 'array',
              items: { type: 'object', additionalProperties: false, properties: { name: { type: 'string' } } },
            },
          },
        },
      },
    },
    async () => ({ ok: true }),
  );
  app.get('/ping', async () => ({ pong: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
}

/**
 * Sends `body` and, while the server works on it, pings it; resolves with the
 * answer, the longest the event loop was held (ms), and whether the ping
 * was answered. Client and server share this process, so a blocked loop
 * shows in the histogram whichever side holds it.
 */
async function sendWhilePinging(base: string, body: string) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const started = fetch(`${base}/things`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const ping = fetch(`${base}/ping`).then((response) => response.status);
  const response = await started;
  const answer = (await response.json()) as Record<string, unknown>;
  const pingStatus = await ping;
  histogram.disable();
  return { status: response.status, answer, maxDelayMs: histogram.max / 1e6, pingStatus };
}

/** Generous: far above the 10 to 100 ms these take here, far below the seconds they took before. */
const maxLoopHoldMs = 1500;

describe('bodies built to block the event loop', () => {
  it('refuses 4 MiB of 500,000 unknown keys with 413 naming the key limit', async () => {
    const base = await listening();
    const body = `{${Array.from({ length: 500_000 }, (_, index) => `"k${index}":1`).join(',')}}`;
    expect(body.length).toBeGreaterThan(4 * 1024 * 1024);
    const result = await sendWhilePinging(base, body);
    expect(result.status).toBe(413);
    expect(result.answer).toMatchObject({ code: 'request_too_large' });
    expect(result.answer['detail']).toMatch(/more than 1000 keys.*\(jsonLimits\.maxKeys\)/);
    expect(result.pingStatus).toBe(200);
    expect(result.maxDelayMs).toBeLessThan(maxLoopHoldMs);
  });

  it('refuses an array nested three million deep with 413 naming the depth limit', async () => {
    const base = await listening();
    const result = await sendWhilePinging(base, `${'['.repeat(3_000_000)}${']'.repeat(3_000_000)}`);
    expect(result.status).toBe(413);
    expect(result.answer['detail']).toMatch(/deeper than 32 levels.*\(jsonLimits\.maxDepth\)/);
    expect(result.pingStatus).toBe(200);
    expect(result.maxDelayMs).toBeLessThan(maxLoopHoldMs);
  });

  it('refuses an array of a million items with 413 naming the item limit', async () => {
    const base = await listening();
    const result = await sendWhilePinging(base, `{"items":[${Array.from({ length: 1_000_000 }, () => '0').join(',')}]}`);
    expect(result.status).toBe(413);
    expect(result.answer['detail']).toMatch(/more than 20000 items.*\(jsonLimits\.maxItems\)/);
    expect(result.maxDelayMs).toBeLessThan(maxLoopHoldMs);
  });

  it('refuses a body of too many values in all, each object and array within its own limit', async () => {
    const base = await listening({ jsonLimits: { maxMembers: 5000 } });
    const item = `{${Array.from({ length: 50 }, (_, index) => `"k${index}":1`).join(',')}}`;
    const result = await sendWhilePinging(base, `{"items":[${Array.from({ length: 200 }, () => item).join(',')}]}`);
    expect(result.status).toBe(413);
    expect(result.answer['detail']).toMatch(/more than 5000 values in all.*\(jsonLimits\.maxMembers\)/);
  });

  it('reports only the first failure of a large body that fails everywhere, and lists every failure of a small one', async () => {
    const base = await listening();
    // 60 items of 1,000 unknown keys: within every shape limit, 60,000 schema failures.
    const item = `{${Array.from({ length: 1000 }, (_, index) => `"k${index}":1`).join(',')}}`;
    const large = await sendWhilePinging(base, `{"items":[${Array.from({ length: 60 }, () => item).join(',')}]}`);
    expect(large.status).toBe(400);
    expect(large.answer['errors']).toEqual([
      { pointer: '/items/0/k0', location: 'body', code: 'invalid_parameter', detail: 'is not a field this operation accepts' },
    ]);
    expect(large.answer['detail']).toMatch(/too large to check every field in one pass: this is the first failure found/);
    expect(large.pingStatus).toBe(200);
    expect(large.maxDelayMs).toBeLessThan(maxLoopHoldMs);

    const small = await sendWhilePinging(base, '{"items":[{"a":1},{"name":2}],"extra":true}');
    expect(small.status).toBe(400);
    expect((small.answer['errors'] as { pointer: string }[]).map((error) => error.pointer).sort()).toEqual([
      '/extra',
      '/items/0/a',
      '/items/1/name',
    ]);
    expect(small.answer['detail']).not.toMatch(/first failure found/);
  });
});
