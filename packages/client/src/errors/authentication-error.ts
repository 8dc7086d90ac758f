import { FaultlineError } from './faultline-error.js';

/** The credentials are missing, wrong, revoked or expired (401). */
export class AuthenticationError extends FaultlineError {
  override readonly name = 'AuthenticationError';
  override readonly category = 'authentication';
}
