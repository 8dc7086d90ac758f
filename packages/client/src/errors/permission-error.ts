import { FaultlineError } from './faultline-error.js';

/** The credentials are valid but may not do this (403). */
export class PermissionError extends FaultlineError {
  override readonly name = 'PermissionError';
  override readonly category = 'permission';
}
