import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { ContractLogger } from '../logger.js';
import type { ContractSettings } from '../settings.js';
import { answerOnSocket, answerOutsideApp, answerStarted } from './raw-socket-responses.js';

/** The `Retry-After` given to an address over its limit, in seconds: its own connections end soon or time out. */
export const clientLimitRetryAfterSeconds = 1;
/** How long a connection over the limit may take to send its request before it is answered anyway, in ms. */
const overLimitGraceMs = 1000;

/** The default of `maxConnectionsPerClient`: far above a browser's 6 connections to a host or a load generator's pool of 50 to 100. */
export const defaultMaxConnectionsPerClient = 256;

const kAddress = Symbol('faultline.clientLimit.address');
const kQueued = Symbol('faultline.clientLimit.queued');
const kRefused = Symbol('faultline.clientLimit.refused');
type Counted = Socket & {
  /** The address a counted connection holds a slot of, until it closes. */
  [kAddress]?: string | undefined;
  /** Requests pipelined behind the one being answered, each holding one more slot. */
  [kQueued]?: number;
  /** On a connection over the limit: what its address held when it opened. */
  [kRefused]?: number;
};

/**
 * Caps the connections one client address holds on a `node:http` or
 * `node:https` server, so one client (a thousand sockets sending nothing, or
 * headers and no body) cannot take every slot of the server: past `max`, that
 * address alone gets 503 `service_unavailable` with `Retry-After`.
 *
 * The count is taken when a socket opens and given back when it closes: an
 * HTTP/1.1 connection carries one request at a time, so this bounds the
 * address's requests in flight and its idle sockets together, at no cost per
 * request. A request pipelined behind another on the same connection counts as
 * one more until it is answered. A connection over the limit has its first
 * request answered with the 503 and is closed; one that sends no request
 * within a second gets the 503 all the same.
 *
 * Call it once the app's `request` listener is on the server (after
 * `http.createServer(app)` or `app.listen()`): it goes ahead of it. Behind a
 * proxy every connection is the proxy's: count each forwarded address's
 * requests instead (`RequestsPerClient`, `limitRequestsPerClient`). `max` of
 * `Infinity` does nothing.
 *
 * @example
 * ```ts
 * const server = http.createServer(app);
 * limitConnectionsPerClient(server, { max: 256, settings, log });
 * ```
 */
export function limitConnectionsPerClient(
  server: HttpServer | HttpsServer,
  options: { readonly max: number; readonly settings: ContractSettings; readonly log: Pick<ContractLogger, 'debug'> },
): void {
  const { max, settings, log } = options;
  if (!Number.isFinite(max)) return;
  const held = new Map<string, number>();
  const give = (address: string, count: number) => {
    const left = (held.get(address) ?? count) - count;
    if (left <= 0) held.delete(address);
    else held.set(address, left);
  };

  // One listener function for every socket: counting a connection allocates nothing but the map entry.
  function release(this: Counted): void {
    const address = this[kAddress];
    if (address === undefined) return;
    this[kAddress] = undefined;
    give(address, 1 + (this[kQueued] ?? 0));
    this[kQueued] = 0;
  }

  const refusal = (count: number) => {
    const retryAt = new Date(Date.now() + clientLimitRetryAfterSeconds * 1000);
    return settings.catalog.error('service_unavailable', {
      detail: `This client address already holds ${count} connections (requests pipelined on them included), the most one address may hold (maxConnectionsPerClient ${max}); close idle connections or wait for answers, and try again after ${retryAt.toISOString()}.`,
      retryAt,
    });
  };

  /** A connection over the limit that sent no request in time: answered on the socket, then closed. */
  const answerSilent = (socket: Counted) => {
    if (socket.destroyed) return;
    if (socket.writableEnded || answerStarted(socket)) {
      socket.destroy();
      return;
    }
    answerOnSocket(socket, refusal(socket[kRefused] ?? max), settings, log);
  };

  // Over TLS, requests arrive on the TLS socket, not on the TCP one under it.
  const event = server instanceof HttpsServer ? 'secureConnection' : 'connection';
  server.on(event, (socket: Counted) => {
    const address = socket.remoteAddress;
    if (address === undefined) return;
    const count = held.get(address) ?? 0;
    if (count < max) {
      held.set(address, count + 1);
      socket[kAddress] = address;
      socket.once('close', release);
      return;
    }
    socket[kRefused] = count;
    const timer = setTimeout(answerSilent, overLimitGraceMs, socket);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  });

  // Ahead of the app's own handler: a connection within the limit costs one property read per request.
  for (const handler of server.listeners('request') as ((request: IncomingMessage, response: ServerResponse) => void)[]) {
    server.removeListener('request', handler);
    server.on('request', function limitConnectionsPerClient(this: HttpServer, request, response) {
      const socket = request.socket as Counted;
      const refused = socket[kRefused];
      if (refused !== undefined) {
        if (socket.writableEnded) response.destroy();
        else answerOutsideApp(response, refusal(refused), settings);
        return;
      }
      // Node assigns the socket to a response only once the responses before it on that socket are sent.
      if (response.socket === null) {
        const address = socket[kAddress];
        if (address !== undefined) {
          const count = held.get(address) ?? 0;
          if (count >= max) {
            answerOutsideApp(response, refusal(count), settings);
            return;
          }
          held.set(address, count + 1);
          socket[kQueued] = (socket[kQueued] ?? 0) + 1;
          response.once('finish', () => {
            // A socket closed first gave back its queued slots with its own.
            if (socket[kAddress] === undefined || !(socket[kQueued]! > 0)) return;
            socket[kQueued]! -= 1;
            give(address, 1);
          });
        }
      }
      handler.call(this, request, response);
    });
  }
}
