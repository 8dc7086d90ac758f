import { describe, expect, it } from 'vitest';
import { MemoryStore, type RateLimitPolicy } from '@faultline/rate-limit';

const policy = (limit: number, windowMs: number, name = 'burst'): RateLimitPolicy => ({ name, limit, windowMs });

describe('MemoryStore', () => {
  it('counts a request against every policy only when all of them admit it', () => {
    const store = new MemoryStore({ now: () => 0 });
    const policies = [policy(10, 1000, 'second'), policy(2, 60_000, 'minute')];
    expect(store.consume('k', policies, 1).every((decision) => decision.allowed)).toBe(true);
    expect(store.consume('k', policies, 1).every((decision) => decision.allowed)).toBe(true);
    const third = store.consume('k', policies, 1);
    expect(third.map((decision) => decision.allowed)).toEqual([true, false]);
    // The refused request spent nothing of the per-second policy: 8 units are still there.
    expect(third[0]?.remaining).toBe(7);
    expect(store.consume('other', policies, 1).every((decision) => decision.allowed)).toBe(true);
  });

  it('keeps at most maxKeys keys', () => {
    const store = new MemoryStore({ maxKeys: 10, now: () => 0 });
    for (let index = 0; index < 1000; index++) store.consume(`key-${index}`, [policy(5, 1000)], 1);
    expect(store.size).toBe(10);
  });

  it('drops keys whose allowance is restored before keys still counting, when it needs room', () => {
    let clock = 0;
    const store = new MemoryStore({ maxKeys: 32, now: () => clock });
    const hourly = [policy(2, 3_600_000, 'hourly')];
    const second = [policy(5, 1000, 'second')];
    // A key with its allowance spent, then many short-lived keys that are restored a second later.
    store.consume('busy', hourly, 1);
    store.consume('busy', hourly, 1);
    for (let index = 0; index < 31; index++) store.consume(`brief-${index}`, second, 1);
    for (let index = 0; index < 100; index++) {
      clock += 1000;
      store.consume(`late-${index}`, second, 1);
    }
    expect(store.size).toBeLessThanOrEqual(32);
    expect(store.consume('busy', hourly, 1)[0]?.allowed).toBe(false);
  });
});
