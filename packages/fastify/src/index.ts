/**
 * @faultline/fastify: a Fastify 5 plugin that answers every failure with the
 * Faultline contract. The contract itself is framework-neutral, in
 * `@faultline/http` and `@faultline/rate-limit`; the names of theirs this
 * package has always exported are re-exported here.
 * @packageDocumentation
 */
export { faultline } from './faultline-plugin.js';
export { faultlineServerOptions, type FaultlineServerOptions } from './server-options.js';
export { sendApiError } from './send-api-error.js';
export { internalErrorDetail } from '@faultline/http';
export { isPartialValidation, partialValidationNote, validationFieldErrors } from './validation-field-errors.js';
export { toApiError, type ClassifiedError } from './to-api-error.js';
export { isWellFormedRequestId, requestIdHeader } from '@faultline/http';
export {
  wwwAuthenticate,
  bearerChallenge,
  basicChallenge,
  quotedString,
  canQuote,
  type AuthenticationChallenge,
  type BearerChallengeOptions,
  type BearerError,
} from '@faultline/http';
export type { FaultlineOptions, FaultlineRouteConfig, FaultlineSettings } from './settings.js';
export { decide, type PolicyDecision, type RateLimitPolicy } from '@faultline/rate-limit';
export { MemoryStore, type MemoryStoreOptions, type RateLimitStore } from '@faultline/rate-limit';
export {
  rateLimitHook,
  type LegacyRateLimitHeaders,
  type RateLimitGroup,
  type RateLimitOptions,
} from './rate-limit/rate-limit-hook.js';
export { rateLimitField, rateLimitPolicyField } from '@faultline/rate-limit';
export { loadShedding, type LoadSheddingOptions, type LoadSheddingState } from './overload/load-shedding.js';
export { RedisStore, RedisTimeoutError, gcraScript, type RedisClientLike, type RedisStoreOptions } from '@faultline/rate-limit';
export { FallbackStore, type FallbackOptions, type FallbackStoreOptions } from '@faultline/rate-limit';
export {
  idempotency,
  sendReplay,
  type IdempotencyPluginOptions,
  type IdempotentRoute,
} from './idempotency/idempotency-plugin.js';
