import type { Logger } from './logger.js';
import { resolveHttpSettings, type HttpOptions, type HttpSettings } from './neutral.js';

/** Options of {@link faultline}: the framework-neutral ones of `@faultline/http`, and Express's own. */
export interface FaultlineExpressOptions extends HttpOptions {
  /** The largest body the `json()` parser reads, in bytes; larger ones get 413. Default: 1 MiB. */
  readonly bodyLimit?: number;
  /**
   * Where unexpected errors are logged in full (and store failures, and 5xx
   * the app answered on purpose, as warnings): a pino logger, or anything
   * with pino's `error(fields, message)` and `warn(fields, message)`. A
   * request with pino-http's `req.log` is logged there. Default: JSON lines
   * on stderr.
   */
  readonly logger?: Logger;
}

/** The contract's settings, every default filled in. */
export interface ContractSettings extends HttpSettings {
  readonly bodyLimit: number;
}

const defaultBodyLimit = 1024 * 1024;

export function resolveContractSettings(options: FaultlineExpressOptions): ContractSettings {
  const bodyLimit = options.bodyLimit ?? defaultBodyLimit;
  if (!(Number.isInteger(bodyLimit) && bodyLimit >= 1))
    throw new TypeError(`The Faultline option bodyLimit must be a whole number of bytes from 1, not ${String(bodyLimit)}.`);
  return { ...resolveHttpSettings(options), bodyLimit };
}
