/**
 * The behaviour every store must have, run against each: the state machine
 * of claims, replays, conflicts and expiries, through the engine.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Idempotency, type IdempotencyStore, type StoredAnswer } from '../src/index.js';

const answer = (body: string, status = 201): StoredAnswer => ({ status, headers: { 'content-type': 'application/json' }, body });

/** Waits a little longer than `ms`, for stores whose expiry runs on their own clock (Redis). */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function storeBehaviour(name: string, makeStore: () => IdempotencyStore, makeSecondStore = makeStore): void {
  describe(`${name}: the claim/replay/conflict state machine`, () => {
    const request = (key: string, body: unknown = { name: 'a' }, scope = 'team:1') => ({
      key,
      scope,
      method: 'POST',
      path: '/v1/things',
      body,
    });

    it('runs the first request, answers a repeat while it runs with in_progress, then replays its answer', async () => {
      const idempotency = new Idempotency({ store: makeStore() });
      const key = randomUUID();
      const first = await idempotency.admit(request(key));
      expect(first.kind).toBe('execute');
      const during = await idempotency.admit(request(key));
      expect(during).toMatchObject({ kind: 'in_progress' });
      if (during.kind === 'in_progress') expect(during.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      if (first.kind !== 'execute') return;
      expect(await idempotency.finish(first.claim, answer('{"id":1}'))).toBe('stored');
      expect(await idempotency.admit(request(key))).toEqual({ kind: 'replay', answer: answer('{"id":1}') });
      expect(await idempotency.admit(request(key, { name: 'b' }))).toEqual({ kind: 'reused' });
      // Another scope's key of the same name is its own.
      expect((await idempotency.admit(request(key, { name: 'a' }, 'team:2'))).kind).toBe('execute');
    });

    it('shares keys between two engines on the same store (two processes)', async () => {
      const one = new Idempotency({ store: makeStore() });
      const two = new Idempotency({ store: makeSecondStore() });
      const key = randomUUID();
      const first = await one.admit(request(key));
      expect((await two.admit(request(key))).kind).toBe('in_progress');
      if (first.kind !== 'execute') throw new Error('expected a claim');
      await one.finish(first.claim, answer('{"id":2}'));
      expect(await two.admit(request(key))).toEqual({ kind: 'replay', answer: answer('{"id":2}') });
    });

    it('of twenty admissions at once with one key, exactly one runs', async () => {
      const idempotency = new Idempotency({ store: makeStore() });
      const key = randomUUID();
      const admissions = await Promise.all(Array.from({ length: 20 }, () => idempotency.admit(request(key))));
      expect(admissions.filter((admission) => admission.kind === 'execute')).toHaveLength(1);
      expect(admissions.filter((admission) => admission.kind === 'in_progress')).toHaveLength(19);
    });

    it('does not keep answers that did nothing (429, 503), nor 5xx unless asked: the key is free again', async () => {
      const keeping = new Idempotency({ store: makeStore() });
      const strict = new Idempotency({ store: makeStore(), keepServerErrors: false });
      for (const [idempotency, status, kept] of [
        [keeping, 429, false],
        [keeping, 503, false],
        [keeping, 500, true],
        [strict, 500, false],
        [keeping, 404, true],
      ] as const) {
        const key = randomUUID();
        const admission = await idempotency.admit(request(key));
        if (admission.kind !== 'execute') throw new Error('expected a claim');
        expect(await idempotency.finish(admission.claim, answer('{}', status))).toBe(kept ? 'stored' : 'released');
        expect((await idempotency.admit(request(key))).kind, `${status}`).toBe(kept ? 'replay' : 'execute');
      }
    });

    it('lets a dead claim be taken again after claimTtlMs, and the late finisher learns it lost', async () => {
      const idempotency = new Idempotency({ store: makeStore(), claimTtlMs: 150 });
      const key = randomUUID();
      const dead = await idempotency.admit(request(key));
      if (dead.kind !== 'execute') throw new Error('expected a claim');
      await sleep(300);
      const again = await idempotency.admit(request(key));
      expect(again.kind).toBe('execute');
      expect(await idempotency.finish(dead.claim, answer('{"late":true}'))).toBe('lost');
      if (again.kind !== 'execute') return;
      expect(await idempotency.finish(again.claim, answer('{"id":3}'))).toBe('stored');
      expect(await idempotency.admit(request(key))).toEqual({ kind: 'replay', answer: answer('{"id":3}') });
    });

    it('forgets an answer after answerTtlMs', async () => {
      const idempotency = new Idempotency({ store: makeStore(), answerTtlMs: 150 });
      const key = randomUUID();
      const first = await idempotency.admit(request(key));
      if (first.kind !== 'execute') throw new Error('expected a claim');
      await idempotency.finish(first.claim, answer('{}'));
      expect((await idempotency.admit(request(key))).kind).toBe('replay');
      await sleep(300);
      expect((await idempotency.admit(request(key))).kind).toBe('execute');
    });
  });
}
