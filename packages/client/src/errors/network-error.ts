import { FaultlineError } from './faultline-error.js';

/** No response arrived: the connection was refused, reset or dropped. */
export class NetworkError extends FaultlineError {
  override readonly name = 'NetworkError';
  override readonly category = 'network';
}
