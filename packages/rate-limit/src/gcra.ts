/**
 * The generic cell rate algorithm (GCRA): a policy of `limit` units per
 * `windowMs` admits a burst of at most `limit` units, then one unit every
 * `windowMs / limit`. Unlike fixed windows, which admit `2 x limit` in an
 * instant across a window edge, no interval of length `d` ever admits more
 * than `limit + d / interval`. Per key it keeps a single number, the
 * theoretical arrival time (TAT): when the key's allowance is fully restored.
 */

/** A quota policy: `limit` units per `windowMs`. */
export interface RateLimitPolicy {
  /** The name the `RateLimit-Policy` and `RateLimit` fields use. */
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
}

/** What one policy decided for one request. */
export interface PolicyDecision {
  readonly policy: RateLimitPolicy;
  readonly allowed: boolean;
  /** Units left after this request (0 when refused). */
  readonly remaining: number;
  /** Milliseconds until the allowance is fully restored. */
  readonly resetMs: number;
  /** When refused: milliseconds until the request would be admitted. */
  readonly retryAfterMs: number;
  /** The TAT to store when admitted. */
  readonly nextTat: number;
}

/** Checks a policy against a key's stored TAT (undefined for a key never seen). */
export function decide(policy: RateLimitPolicy, storedTat: number | undefined, now: number, cost = 1): PolicyDecision {
  const interval = policy.windowMs / policy.limit;
  const tat = Math.max(storedTat ?? now, now);
  const nextTat = tat + cost * interval;
  // Admitted while the new TAT stays within one window of now.
  const allowAt = nextTat - policy.windowMs;
  if (cost > policy.limit || allowAt > now) {
    return {
      policy,
      allowed: false,
      remaining: Math.max(0, Math.floor((policy.windowMs - (tat - now)) / interval)),
      resetMs: Math.max(0, tat - now),
      retryAfterMs: cost > policy.limit ? Number.POSITIVE_INFINITY : allowAt - now,
      nextTat: tat,
    };
  }
  return {
    policy,
    allowed: true,
    remaining: Math.floor((policy.windowMs - (nextTat - now)) / interval + 1e-9),
    resetMs: nextTat - now,
    retryAfterMs: 0,
    nextTat,
  };
}
