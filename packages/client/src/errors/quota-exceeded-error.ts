import { RateLimitedError } from './rate-limited-error.js';

/**
 * A quota is spent and resets too far ahead to wait for (after the client's
 * deadline, or at the start of next month): not retried. `retryAt` says when
 * it resets. A kind of {@link RateLimitedError}.
 */
export class QuotaExceededError extends RateLimitedError {
  override readonly name = 'QuotaExceededError';
  override readonly category = 'quota';
}
