import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { sendApiError } from '../send-api-error.js';
import type { FaultlineSettings } from '../settings.js';

const kClient = Symbol('faultline.clientLimit.address');
type Counted = ServerResponse & { [kClient]?: string | undefined };

/** The `Retry-After` given to an address over its limit, in seconds: its own requests end soon or time out. */
const retryAfterSeconds = 1;

/**
 * Caps the requests one client address has in flight, from the moment its
 * headers arrive until its response closes, so one client (a thousand
 * sockets sending headers and no body, say) cannot take every slot of the
 * server: past `maxRequestsPerClient`, that address alone gets 503
 * `service_unavailable` with `Retry-After`. The address is `request.ip`,
 * which follows Fastify's `trustProxy`: behind a proxy, trust it, or every
 * client shares the proxy's address and its limit.
 */
export function limitRequestsPerClient(fastify: FastifyInstance, settings: FaultlineSettings): void {
  const max = settings.maxRequestsPerClient;
  if (!Number.isFinite(max)) return;
  const inFlight = new Map<string, number>();

  // One listener function for every response: counting a request allocates nothing but the map entry.
  function release(this: Counted): void {
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
      const raw = reply.raw as Counted;
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
        detail: `This client address already has ${count} requests in flight, the most one address may have (maxRequestsPerClient ${max}); wait for some to finish and try again after ${retryAt.toISOString()}.`,
        retryAt,
      }),
      settings,
    );
  });
}
