import { afterEach, describe, expect, it } from 'vitest';
import { loadShedding } from '@faultline/express';
import { buildApp, closeServers, expectProblem, listen, send } from './helpers.js';

afterEach(closeServers);

describe('loadShedding', () => {
  it('refuses requests past maxInFlight with 503 and Retry-After, and serves again once they finish', async () => {
    const test = buildApp();
    const shedding = loadShedding({ maxInFlight: 2, retryAfterSeconds: 3 });
    test.app.use(shedding);
    const waiting: (() => void)[] = [];
    test.app.get('/slow', (_req, res) => void waiting.push(() => res.json({ done: true })));
    test.app.get('/fast', (_req, res) => void res.json({ fast: true }));
    const base = await listen(test);
    const slow = [send(base, { path: '/slow' }), send(base, { path: '/slow' })];
    while (waiting.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    const refused = await send(base, { path: '/fast' });
    const body = expectProblem(refused, 503, 'service_unavailable');
    expect(refused.headers['retry-after']).toBe('3');
    expect(body['detail']).toContain('overloaded');
    expect(shedding.state.shed).toBe(1);
    for (const finish of waiting) finish();
    await Promise.all(slow);
    expect((await send(base, { path: '/fast' })).status).toBe(200);
    expect(shedding.state.inFlight).toBe(0);
    shedding.stop();
  });

  it('refuses while the event loop lags, and recovers', async () => {
    const test = buildApp();
    const shedding = loadShedding({ maxEventLoopDelayMs: 100, sampleIntervalMs: 50 });
    test.app.use(shedding);
    test.app.get('/block', (_req, res) => {
      const until = Date.now() + 500;
      while (Date.now() < until);
      res.json({ blocked: true });
    });
    test.app.get('/fast', (_req, res) => void res.json({ fast: true }));
    const base = await listen(test);
    // Sent while the loop is blocked (this client shares it): it is read right after the sampler has seen the late tick.
    const blocked = send(base, { path: '/block' });
    const during = new Promise((resolve) => setTimeout(resolve, 100)).then(() => send(base, { path: '/fast' }));
    await blocked;
    const refused = await during;
    const body = expectProblem(refused, 503, 'service_unavailable');
    expect(refused.headers['retry-after']).toBeDefined();
    expect(body['detail']).toMatch(/event loop is \d+ ms behind/);
    // Once the loop is on time again, requests are served.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await send(base, { path: '/fast' })).status).toBe(200);
    shedding.stop();
  });

  it('refuses a nonsensical option when built', () => {
    expect(() => loadShedding({ maxInFlight: 0 })).toThrow(TypeError);
  });
});
