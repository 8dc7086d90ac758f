/**
 * @faultline/client: typed errors from any API, retries done right, rate
 * limits respected before they bite. Runs on Node 20+ and in browsers.
 * @packageDocumentation
 */
export {
  FaultlineClient,
  createClient,
  type AttemptFailure,
  type ClientOptions,
  type RequestOptions,
  type RetryOptions,
} from './client.js';
export { FaultlineError, type ErrorCode, type FailureCategory, type FailureDetails } from './errors/faultline-error.js';
export { AuthenticationError } from './errors/authentication-error.js';
export { PermissionError } from './errors/permission-error.js';
export { NotFoundError } from './errors/not-found-error.js';
export { ValidationError } from './errors/validation-error.js';
export { ConflictError } from './errors/conflict-error.js';
export { PreconditionFailedError } from './errors/precondition-failed-error.js';
export { RateLimitedError } from './errors/rate-limited-error.js';
export { QuotaExceededError } from './errors/quota-exceeded-error.js';
export { ServerError } from './errors/server-error.js';
export { NetworkError } from './errors/network-error.js';
export { TimeoutError } from './errors/timeout-error.js';
export { errorFromResponse, type FailedResponse } from './errors/error-from-response.js';
export { readErrorEnvelope, type EnvelopeName, type ErrorEnvelope, type HeadersLike } from '@faultline/core';
export { parseRateLimit, parseRateLimitPolicy, type QuotaPolicy, type RateLimitState } from './rate-limit-fields.js';
export { fullJitterDelay, type BackoffOptions } from './backoff.js';
export { RetryBudget, type RetryBudgetOptions } from './retry-budget.js';
export type { RefreshAccessToken } from './token-refresher.js';
