import type { PolicyDecision, RateLimitPolicy } from './gcra.js';

/** `RateLimit-Policy` (draft-ietf-httpapi-ratelimit-headers-10): each policy's quota and window, in seconds. */
export function rateLimitPolicyField(policies: readonly RateLimitPolicy[]): string {
  return policies.map((policy) => `"${policy.name}";q=${policy.limit};w=${Math.ceil(policy.windowMs / 1000)}`).join(', ');
}

/** `RateLimit`: what is left of each policy, and the seconds until it is restored. */
export function rateLimitField(decisions: readonly PolicyDecision[]): string {
  return decisions
    .map((decision) => `"${decision.policy.name}";r=${decision.remaining};t=${Math.ceil(decision.resetMs / 1000)}`)
    .join(', ');
}
