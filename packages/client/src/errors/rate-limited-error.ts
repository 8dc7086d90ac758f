import { FaultlineError } from './faultline-error.js';

/** Too many requests (429): `retryAt` says when the server will take the next one. */
export class RateLimitedError extends FaultlineError {
  override readonly name: string = 'RateLimitedError';
  override readonly category: 'rate_limit' | 'quota' = 'rate_limit';
}
