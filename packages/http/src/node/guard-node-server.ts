import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { ContractLogger } from '../logger.js';
import { wholeLimit } from '../settings.js';
import type { ContractSettings } from '../settings.js';
import { defaultMaxConnectionsPerClient, limitConnectionsPerClient } from './client-limit.js';
import { answerClientError, answerConnect, answerIdleTimeout } from './raw-socket-responses.js';
import { applyServerTimeouts, resolveServerTimeouts, type ServerTimeoutOptions } from './server-timeouts.js';

/** What {@link guardNodeServer} sets. */
export interface NodeServerGuardOptions {
  readonly settings: ContractSettings;
  readonly log: Pick<ContractLogger, 'debug'>;
  /** The most connections one client address may hold; `Infinity` for no cap. Default: 256. */
  readonly maxConnectionsPerClient?: number;
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
 * ({@link limitConnectionsPerClient}). Call it once the app's `request`
 * listener is on the server.
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
  limitConnectionsPerClient(server, { max, settings, log });
}
