import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide, MemoryStore, type RateLimitPolicy } from '@faultline/rate-limit';

const policy = (limit: number, windowMs: number, name = 'burst'): RateLimitPolicy => ({ name, limit, windowMs });

describe('GCRA', () => {
  it('never admits more than a burst of the limit plus the steady rate, in any interval', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 100, max: 10_000 }),
        fc.array(fc.integer({ min: 0, max: 30_000 }), { minLength: 1, maxLength: 200 }),
        (limit, windowMs, offsets) => {
          const store = new MemoryStore({ now: () => clock });
          let clock = 0;
          const admitted: number[] = [];
          for (const at of [...offsets].sort((a, b) => a - b)) {
            clock = at;
            if ((store.consume('k', [policy(limit, windowMs)], 1)[0] as { allowed: boolean }).allowed) admitted.push(at);
          }
          const interval = windowMs / limit;
          for (let first = 0; first < admitted.length; first++) {
            for (let last = first; last < admitted.length; last++) {
              const span = (admitted[last] as number) - (admitted[first] as number);
              // A fixed window would admit 2 x limit with span near 0, across its edge.
              expect(last - first + 1).toBeLessThanOrEqual(limit + Math.floor(span / interval + 1e-9));
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('admits a whole burst of the limit, then says when the next unit comes', () => {
    const burst = policy(5, 1000);
    let tat: number | undefined;
    for (let index = 0; index < 5; index++) {
      const decision = decide(burst, tat, 0);
      expect(decision).toMatchObject({ allowed: true, remaining: 4 - index });
      tat = decision.nextTat;
    }
    const refused = decide(burst, tat, 0);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 200, resetMs: 1000 });
    expect(decide(burst, tat, 200).allowed).toBe(true);
  });

  it('admits requests spaced by the emission interval for ever', () => {
    const steady = policy(10, 1000);
    let tat: number | undefined;
    for (let at = 0; at < 100_000; at += 100) {
      const decision = decide(steady, tat, at);
      expect(decision.allowed).toBe(true);
      tat = decision.nextTat;
    }
  });

  it('refuses a cost larger than the whole policy without end', () => {
    expect(decide(policy(3, 1000), undefined, 0, 4)).toMatchObject({ allowed: false, retryAfterMs: Number.POSITIVE_INFINITY });
  });

  it('handles windows longer than a month, with no timers involved', () => {
    const month = policy(2, 31 * 24 * 3600 * 1000, 'monthly');
    const store = new MemoryStore({ now: () => 0 });
    expect(store.consume('k', [month], 1)[0]?.allowed).toBe(true);
    expect(store.consume('k', [month], 1)[0]?.allowed).toBe(true);
    const refused = store.consume('k', [month], 1)[0];
    expect(refused?.allowed).toBe(false);
    expect(refused?.retryAfterMs).toBe(month.windowMs / 2);
  });
});
