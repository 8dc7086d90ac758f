import type { PolicyDecision, RateLimitPolicy } from './gcra.js';
import { MemoryStore, type RateLimitStore } from './memory-store.js';

export interface FallbackOptions {
  /**
   * The share of each policy's limit the local limiter grants, in (0, 1]:
   * with several processes, each one gets this much on its own while the
   * shared store is away. Never less than 1 unit. Default 0.5.
   */
  readonly share?: number;
  /** How long to stay on the local limiter after a failure before trying the shared store again. Default 1000 ms. */
  readonly retryMs?: number;
  /**
   * How many decisions in a row the shared store must fail (errors or
   * timeouts) before every decision moves to the local limiter. Default 3.
   */
  readonly failuresToFallback?: number;
  /**
   * How long, in ms, the shared store must have failed every decision before
   * they move: a burst of decisions that time out together (one slow answer
   * on a busy machine) is one failure, not many. Default 500 ms.
   */
  readonly failingForMs?: number;
  /** Told when decisions move to the local limiter (with the failure) and back to the shared store. No per-request calls. */
  readonly onStateChange?: (state: 'primary' | 'fallback', error?: unknown) => void;
  /** The local limiter's clock. Default `Date.now`. */
  readonly now?: () => number;
}

export interface FallbackStoreOptions extends FallbackOptions {
  /** The shared store; its failures (rejections, throws) send decisions to the local limiter. It must bound its own time. */
  readonly primary: RateLimitStore;
}

/**
 * A store that asks a shared primary (Redis) and, when it fails, decides in
 * this process with a share of every policy's budget, so requests still get
 * their RateLimit fields and correct 429s, never a 500 and never a hang.
 *
 * A failed decision is taken locally, but decisions as a whole move to the
 * local limiter only once the primary is really failing: `failuresToFallback`
 * failures in a row spanning at least `failingForMs`. A slow but healthy
 * primary on a busy machine therefore keeps deciding, and processes sharing
 * it do not each admit their local share on top of the shared limit.
 * While it is on the local limiter it lets one request at a time try the
 * primary again every `retryMs`; the first success takes decisions back to
 * the primary. The decisions' `policy` is the caller's policy; `remaining`
 * and the times count against the reduced local limit.
 */
export class FallbackStore implements RateLimitStore {
  readonly #primary: RateLimitStore;
  readonly #local: MemoryStore;
  readonly #share: number;
  readonly #retryMs: number;
  readonly #failuresToFallback: number;
  readonly #failingForMs: number;
  readonly #now: () => number;
  readonly #onStateChange: FallbackOptions['onStateChange'];
  readonly #reduced = new WeakMap<readonly RateLimitPolicy[], RateLimitPolicy[]>();
  #state: 'primary' | 'fallback' = 'primary';
  #retryAt = 0;
  #probing = false;
  /** Decisions the primary failed in a row, and when the first of them failed. */
  #failures = 0;
  #failingSince = 0;

  constructor(options: FallbackStoreOptions) {
    this.#share = options.share ?? 0.5;
    if (!(this.#share > 0 && this.#share <= 1))
      throw new TypeError('Rate-limit fallback share must be more than 0 and at most 1.');
    this.#retryMs = options.retryMs ?? 1000;
    if (!(this.#retryMs >= 0)) throw new TypeError('Rate-limit fallback retryMs must be a number of milliseconds.');
    this.#failuresToFallback = options.failuresToFallback ?? 3;
    if (!(Number.isInteger(this.#failuresToFallback) && this.#failuresToFallback >= 1))
      throw new TypeError('Rate-limit fallback failuresToFallback must be a whole number from 1.');
    this.#failingForMs = options.failingForMs ?? 500;
    if (!(this.#failingForMs >= 0)) throw new TypeError('Rate-limit fallback failingForMs must be a number of milliseconds.');
    this.#primary = options.primary;
    this.#now = options.now ?? Date.now;
    this.#local = new MemoryStore({ now: this.#now });
    this.#onStateChange = options.onStateChange;
  }

  get state(): 'primary' | 'fallback' {
    return this.#state;
  }

  consume(key: string, policies: readonly RateLimitPolicy[], cost: number): Promise<PolicyDecision[]> {
    const probe = this.#state === 'fallback' && !this.#probing && this.#now() >= this.#retryAt;
    if (this.#state === 'fallback' && !probe) {
      try {
        return Promise.resolve(this.#consumeLocally(key, policies, cost));
      } catch (error) {
        return Promise.reject(error as Error);
      }
    }
    if (probe) this.#probing = true;
    let decided: Promise<PolicyDecision[]>;
    try {
      decided = Promise.resolve(this.#primary.consume(key, policies, cost));
    } catch (error) {
      decided = Promise.reject(error as Error);
    }
    // No async function: a decision is one reaction to the primary's answer, not several.
    return decided.then(
      (decisions) => {
        try {
          this.#failures = 0;
          if (this.#state === 'fallback') this.#change('primary');
          return decisions;
        } finally {
          if (probe) this.#probing = false;
        }
      },
      (error: unknown) => {
        try {
          const now = this.#now();
          if (this.#failures++ === 0) this.#failingSince = now;
          this.#retryAt = now + this.#retryMs;
          if (
            this.#state === 'primary' &&
            this.#failures >= this.#failuresToFallback &&
            now - this.#failingSince >= this.#failingForMs
          )
            this.#change('fallback', error);
          return this.#consumeLocally(key, policies, cost);
        } finally {
          if (probe) this.#probing = false;
        }
      },
    );
  }

  #change(state: 'primary' | 'fallback', error?: unknown): void {
    this.#state = state;
    try {
      this.#onStateChange?.(state, error);
    } catch {
      // A failing observer must not fail the request.
    }
  }

  #consumeLocally(key: string, policies: readonly RateLimitPolicy[], cost: number): PolicyDecision[] {
    let reduced = this.#reduced.get(policies);
    if (reduced === undefined) {
      reduced = policies.map((policy) => ({ ...policy, limit: Math.max(1, Math.floor(policy.limit * this.#share)) }));
      this.#reduced.set(policies, reduced);
    }
    return this.#local
      .consume(key, reduced, cost)
      .map((decision, index) => ({ ...decision, policy: policies[index] as RateLimitPolicy }));
  }
}
