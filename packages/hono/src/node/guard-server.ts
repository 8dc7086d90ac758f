import type { Server as HttpServer } from 'node:http';
import type { Http2SecureServer, Http2Server } from 'node:http2';
import type { Server as HttpsServer } from 'node:https';
import { guardNodeServer, type NodeServerGuardOptions } from '@faultline/http/node';
import type { FaultlineSettings } from '../settings.js';
import { forwardedClientAddress, type TrustProxy } from './trust-proxy.js';

/** Options of {@link guardServer}: the cap and the timeouts of `guardNodeServer` in `@faultline/http/node`, and the proxies to trust. */
export interface GuardServerOptions extends Omit<NodeServerGuardOptions, 'settings' | 'log' | 'clientAddress'> {
  /**
   * Behind a reverse proxy, every connection is the proxy's: say which
   * proxies to trust (the values of Fastify's `trustProxy` and Express's
   * `trust proxy`: `true`, a number of hops, addresses or subnets, a
   * function), and `maxConnectionsPerClient` counts the requests in flight
   * of each forwarded client address (from `X-Forwarded-For`) instead of
   * connections, at a small cost per request. Default: false, the
   * connections of each socket address are counted.
   */
  readonly trustProxy?: TrustProxy;
}

/**
 * Gives the server `@hono/node-server` started the contract for what never
 * reaches Hono: the per-address connection cap (past it, that address alone
 * gets 503 with `Retry-After`; behind a proxy, with `trustProxy`, the cap is
 * on each forwarded address's requests in flight), malformed HTTP (400),
 * headers too large (431) and requests too slow (408) answered in the app's
 * profile instead of Node's bare status, `CONNECT` refused, and the server's
 * timeouts. `settings` is what {@link faultline} returned. It takes what `serve()` returns as it is
 * typed, but only an HTTP/1.1 server (`http` or `https`): an HTTP/2 one is
 * refused with a TypeError, since its sessions need other guards.
 *
 * @example
 * ```ts
 * import { serve } from '@hono/node-server';
 * import { guardServer } from '@faultline/hono/node';
 *
 * const settings = faultline(app, { profile: 'problem' });
 * const server = serve({ fetch: app.fetch, port: 3000 });
 * guardServer(server, settings, { maxConnectionsPerClient: 64 });
 * // Or, behind one reverse proxy on this host, 64 requests in flight per forwarded client address:
 * // guardServer(server, settings, { maxConnectionsPerClient: 64, trustProxy: 'loopback' });
 * ```
 */
export function guardServer(
  server: HttpServer | HttpsServer | Http2Server | Http2SecureServer,
  settings: FaultlineSettings,
  options: GuardServerOptions = {},
): void {
  // HTTP/1.1 servers, plain or TLS, have the parser's timeouts; HTTP/2 servers do not.
  if (!('headersTimeout' in server)) {
    throw new TypeError('guardServer works on an HTTP/1.1 server (node:http or node:https); this one serves HTTP/2.');
  }
  const { trustProxy = false, ...guard } = options;
  const clientAddress = forwardedClientAddress(trustProxy);
  guardNodeServer(server, {
    ...guard,
    ...(clientAddress === undefined ? {} : { clientAddress }),
    settings,
    log: settings.logger,
  });
}
