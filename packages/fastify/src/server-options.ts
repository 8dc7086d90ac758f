import type { Server } from 'node:http';
import type { FastifyError, FastifyHttpOptions, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { createClientErrorHandler } from './raw-socket-responses.js';
import { generateRequestId } from './request-id.js';
import { sendApiError } from './send-api-error.js';
import { settingsOf } from './settings-store.js';

export interface FaultlineServerOptions {
  /** The largest body accepted, in bytes; larger ones get 413. Default: 1 MiB. */
  readonly bodyLimit?: number;
  /** How long a client has to send the request line and headers, in ms; then 408. Default: 10 s. */
  readonly headersTimeoutMs?: number;
  /** How long a client has to send the whole request, body included, in ms; then 408. Default: 30 s. */
  readonly requestTimeoutMs?: number;
  /**
   * How long a connection may stay silent, in ms, while a request is being sent
   * or answered (a stalled body, a client that stops reading); then 408 when the
   * socket can still carry it, else the socket is closed. Default: 60 s.
   */
  readonly idleTimeoutMs?: number;
  /** How long an idle keep-alive connection is kept between requests, in ms. Default: 72 s (longer than the 60 s of common load balancers). */
  readonly keepAliveTimeoutMs?: number;
}

/** The defaults of {@link FaultlineServerOptions}, in milliseconds. */
export const defaultServerTimeouts = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  keepAliveTimeoutMs: 72_000,
} as const;

function timeout(options: FaultlineServerOptions, name: keyof typeof defaultServerTimeouts): number {
  const value = options[name] ?? defaultServerTimeouts[name];
  if (!Number.isInteger(value) || value <= 0)
    throw new TypeError(`faultlineServerOptions: ${name} must be a positive whole number of milliseconds, not ${value}.`);
  return value;
}

/**
 * The Fastify constructor options the contract needs, because some failures
 * happen before any plugin runs: request ids, malformed URLs, requests the
 * HTTP parser rejects, and clients too slow to finish a request. Spread them
 * into `Fastify({...})`, then register the plugin.
 *
 * @example
 * const app = Fastify({ ...faultlineServerOptions({ requestTimeoutMs: 20_000 }), logger: true });
 * await app.register(faultline);
 */
export function faultlineServerOptions(options: FaultlineServerOptions = {}): FastifyHttpOptions<Server> {
  const headersTimeout = timeout(options, 'headersTimeoutMs');
  const requestTimeout = timeout(options, 'requestTimeoutMs');
  if (headersTimeout > requestTimeout)
    throw new TypeError(
      `faultlineServerOptions: headersTimeoutMs (${headersTimeout}) cannot be longer than requestTimeoutMs (${requestTimeout}), which includes the headers.`,
    );
  return {
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    requestTimeout,
    connectionTimeout: timeout(options, 'idleTimeoutMs'),
    keepAliveTimeout: timeout(options, 'keepAliveTimeoutMs'),
    http: {
      headersTimeout,
      requestTimeout,
      // Node looks for expired requests every 30 s by default, too coarse for a 10 s timeout.
      connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(headersTimeout / 4))),
    },
    genReqId: generateRequestId,
    requestIdHeader: false,
    // A body with a `__proto__` or `constructor.prototype` key is refused, never merged.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const settings = settingsOf(request.server);
      if (settings === undefined) {
        void reply.code(400).send({ message: error.message });
        return;
      }
      const detail =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? 'A path parameter is longer than the server accepts.'
          : 'The request path is not a valid URL: check its percent-encoding.';
      sendApiError(reply, settings.catalog.error('invalid_request', { detail }), settings);
    },
    clientErrorHandler: createClientErrorHandler(settingsOf) as NonNullable<FastifyServerOptions['clientErrorHandler']>,
  };
}
