import type { Completion, ExistingRecord, IdempotencyStore, NewClaim } from './idempotency-store.js';

export interface MemoryIdempotencyStoreOptions {
  /** The most records kept; past it the oldest are forgotten first. Default 100,000. */
  readonly maxRecords?: number;
}

interface MemoryRecord {
  state: 'running' | 'done';
  fingerprint: string;
  token: string;
  expiresAt: number;
  answer: string;
}

/**
 * Records in this process's memory: the default, right for one process.
 * Bounded, so a flood of fresh keys costs at most `maxRecords` records.
 *
 * @example
 * const idempotency = new Idempotency({ store: new MemoryIdempotencyStore({ maxRecords: 10_000 }) });
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #records = new Map<string, MemoryRecord>();
  readonly #maxRecords: number;

  constructor(options: MemoryIdempotencyStoreOptions = {}) {
    const maxRecords = options.maxRecords ?? 100_000;
    if (!(Number.isInteger(maxRecords) && maxRecords >= 1))
      throw new TypeError(`maxRecords must be a whole number from 1, not ${maxRecords}.`);
    this.#maxRecords = maxRecords;
  }

  /** How many records are held, expired ones not yet dropped included. */
  get size(): number {
    return this.#records.size;
  }

  claim(claim: NewClaim): Promise<ExistingRecord | undefined> {
    const existing = this.#records.get(claim.id);
    if (existing !== undefined && existing.expiresAt > claim.now) {
      return Promise.resolve(
        existing.state === 'running'
          ? { state: 'running', fingerprint: existing.fingerprint, expiresAt: existing.expiresAt }
          : { state: 'done', fingerprint: existing.fingerprint, expiresAt: existing.expiresAt, answer: existing.answer },
      );
    }
    // Insertion order is age order: re-inserting moves the id to the end.
    this.#records.delete(claim.id);
    this.#records.set(claim.id, {
      state: 'running',
      fingerprint: claim.fingerprint,
      token: claim.token,
      expiresAt: claim.expiresAt,
      answer: '',
    });
    this.#evict(claim.now);
    return Promise.resolve(undefined);
  }

  complete(completion: Completion): Promise<boolean> {
    const record = this.#records.get(completion.id);
    if (record === undefined || record.state !== 'running' || record.token !== completion.token) return Promise.resolve(false);
    record.state = 'done';
    record.answer = completion.answer;
    record.expiresAt = completion.expiresAt;
    return Promise.resolve(true);
  }

  release(id: string, token: string): Promise<void> {
    const record = this.#records.get(id);
    if (record !== undefined && record.state === 'running' && record.token === token) this.#records.delete(id);
    return Promise.resolve();
  }

  /** Drops expired records from the oldest end, and the oldest live ones past the bound. */
  #evict(now: number): void {
    for (const [id, record] of this.#records) {
      if (this.#records.size <= this.#maxRecords && record.expiresAt > now) break;
      this.#records.delete(id);
    }
  }
}
