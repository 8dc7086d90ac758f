import { Server as HttpServer } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import { limitConnectionsPerClient, RequestsPerClient } from '@faultline/http/node';
import type { FastifyInstance } from 'fastify';
import { sendApiError } from '../send-api-error.js';
import type { FaultlineSettings } from '../settings.js';

/**
 * Caps what one client address holds at once, so one client (a thousand
 * sockets sending nothing, or headers and no body) cannot take every slot of
 * the server: past `maxConnectionsPerClient`, that address alone gets 503
 * `service_unavailable` with `Retry-After`.
 *
 * Served directly, the count is of connections (`limitConnectionsPerClient`
 * of `@faultline/http/node`, on the app's server): an HTTP/1.1 connection
 * carries one request at a time, so this bounds the address's requests in
 * flight and its idle sockets together, at no cost per request.
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
    limitConnectionsPerClient(server, { max: settings.maxConnectionsPerClient, settings, log: fastify.log });
  } else {
    limitRequestsPerClient(fastify, settings);
  }
}

/** Behind a trusted proxy: the requests in flight of each forwarded client address. */
function limitRequestsPerClient(fastify: FastifyInstance, settings: FaultlineSettings): void {
  const perClient = new RequestsPerClient(settings.maxConnectionsPerClient, settings.catalog);
  fastify.addHook('onRequest', function limitRequestsPerClient(request, reply, done) {
    const refusal = perClient.admit(request.ip, reply.raw);
    // Sent here, not passed to `done`: a client flooding the server should not flood the log as well.
    if (refusal === undefined) done();
    else sendApiError(reply, refusal, settings);
  });
}
