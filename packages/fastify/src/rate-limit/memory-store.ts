import { decide, type PolicyDecision, type RateLimitPolicy } from './gcra.js';

/** Where rate-limit state lives; the in-memory store is the default, a shared one (Redis) can replace it. */
export interface RateLimitStore {
  /**
   * Applies every policy to `key` at once: the request is admitted only if
   * all of them admit it, and then it is counted against all of them.
   */
  consume(key: string, policies: readonly RateLimitPolicy[], cost: number): Promise<PolicyDecision[]> | PolicyDecision[];
}

export interface MemoryStoreOptions {
  /** The most keys held; past it, keys whose allowance is fully restored are dropped first. Default 100,000. */
  readonly maxKeys?: number;
  readonly now?: () => number;
}

/**
 * A rate-limit store in this process's memory. One number per key and
 * policy, no timers: a key whose allowance is fully restored carries no
 * information and is swept when room is needed, so memory stays bounded and
 * windows of any length (months included) work.
 */
export class MemoryStore implements RateLimitStore {
  readonly #tats = new Map<string, number>();
  readonly #maxKeys: number;
  readonly #now: () => number;

  constructor(options: MemoryStoreOptions = {}) {
    this.#maxKeys = options.maxKeys ?? 100_000;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#tats.size;
  }

  consume(key: string, policies: readonly RateLimitPolicy[], cost: number): PolicyDecision[] {
    const now = this.#now();
    const decisions = policies.map((policy) => decide(policy, this.#tats.get(`${policy.name}\u0000${key}`), now, cost));
    if (decisions.every((decision) => decision.allowed)) {
      for (const decision of decisions) this.#set(`${decision.policy.name}\u0000${key}`, decision.nextTat);
    }
    return decisions;
  }

  #set(slot: string, tat: number): void {
    // Re-inserting moves the key to the end, so the map's order is least recently used first.
    this.#tats.delete(slot);
    this.#tats.set(slot, tat);
    if (this.#tats.size <= this.#maxKeys) return;
    // The least recently used key goes; if its allowance was not yet restored, it gets a fresh one: the price of bounded memory.
    for (const oldSlot of this.#tats.keys()) {
      if (this.#tats.size <= this.#maxKeys) break;
      this.#tats.delete(oldSlot);
    }
  }
}
