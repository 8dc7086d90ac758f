/**
 * @faultline/fastify: a Fastify 5 plugin that answers every failure with the
 * Faultline contract.
 * @packageDocumentation
 */
export { faultline } from './faultline-plugin.js';
export { faultlineServerOptions, type FaultlineServerOptions } from './server-options.js';
export { sendApiError, internalErrorDetail } from './send-api-error.js';
export { isPartialValidation, partialValidationNote, validationFieldErrors } from './validation-field-errors.js';
export { toApiError, type ClassifiedError } from './to-api-error.js';
export { isWellFormedRequestId, requestIdHeader } from './request-id.js';
export {
  wwwAuthenticate,
  bearerChallenge,
  basicChallenge,
  quotedString,
  canQuote,
  type AuthenticationChallenge,
  type BearerChallengeOptions,
  type BearerError,
} from './authentication-challenge.js';
export type { FaultlineOptions, FaultlineRouteConfig, FaultlineSettings } from './settings.js';
export { decide, type PolicyDecision, type RateLimitPolicy } from './rate-limit/gcra.js';
export { MemoryStore, type MemoryStoreOptions, type RateLimitStore } from './rate-limit/memory-store.js';
export {
  rateLimitHook,
  type LegacyRateLimitHeaders,
  type RateLimitGroup,
  type RateLimitOptions,
} from './rate-limit/rate-limit-hook.js';
export { rateLimitField, rateLimitPolicyField } from './rate-limit/rate-limit-fields.js';
export { loadShedding, type LoadSheddingOptions, type LoadSheddingState } from './overload/load-shedding.js';
export {
  RedisStore,
  RedisTimeoutError,
  gcraScript,
  type RedisClientLike,
  type RedisStoreOptions,
} from './rate-limit/redis-store.js';
export { FallbackStore, type FallbackOptions, type FallbackStoreOptions } from './rate-limit/fallback-store.js';
export {
  idempotency,
  sendReplay,
  type IdempotencyPluginOptions,
  type IdempotentRoute,
} from './idempotency/idempotency-plugin.js';
