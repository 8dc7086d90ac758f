import { FaultlineError } from './faultline-error.js';

/** The resource does not exist, or is not visible to these credentials (404). */
export class NotFoundError extends FaultlineError {
  override readonly name = 'NotFoundError';
  override readonly category = 'not_found';
}
