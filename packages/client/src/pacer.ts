import { parseRateLimit, parseRateLimitPolicy } from './rate-limit-fields.js';

interface PolicyState {
  /** Requests the client may still send before `resetAt`, counting those in flight. */
  remaining: number;
  resetAt: number;
}

/**
 * Paces a client by the server's `RateLimit` field, before any 429: every
 * request spends one unit of each known policy locally, and once a policy
 * has none left, requests wait for its reset instead of being sent to fail.
 * Each response's field is the truth and replaces the local count.
 */
export class Pacer {
  readonly #policies = new Map<string, PolicyState>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Milliseconds to wait before the next request may go; spends its unit when it returns 0. */
  reserve(): number {
    const now = this.#now();
    let wait = 0;
    for (const [name, policy] of this.#policies) {
      if (policy.resetAt <= now) {
        // The window passed with no fresher news: forget it rather than guess.
        this.#policies.delete(name);
        continue;
      }
      if (policy.remaining <= 0) wait = Math.max(wait, policy.resetAt - now);
    }
    if (wait === 0) for (const policy of this.#policies.values()) policy.remaining -= 1;
    return wait;
  }

  /** Reads the server's current counts from a response. */
  observe(headers: Headers): void {
    const states = parseRateLimit(headers.get('ratelimit'));
    if (states.length === 0) return;
    const now = this.#now();
    const policies = new Map(parseRateLimitPolicy(headers.get('ratelimit-policy')).map((policy) => [policy.name, policy]));
    for (const state of states) {
      const window = policies.get(state.name)?.windowSeconds;
      const resetSeconds = state.resetSeconds ?? window;
      if (state.remaining === undefined || resetSeconds === undefined) continue;
      this.#policies.set(state.name, { remaining: state.remaining, resetAt: now + resetSeconds * 1000 });
    }
  }

  /** When the most constrained exhausted policy resets, if any is exhausted. */
  exhaustedUntil(): number | undefined {
    let until: number | undefined;
    for (const policy of this.#policies.values()) {
      if (policy.remaining <= 0 && (until === undefined || policy.resetAt > until)) until = policy.resetAt;
    }
    return until;
  }
}
