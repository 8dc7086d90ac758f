import { FaultlineError } from './faultline-error.js';

/** The version named in `If-Match` is no longer current (412); fetch it again. */
export class PreconditionFailedError extends FaultlineError {
  override readonly name = 'PreconditionFailedError';
  override readonly category = 'precondition';
}
