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
 *
 * Each policy (by name) has its own map from the caller's key to its TAT, so
 * a decision builds no strings and moves nothing. When the maps together pass
 * `maxKeys`, one sweep drops every key whose allowance is fully restored; if
 * that is not enough, the oldest keys go (they get a fresh allowance: the
 * price of bounded memory), down to a little under the cap, so the next sweep
 * is thousands of requests away and its cost is spread over them.
 */
export class MemoryStore implements RateLimitStore {
  readonly #byPolicy = new Map<string, Map<string, number>>();
  readonly #maxKeys: number;
  /** How far under `maxKeys` making room goes: a sixteenth of it. */
  readonly #slack: number;
  readonly #now: () => number;
  #size = 0;
  // The last policy seen and its map: most stores serve one set of policies.
  #lastPolicy: RateLimitPolicy | undefined;
  #lastTats: Map<string, number> | undefined;

  constructor(options: MemoryStoreOptions = {}) {
    this.#maxKeys = options.maxKeys ?? 100_000;
    this.#slack = Math.floor(this.#maxKeys / 16);
    this.#now = options.now ?? Date.now;
  }

  /** How many TATs are held (one per key and policy). */
  get size(): number {
    return this.#size;
  }

  consume(key: string, policies: readonly RateLimitPolicy[], cost: number): PolicyDecision[] {
    const now = this.#now();
    if (policies.length === 1) {
      const policy = policies[0] as RateLimitPolicy;
      const tats = this.#tatsOf(policy);
      const stored = tats.get(key);
      const decision = decide(policy, stored, now, cost);
      if (decision.allowed) this.#set(tats, key, stored, decision.nextTat, now);
      return [decision];
    }
    const count = policies.length;
    const decisions: PolicyDecision[] = new Array<PolicyDecision>(count);
    let allowed = true;
    for (let index = 0; index < count; index++) {
      const decision = decide(
        policies[index] as RateLimitPolicy,
        this.#tatsOf(policies[index] as RateLimitPolicy).get(key),
        now,
        cost,
      );
      decisions[index] = decision;
      if (!decision.allowed) allowed = false;
    }
    if (allowed) {
      for (let index = 0; index < count; index++) {
        const tats = this.#tatsOf(policies[index] as RateLimitPolicy);
        this.#set(tats, key, tats.get(key), (decisions[index] as PolicyDecision).nextTat, now);
      }
    }
    return decisions;
  }

  #tatsOf(policy: RateLimitPolicy): Map<string, number> {
    if (policy === this.#lastPolicy) return this.#lastTats as Map<string, number>;
    let tats = this.#byPolicy.get(policy.name);
    if (tats === undefined) {
      tats = new Map();
      this.#byPolicy.set(policy.name, tats);
    }
    this.#lastPolicy = policy;
    this.#lastTats = tats;
    return tats;
  }

  #set(tats: Map<string, number>, key: string, stored: number | undefined, tat: number, now: number): void {
    tats.set(key, tat);
    if (stored !== undefined) return;
    this.#size++;
    if (this.#size > this.#maxKeys) this.#makeRoom(now);
  }

  #makeRoom(now: number): void {
    // Keys whose allowance is fully restored carry no information: dropping them changes no decision.
    for (const tats of this.#byPolicy.values()) {
      for (const [key, tat] of tats) {
        if (tat <= now) {
          tats.delete(key);
          this.#size--;
        }
      }
    }
    const target = this.#maxKeys - this.#slack;
    if (this.#size <= target) return;
    // Still too many: the oldest keys of each policy go, in proportion to its share.
    const excess = this.#size - target;
    const total = this.#size;
    for (const tats of this.#byPolicy.values()) {
      let quota = Math.ceil((excess * tats.size) / total);
      for (const key of tats.keys()) {
        if (quota-- <= 0 || this.#size <= target) break;
        tats.delete(key);
        this.#size--;
      }
    }
  }
}
