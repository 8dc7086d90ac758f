/**
 * @faultline/idempotency: safe retries for HTTP APIs, with no web framework
 * inside. The `Idempotency-Key` rules, request fingerprints, the
 * claim/replay/conflict state machine, and its stores: memory, Redis, or
 * your own database through {@link IdempotencyStore}.
 * @packageDocumentation
 */
export {
  idempotencyKeyHeader,
  replayedHeader,
  maxIdempotencyKeyLength,
  readIdempotencyKey,
  type KeyReading,
} from './idempotency-key.js';
export { canonicalJson, requestFingerprint, recordKeys, type RequestIdentity } from './request-fingerprint.js';
export { answerHeaders, sealAnswer, openAnswer, plainAnswer, type StoredAnswer } from './stored-answer.js';
export type { IdempotencyStore, NewClaim, Completion, ExistingRecord } from './idempotency-store.js';
export { MemoryIdempotencyStore, type MemoryIdempotencyStoreOptions } from './memory-store.js';
export { RedisIdempotencyStore, type IdempotencyRedisClient, type RedisIdempotencyStoreOptions } from './redis-store.js';
export {
  Idempotency,
  Claim,
  type Admission,
  type AdmitOptions,
  type IdempotencyMode,
  type IdempotencyOptions,
} from './idempotency.js';
export { idempotencyErrors } from './idempotency-errors.js';
export { checkIdempotencyKey, type KeyCheck, type RequestAdmission, type StoreFailure } from './request-admission.js';
