import { resolveContractSettings, wholeLimit, type ContractOptions, type ContractSettings } from '@faultline/http';
import { defaultMaxConnectionsPerClient, type ServerTimeoutOptions } from '@faultline/http/node';
import type { Logger } from './logger.js';

/** Options of {@link faultline}: the framework-neutral ones of `@faultline/http`, and those of an Express app. */
export interface FaultlineExpressOptions extends ContractOptions {
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
  /**
   * The most connections one client address may hold open, enforced by
   * `attach`; past it, that address alone gets 503 with `Retry-After`. With
   * `trustProxy`, the most requests one forwarded address may have in flight.
   * `Infinity` turns the cap off. Default: 256.
   */
  readonly maxConnectionsPerClient?: number;
  /**
   * Set it when Express's own `trust proxy` setting is set: every connection
   * then comes from the proxy, so `maxConnectionsPerClient` counts the
   * requests in flight of each forwarded client address (`req.ip`, as Express
   * resolves it) instead of connections, at a small cost per request; the
   * count is kept by `start`, and `attach` no longer counts connections.
   * Default: false.
   */
  readonly trustProxy?: boolean;
  /** The HTTP server's timeouts, set by `attach` (headers 10 s, request 30 s, idle 60 s, keep-alive 72 s). */
  readonly timeouts?: ServerTimeoutOptions;
}

/** The contract's settings, every default filled in. */
export interface FaultlineExpressSettings extends ContractSettings {
  readonly bodyLimit: number;
  readonly maxConnectionsPerClient: number;
  readonly trustProxy: boolean;
}

export function resolveSettings(options: FaultlineExpressOptions): FaultlineExpressSettings {
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;
  if (!(Number.isInteger(bodyLimit) && bodyLimit >= 1))
    throw new TypeError(`The Faultline option bodyLimit must be a whole number of bytes from 1, not ${String(bodyLimit)}.`);
  const maxConnectionsPerClient = wholeLimit(
    'maxConnectionsPerClient',
    options.maxConnectionsPerClient ?? defaultMaxConnectionsPerClient,
  );
  if (options.trustProxy !== undefined && typeof options.trustProxy !== 'boolean')
    throw new TypeError(
      `The Faultline option trustProxy is true or false (set Express's own 'trust proxy' to say which proxies), not ${JSON.stringify(options.trustProxy)}.`,
    );
  return { ...resolveContractSettings(options), bodyLimit, maxConnectionsPerClient, trustProxy: options.trustProxy === true };
}
