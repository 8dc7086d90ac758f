import { FaultlineError } from './faultline-error.js';

/** The request clashes with the current state of the resource (409). */
export class ConflictError extends FaultlineError {
  override readonly name = 'ConflictError';
  override readonly category = 'conflict';
}
