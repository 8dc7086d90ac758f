import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { ContractLogger } from '../logger.js';
import { wholeLimit } from '../settings.js';
import type { ContractSettings } from '../settings.js';
import { defaultMaxConnectionsPerClient, limitConnectionsPerClient } from './client-limit.js';
import { answerClientError, answerConnect, answerIdleTimeout } from './raw-socket-responses.js';
import { limitRequestsPerClient } from './request-limit.js';
import { applyServerTimeouts, resolveServerTimeouts, type ServerTimeoutOptions } from './server-timeouts.js';

/** What {@link guardNodeServer} sets. */
export interface NodeServerGuardOptions {
  readonly settings: ContractSettings;
  readonly log: Pick<ContractLogger, 'debug'>;
  /**
   * The most connections one client address may hold; with `clientAddress`,
   * the most requests one forwarded address may have in flight. `Infinity`
   * for no cap. Default: 256.
   */
  readonly maxConnectionsPerClient?: number;
  /**
   * Behind a trusted proxy, where every connection is the proxy's: the
   * client's address as the proxy forwards it (undefined: the socket's). Given,
   * the cap counts each such address's requests in flight instead of
   * connections ({@link limitRequestsPerClient}), at a small cost per request.
   */
  readonly clientAddress?: (request: IncomingMessage) => string | undefined;
  /** The server's timeouts (each with its default). */
  readonly timeouts?: ServerTimeoutOptions;
}

/**
 * Gives a `node:http` server (Express's, `@hono/node-server`'s) the contract
 * for what never reaches the app: malformed HTTP (400), headers too large
 * (431) and requests too slow (408) answered in the app's profile instead of
 * Node's bare status; `CONNECT` refused (an API is not a proxy); an unknown
 * `Expect` passed to the app rather than answered 417 bare; the timeouts of
 * {@link resolveServerTimeouts}; and the per-address connection cap
 * ({@link limitConnectionsPerClient}), or behind a proxy (`clientAddress`)
 * the cap on each forwarded address's requests in flight. Call it once the
 * app's `request` listener is on the server.
 *
 * @example
 * ```ts
 * const server = app.listen(3000); // Express
 * guardNodeServer(server, { settings, log: pino() });
 * ```
 */
export function guardNodeServer(server: HttpServer | HttpsServer, options: NodeServerGuardOptions): void {
  const { settings, log } = options;
  const max = wholeLimit('maxConnectionsPerClient', options.maxConnectionsPerClient ?? defaultMaxConnectionsPerClient);
  applyServerTimeouts(server as HttpServer, resolveServerTimeouts(options.timeouts, 'guardNodeServer'));
  // RFC 9110 lets a server ignore an expectation it does not know: such a request goes to the app like any other.
  server.on('checkExpectation', (request, response) => server.emit('request', request, response));
  server.on('connect', answerConnect(settings, log));
  server.on('clientError', (error: Error & { code?: string }, socket) =>
    answerClientError(error, socket as Socket, settings, log, server as HttpServer),
  );
  // Listening takes over from Node's default, which destroys a silent socket without a word.
  server.on('timeout', answerIdleTimeout(settings, log));
  const { clientAddress } = options;
  if (clientAddress === undefined) limitConnectionsPerClient(server, { max, settings, log });
  else limitRequestsPerClient(server, { max, settings, clientAddress });
}
