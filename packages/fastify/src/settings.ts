import {
  resolveContractSettings,
  wholeLimit,
  type ContractOptions,
  type ContractSettings,
  type RouteContract,
} from '@faultline/http';
import { defaultMaxConnectionsPerClient } from '@faultline/http/node';
import type { IdempotencyMode } from '@faultline/idempotency';

/**
 * Options of the Faultline plugin: those of `@faultline/http` (catalog,
 * profile, docsUrl, contentTypes, realm, maxFieldErrors, jsonLimits,
 * classicFieldErrors) and Fastify's own. Every one has a sensible default.
 */
export interface FaultlineOptions extends ContractOptions {
  /**
   * The most connections one client address may hold open (requests pipelined
   * on a connection behind another count as one more each); past it, that
   * address alone gets 503 with `Retry-After`. Behind a trusted proxy (see
   * `trustProxy`), the most requests one forwarded address may have in flight.
   * `Infinity` turns the limit off. Default: 256, far above a browser's 6
   * connections to a host or a load generator's pool of 50 to 100.
   */
  readonly maxConnectionsPerClient?: number;
  /**
   * Set it when Fastify's own `trustProxy` is set: every connection then comes
   * from the proxy, so `maxConnectionsPerClient` counts the requests of each
   * forwarded client address (`request.ip`) instead of connections, at a small
   * cost per request. Default: false.
   */
  readonly trustProxy?: boolean;
}

/** Per-route settings, under `config.faultline` of a route: a forced profile and the route's context (see `RouteContract` of `@faultline/http`), and idempotency. */
export interface FaultlineRouteConfig extends RouteContract {
  /** Whether the route takes `Idempotency-Key`s, with the `idempotency` plugin registered: off, optional or required. */
  readonly idempotency?: IdempotencyMode;
}

/** The plugin's options with every default filled in. */
export interface FaultlineSettings extends ContractSettings {
  readonly maxConnectionsPerClient: number;
  readonly trustProxy: boolean;
}

export function resolveSettings(options: FaultlineOptions = {}): FaultlineSettings {
  return {
    ...resolveContractSettings(options),
    maxConnectionsPerClient: wholeLimit(
      'maxConnectionsPerClient',
      options.maxConnectionsPerClient ?? defaultMaxConnectionsPerClient,
    ),
    trustProxy: options.trustProxy === true,
  };
}
