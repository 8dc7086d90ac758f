import { Server as HttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { answerOnSocket, answerOutsideFastify, answerStarted } from '../raw-socket-responses.js';
import { sendApiError } from '../send-api-error.js';
import type { FaultlineSettings } from '../settings.js';

/** The `Retry-After` given to an address over its limit, in seconds: its own connections end soon or time out. */
const retryAfterSeconds = 1;
/** How long a connection over the limit may take to send its request before it is answered anyway, in ms. */
const overLimitGraceMs = 1000;

/**
 * Caps what one client address holds at once, so one client (a thousand
 * sockets sending nothing, or headers and no body) cannot take every slot of
 * the server: past `maxConnectionsPerClient`, that address alone gets 503
 * `service_unavailable` with `Retry-After`.
 *
 * Served directly, the count is of connections, taken when a socket opens and
 * given back when it closes: an HTTP/1.1 connection carries one request at a
 * time, so this bounds the address's requests in flight and its idle sockets
 * together, at no cost per request. A request pipelined behind another on the
 * same connection counts as one more until it is answered. A connection over
 * the limit has its first request answered with the 503 and is closed; one
 * that sends no request within a second gets the 503 all the same.
 *
 * Behind a trusted proxy (`trustProxy` in the plugin options, as in Fastify's),
 * every connection is the proxy's, so connections are not counted: the cap is
 * on the requests each client address (`request.ip`, from the forwarded
 * headers) has in flight, counted per request.
 */
export function limitClients(fastify: FastifyInstance, settings: FaultlineSettings): void {
  if (!Number.isFinite(settings.maxConnectionsPerClient)) return;
  const server: unknown = fastify.server;
  if (!settings.trustProxy && (server instanceof HttpServer || server instanceof HttpsServer)) {
    limitConnectionsPerClient(fastify, server, settings);
  } else {
    limitRequestsPerClient(fastify, settings);
  }
}

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

function limitConnectionsPerClient(
  fastify: FastifyInstance,
  server: HttpServer | HttpsServer,
  settings: FaultlineSettings,
): void {
  const max = settings.maxConnectionsPerClient;
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
    const retryAt = new Date(Date.now() + retryAfterSeconds * 1000);
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
    answerOnSocket(socket, refusal(socket[kRefused] ?? max), settings, fastify.log);
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

  // Ahead of Fastify's own handler: a connection within the limit costs one property read per request.
  for (const handler of server.listeners('request') as ((request: IncomingMessage, response: ServerResponse) => void)[]) {
    server.removeListener('request', handler);
    server.on('request', function limitConnectionsPerClient(this: HttpServer, request, response) {
      const socket = request.socket as Counted;
      const refused = socket[kRefused];
      if (refused !== undefined) {
        if (socket.writableEnded) response.destroy();
        else answerOutsideFastify(response, refusal(refused), settings);
        return;
      }
      // Node assigns the socket to a response only once the responses before it on that socket are sent.
      if (response.socket === null) {
        const address = socket[kAddress];
        if (address !== undefined) {
          const count = held.get(address) ?? 0;
          if (count >= max) {
            answerOutsideFastify(response, refusal(count), settings);
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

const kClient = Symbol('faultline.clientLimit.client');
type CountedResponse = ServerResponse & { [kClient]?: string | undefined };

/** Behind a trusted proxy: the requests in flight of each forwarded client address. */
function limitRequestsPerClient(fastify: FastifyInstance, settings: FaultlineSettings): void {
  const max = settings.maxConnectionsPerClient;
  const inFlight = new Map<string, number>();

  function release(this: CountedResponse): void {
    const address = this[kClient];
    if (address === undefined) return;
    this[kClient] = undefined;
    const count = (inFlight.get(address) ?? 1) - 1;
    if (count <= 0) inFlight.delete(address);
    else inFlight.set(address, count);
  }

  fastify.addHook('onRequest', function limitRequestsPerClient(request, reply, done) {
    const address = request.ip;
    const count = inFlight.get(address) ?? 0;
    if (count < max) {
      inFlight.set(address, count + 1);
      const raw = reply.raw as CountedResponse;
      raw[kClient] = address;
      raw.on('close', release);
      done();
      return;
    }
    const retryAt = new Date(Date.now() + retryAfterSeconds * 1000);
    // Sent here, not passed to `done`: a client flooding the server should not flood the log as well.
    sendApiError(
      reply,
      settings.catalog.error('service_unavailable', {
        detail: `This client address already has ${count} requests in flight, the most one address may have (maxConnectionsPerClient ${max}, counted per request behind a trusted proxy); wait for some to finish and try again after ${retryAt.toISOString()}.`,
        retryAt,
      }),
      settings,
    );
  });
}
