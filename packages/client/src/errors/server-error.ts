import { FaultlineError } from './faultline-error.js';

/** The server failed (5xx); retried when safe before it reaches you. */
export class ServerError extends FaultlineError {
  override readonly name = 'ServerError';
  override readonly category = 'server';
}
