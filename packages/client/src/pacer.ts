import { parseRateLimit, parseRateLimitPolicy } from './rate-limit-fields.js';

interface PolicyState {
  /** Requests the client may still send before `resetAt`, counting those in flight. */
  remaining: number;
  resetAt: number;
  /** From `RateLimit-Policy`, when announced: what a new window holds, and how long it lasts. */
  quota: number | undefined;
  windowMs: number | undefined;
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
  /** Requests sent and not yet answered: the server's count in a response does not include them yet. */
  #inFlight = 0;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Milliseconds to wait before the next request may go; spends its unit when it returns 0. */
  reserve(): number {
    const now = this.#now();
    let wait = 0;
    for (const [name, policy] of this.#policies) {
      if (policy.resetAt <= now) {
        if (policy.quota === undefined || policy.windowMs === undefined) {
          // The window passed with no fresher news and no announced policy: forget it rather than guess.
          this.#policies.delete(name);
          continue;
        }
        // A new window of the announced policy, so requests that waited for the reset do not all rush out at once.
        policy.remaining = policy.quota;
        policy.resetAt = now + policy.windowMs;
      }
      if (policy.remaining <= 0) wait = Math.max(wait, policy.resetAt - now);
    }
    if (wait === 0) {
      for (const policy of this.#policies.values()) policy.remaining -= 1;
      this.#inFlight += 1;
    }
    return wait;
  }

  /** Called once for each reservation whose request is over, answered or not. */
  settle(): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
  }

  /** Reads the server's current counts from a response (call before {@link settle} for that request). */
  observe(headers: Headers): void {
    const states = parseRateLimit(headers.get('ratelimit'));
    if (states.length === 0) return;
    const now = this.#now();
    const policies = new Map(parseRateLimitPolicy(headers.get('ratelimit-policy')).map((policy) => [policy.name, policy]));
    for (const state of states) {
      const policy = policies.get(state.name);
      const window = policy?.windowSeconds;
      const resetSeconds = state.resetSeconds ?? window;
      if (state.remaining === undefined || resetSeconds === undefined) continue;
      // The other requests still in flight will each spend a unit the server has not counted yet.
      let remaining = state.remaining - Math.max(0, this.#inFlight - 1);
      const resetAt = now + resetSeconds * 1000;
      const known = this.#policies.get(state.name);
      // Within one window, answers can arrive out of order: a late one must not hand back units already spent.
      if (known !== undefined && Math.abs(known.resetAt - resetAt) < 1000) remaining = Math.min(remaining, known.remaining);
      this.#policies.set(state.name, {
        remaining,
        resetAt,
        quota: policy?.quota,
        windowMs: window === undefined ? undefined : window * 1000,
      });
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
