import { describe, expect, it } from 'vitest';
import { FallbackStore, MemoryStore, type RateLimitPolicy, type RateLimitStore } from '@faultline/rate-limit';

const policy = (limit: number, windowMs: number, name = 'burst'): RateLimitPolicy => ({ name, limit, windowMs });

/** A primary that works until told to fail, and counts the calls it gets. */
function switchable(now: () => number) {
  const store = new MemoryStore({ now });
  const primary: RateLimitStore & { failing: boolean; calls: number } = {
    failing: false,
    calls: 0,
    consume(key, policies, cost) {
      primary.calls += 1;
      if (primary.failing) return Promise.reject(new Error('down'));
      return Promise.resolve(store.consume(key, policies, cost));
    },
  };
  return primary;
}

describe('FallbackStore', () => {
  it('decides with a share of each limit while the primary fails, and reports the caller’s policies', async () => {
    const clock = 0;
    const primary = switchable(() => clock);
    const store = new FallbackStore({ primary, share: 0.25, now: () => clock, failuresToFallback: 1, failingForMs: 0 });
    const policies = [policy(8, 1000, 'second'), policy(3, 60_000, 'minute')];
    primary.failing = true;
    const allowed: boolean[] = [];
    for (let index = 0; index < 4; index++) {
      const decisions = await store.consume('k', policies, 1);
      expect(decisions.map((decision) => decision.policy)).toEqual(policies);
      expect(decisions[0]?.policy).toBe(policies[0]);
      allowed.push(decisions.every((decision) => decision.allowed));
    }
    // 8 x 0.25 = 2 per second; 3 x 0.25 rounds down to 0, but a policy keeps at least 1.
    expect(allowed).toEqual([true, false, false, false]);
    expect(store.state).toBe('fallback');
  });

  it('tries the primary again after retryMs, one request at a time, and goes back to it on success', async () => {
    let clock = 0;
    const primary = switchable(() => clock);
    const changes: string[] = [];
    const store = new FallbackStore({
      primary,
      retryMs: 500,
      failuresToFallback: 1,
      failingForMs: 0,
      now: () => clock,
      onStateChange: (state) => {
        changes.push(state);
        throw new Error('an observer that fails changes nothing');
      },
    });
    const policies = [policy(100, 1000)];
    primary.failing = true;
    await store.consume('k', policies, 1);
    expect(primary.calls).toBe(1);
    clock = 499;
    await Promise.all([store.consume('k', policies, 1), store.consume('k', policies, 1)]);
    expect(primary.calls).toBe(1);
    clock = 500;
    primary.failing = false;
    // Concurrent requests: one probes the primary, the others stay local meanwhile.
    await Promise.all([store.consume('k', policies, 1), store.consume('k', policies, 1), store.consume('k', policies, 1)]);
    expect(primary.calls).toBe(2);
    expect(store.state).toBe('primary');
    await store.consume('k', policies, 1);
    expect(primary.calls).toBe(3);
    expect(changes).toEqual(['fallback', 'primary']);
  });

  it('moves to the local limiter only after failuresToFallback failures in a row spanning failingForMs', async () => {
    let clock = 0;
    const primary = switchable(() => clock);
    const changes: string[] = [];
    const store = new FallbackStore({
      primary,
      failuresToFallback: 3,
      failingForMs: 500,
      now: () => clock,
      onStateChange: (state) => changes.push(state),
    });
    const policies = [policy(100, 1000)];
    primary.failing = true;
    // A burst failing at one moment (one slow answer for many decisions) is not a failing store.
    const burst = await Promise.all(Array.from({ length: 10 }, () => store.consume('k', policies, 1)));
    expect(burst.every(([decision]) => decision?.allowed === true)).toBe(true);
    expect(store.state).toBe('primary');
    // A success starts the count over.
    clock = 400;
    primary.failing = false;
    await store.consume('k', policies, 1);
    primary.failing = true;
    clock = 450;
    await store.consume('k', policies, 1);
    clock = 900;
    await store.consume('k', policies, 1);
    expect(store.state).toBe('primary');
    clock = 950;
    await store.consume('k', policies, 1);
    expect(store.state).toBe('fallback');
    expect(changes).toEqual(['fallback']);
    // Every call so far asked the primary first; from now on, they stay local.
    const calls = primary.calls;
    await store.consume('k', policies, 1);
    expect(primary.calls).toBe(calls);
  });

  it('refuses a share outside (0, 1]', () => {
    const primary = switchable(() => 0);
    for (const share of [0, -1, 1.5, Number.NaN]) expect(() => new FallbackStore({ primary, share })).toThrow(TypeError);
    for (const failuresToFallback of [0, 1.5, Number.NaN])
      expect(() => new FallbackStore({ primary, failuresToFallback })).toThrow(/failuresToFallback must be a whole number/);
  });
});
