import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { ApiError, Catalog } from '@faultline/core';
import type { ContractSettings } from '../settings.js';
import { clientLimitRetryAfterSeconds } from './client-limit.js';
import { answerOutsideApp } from './raw-socket-responses.js';

const kClient = Symbol('faultline.requestLimit.client');
type CountedResponse = ServerResponse & { [kClient]?: string | undefined };

/**
 * The per-address cap behind a trusted proxy, for any framework on Node.js:
 * every connection is the proxy's, so what is counted is the requests each
 * forwarded client address has in flight. {@link RequestsPerClient.admit}
 * takes a slot for a request, given back when its response closes, or gives
 * the 503 `service_unavailable` (with `Retry-After`) to refuse it with. The
 * address is the framework's (Fastify's and Express's `request.ip`, resolved
 * by their own `trustProxy` / `trust proxy`).
 *
 * @example
 * ```ts
 * const perClient = new RequestsPerClient(256, settings.catalog);
 * const refusal = perClient.admit(request.ip, response);
 * if (refusal !== undefined) return answer(refusal);
 * ```
 */
export class RequestsPerClient {
  readonly #max: number;
  readonly #catalog: Catalog;
  readonly #inFlight = new Map<string, number>();
  /** One listener function for every response: counting a request allocates nothing but the map entry. */
  readonly #release: (this: CountedResponse) => void;

  constructor(max: number, catalog: Catalog) {
    this.#max = max;
    this.#catalog = catalog;
    const inFlight = this.#inFlight;
    this.#release = function release(this: CountedResponse): void {
      const address = this[kClient];
      if (address === undefined) return;
      this[kClient] = undefined;
      const count = (inFlight.get(address) ?? 1) - 1;
      if (count <= 0) inFlight.delete(address);
      else inFlight.set(address, count);
    };
  }

  /**
   * Counts the request of `response` against `address` until the response
   * closes; or, when that address already has the most it may, the error to
   * answer with (the request is then not counted).
   */
  admit(address: string, response: ServerResponse): ApiError | undefined {
    const count = this.#inFlight.get(address) ?? 0;
    if (count >= this.#max) {
      const retryAt = new Date(Date.now() + clientLimitRetryAfterSeconds * 1000);
      return this.#catalog.error('service_unavailable', {
        detail: `This client address already has ${count} ${count === 1 ? 'request' : 'requests'} in flight, the most one address may have (maxConnectionsPerClient ${this.#max}, counted per request behind a trusted proxy); wait for some to finish and try again after ${retryAt.toISOString()}.`,
        retryAt,
      });
    }
    this.#inFlight.set(address, count + 1);
    (response as CountedResponse)[kClient] = address;
    response.once('close', this.#release);
    return undefined;
  }
}

/**
 * {@link RequestsPerClient} on a `node:http` or `node:https` server, ahead of
 * the app's `request` listener, for a framework that has no client address of
 * its own (Hono): `clientAddress` reads it from the request (the forwarded
 * headers your proxy sets); when it gives undefined, the socket's address
 * counts. A refused request is answered in the app's default profile and its
 * connection closed. Call it once the app's listener is on the server.
 * `max` of `Infinity` does nothing.
 *
 * @example
 * ```ts
 * limitRequestsPerClient(server, { max: 256, settings, clientAddress: (request) => forwardedFor(request) });
 * ```
 */
export function limitRequestsPerClient(
  server: HttpServer | HttpsServer,
  options: {
    readonly max: number;
    readonly settings: ContractSettings;
    readonly clientAddress: (request: IncomingMessage) => string | undefined;
  },
): void {
  const { max, settings, clientAddress } = options;
  if (!Number.isFinite(max)) return;
  const perClient = new RequestsPerClient(max, settings.catalog);
  for (const handler of server.listeners('request') as ((request: IncomingMessage, response: ServerResponse) => void)[]) {
    server.removeListener('request', handler);
    server.on('request', function limitRequestsPerClient(this: HttpServer, request, response) {
      const address = clientAddress(request) ?? request.socket.remoteAddress ?? '';
      const refusal = perClient.admit(address, response);
      if (refusal !== undefined) {
        answerOutsideApp(response, refusal, settings);
        return;
      }
      handler.call(this, request, response);
    });
  }
}
