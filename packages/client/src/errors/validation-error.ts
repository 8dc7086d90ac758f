import { FaultlineError } from './faultline-error.js';

/**
 * The request was refused as sent (400, 405, 413, 415): read `fieldErrors`
 * for every failing field by JSON pointer.
 */
export class ValidationError extends FaultlineError {
  override readonly name = 'ValidationError';
  override readonly category = 'invalid_request';
}
