import { FaultlineError } from './faultline-error.js';

/** No response arrived within the attempt timeout (or the server answered 408). */
export class TimeoutError extends FaultlineError {
  override readonly name = 'TimeoutError';
  override readonly category = 'timeout';
}
