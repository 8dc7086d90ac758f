/**
 * @faultline/rate-limit: a GCRA rate limiter for any Node.js HTTP server, with
 * memory, Redis and fallback stores, the draft-10 `RateLimit` and
 * `RateLimit-Policy` fields, and the catalog's `limit_reached` (429) error.
 * @packageDocumentation
 */
export { decide, type PolicyDecision, type RateLimitPolicy } from './gcra.js';
export { MemoryStore, type MemoryStoreOptions, type RateLimitStore } from './memory-store.js';
export { RedisStore, RedisTimeoutError, gcraScript, type RedisClientLike, type RedisStoreOptions } from './redis-store.js';
export { FallbackStore, type FallbackOptions, type FallbackStoreOptions } from './fallback-store.js';
export { rateLimitField, rateLimitPolicyField } from './rate-limit-fields.js';
export {
  createRateLimiter,
  type LegacyRateLimitHeaders,
  type RateLimitGroup,
  type RateLimiter,
  type RateLimiterOptions,
  type RateLimitVerdict,
} from './rate-limiter.js';
