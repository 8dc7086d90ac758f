import { describe, expect, it } from 'vitest';
import { Idempotency, MemoryIdempotencyStore } from '../src/index.js';
import { storeBehaviour } from './store-behaviour.js';

// One store for all: two engines on it are two handlers in one process.
const shared = new MemoryIdempotencyStore();
storeBehaviour('MemoryIdempotencyStore', () => shared);

describe('MemoryIdempotencyStore', () => {
  it('holds at most maxRecords, forgetting the oldest first', async () => {
    const store = new MemoryIdempotencyStore({ maxRecords: 3 });
    const idempotency = new Idempotency({ store });
    for (let index = 0; index < 10; index += 1)
      await idempotency.admit({ key: `k${index}`, scope: 's', method: 'POST', path: '/', body: undefined });
    expect(store.size).toBe(3);
    // The newest is still claimed.
    expect((await idempotency.admit({ key: 'k9', scope: 's', method: 'POST', path: '/', body: undefined })).kind).toBe(
      'in_progress',
    );
  });

  it('refuses a bound that is not a whole number from 1', () => {
    expect(() => new MemoryIdempotencyStore({ maxRecords: 0 })).toThrow(/maxRecords/);
  });
});
