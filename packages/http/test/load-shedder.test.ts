import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '@faultline/core';
import { LoadShedder } from '@faultline/http';

/** Holds the event loop for `ms`, as a slow synchronous handler would. */
function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('load shedding’s decision', () => {
  it('admits up to maxInFlight requests at once, then refuses with 503 naming the limit until one is given back', () => {
    const shedder = new LoadShedder({ maxInFlight: 2, retryAfterSeconds: 3 });
    expect(shedder.counting).toBe(true);
    for (let index = 0; index < 2; index++) {
      expect(shedder.admits()).toBe(true);
      shedder.take();
    }
    expect(shedder.admits()).toBe(false);
    expect(shedder.state).toMatchObject({ inFlight: 2, shedding: true, shed: 0 });
    const refusal = shedder.refusal(builtinCatalog);
    expect(refusal).toMatchObject({ code: 'service_unavailable', status: 503 });
    expect(refusal.detail).toContain('it is handling 2 requests, its limit');
    const retryAfter = refusal.retryAfterSeconds(Date.now());
    expect(retryAfter).toBeGreaterThanOrEqual(2);
    expect(retryAfter).toBeLessThanOrEqual(3);
    expect(shedder.state.shed).toBe(1);
    shedder.give();
    expect(shedder.admits()).toBe(true);
    expect(shedder.state.shedding).toBe(false);
  });

  it('refuses while the event loop runs late, and admits again once it catches up', async () => {
    const warnings: unknown[] = [];
    const shedder = new LoadShedder(
      { maxEventLoopDelayMs: 50, sampleIntervalMs: 10 },
      { warn: (fields, message) => warnings.push({ fields, message }) },
    );
    expect(shedder.counting).toBe(false);
    shedder.start();
    try {
      await sleep(30);
      block(300);
      // The sampler, due long ago, fires first and sees the delay; this runs before its next tick.
      await sleep(1);
      expect(shedder.admits()).toBe(false);
      expect(shedder.state.eventLoopDelayMs).toBeGreaterThan(50);
      expect(shedder.refusal(builtinCatalog).detail).toMatch(/its event loop is \d+ ms behind/);
      expect(warnings).toHaveLength(1);
      await expect.poll(() => shedder.admits(), { timeout: 5000, interval: 20 }).toBe(true);
    } finally {
      shedder.stop();
    }
  });

  it('never watches the loop when no delay is set, and knows its exempt routes', () => {
    const shedder = new LoadShedder({ exemptRoutes: ['/healthz'] });
    shedder.start();
    shedder.stop();
    expect(shedder.hasExemptRoutes).toBe(true);
    expect(shedder.isExempt('/healthz')).toBe(true);
    expect(shedder.isExempt('/v1/things')).toBe(false);
    expect(shedder.isExempt(undefined)).toBe(false);
    expect(new LoadShedder().hasExemptRoutes).toBe(false);
  });

  it('refuses a bad option, naming it', () => {
    expect(() => new LoadShedder({ maxInFlight: 0 })).toThrow('loadShedding: maxInFlight must be a positive number, not 0.');
    expect(() => new LoadShedder({ sampleIntervalMs: -5 })).toThrow('sampleIntervalMs');
  });
});
