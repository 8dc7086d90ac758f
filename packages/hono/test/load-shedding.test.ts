import { loadShedding, type LoadSheddingMiddleware } from '@faultline/hono';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, closeServers, expectProblem, listen } from './helpers.js';

const started: LoadSheddingMiddleware[] = [];
afterEach(async () => {
  for (const shedder of started.splice(0)) shedder.stop();
  await closeServers();
});

function shedding(options: Parameters<typeof loadShedding>[0]): LoadSheddingMiddleware {
  const middleware = loadShedding(options);
  started.push(middleware);
  return middleware;
}

describe('loadShedding()', () => {
  it('refuses a request past maxInFlight with 503 and Retry-After, and serves again once one finishes, on a real socket', async () => {
    const app = buildApp();
    const shedder = shedding({ maxInFlight: 1, retryAfterSeconds: 3 });
    app.use('*', shedder);
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    app.get('/slow', async (c) => {
      await held;
      return c.text('done');
    });
    app.get('/fast', (c) => c.text('fast'));
    const url = await listen(app);
    const slow = fetch(`${url}/slow`);
    await expect.poll(() => shedder.state.inFlight).toBe(1);
    const refused = await fetch(`${url}/fast`);
    const body = await expectProblem(refused, 503, 'service_unavailable');
    expect(refused.headers.get('retry-after')).toBe('3');
    expect(body['detail']).toMatch(/^The server is overloaded \(it is handling 1 requests, its limit\)/);
    expect(shedder.state.shed).toBe(1);
    release();
    expect((await slow).status).toBe(200);
    expect((await fetch(`${url}/fast`)).status).toBe(200);
    expect(shedder.state.inFlight).toBe(0);
  });

  it('gives the slot back when the handler throws', async () => {
    const app = buildApp();
    const shedder = shedding({ maxInFlight: 1 });
    app.use('*', shedder);
    app.get('/fail', () => {
      throw new Error('x');
    });
    expect((await app.request('/fail')).status).toBe(500);
    expect(shedder.state.inFlight).toBe(0);
    expect((await app.request('/fail')).status).toBe(500);
  });

  it('refuses while the event loop runs late, and serves exempt routes all the same', async () => {
    const app = buildApp();
    const shedder = shedding({ maxEventLoopDelayMs: 50, sampleIntervalMs: 100, exemptRoutes: ['/healthz'] });
    app.use('*', shedder);
    app.get('/work', (c) => c.text('ok'));
    app.get('/healthz', (c) => c.json({ shedding: shedder.state.shedding }));
    expect((await app.request('/work')).status).toBe(200); // starts the sampler
    // Block the loop well past the limit; the sampler, overdue, fires before this timeout, and not again for 100 ms.
    const until = Date.now() + 300;
    while (Date.now() < until);
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(shedder.state.shedding).toBe(true);
    const refused = await app.request('/work');
    await expectProblem(refused, 503, 'service_unavailable');
    expect(refused.headers.get('retry-after')).toBe('2');
    const health = await app.request('/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ shedding: true });
  });

  it('names a bad option', () => {
    expect(() => loadShedding({ maxInFlight: 0 })).toThrow(/maxInFlight/);
  });
});
