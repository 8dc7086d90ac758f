import type { IncomingMessage, Server } from 'node:http';
import { requestIdFor, requestIdHeader } from '@faultline/http';
import { resolveServerTimeouts, type ServerTimeoutOptions } from '@faultline/http/node';
import type { FastifyError, FastifyHttpOptions, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { createClientErrorHandler } from './client-error-handler.js';
import { sendApiError } from './send-api-error.js';
import { settingsOf } from './settings-store.js';

/** The server's timeouts (see `ServerTimeoutOptions` of `@faultline/http/node`) and its body limit. */
export interface FaultlineServerOptions extends ServerTimeoutOptions {
  /** The largest body accepted, in bytes; larger ones get 413. Default: 1 MiB. */
  readonly bodyLimit?: number;
}

/** Fastify's `genReqId`: the caller's id when well formed, a fresh UUID otherwise. */
function generateRequestId(request: IncomingMessage): string {
  return requestIdFor(request.headers[requestIdHeader]);
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
  const timeouts = resolveServerTimeouts(options, 'faultlineServerOptions');
  return {
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    requestTimeout: timeouts.requestTimeoutMs,
    connectionTimeout: timeouts.idleTimeoutMs,
    keepAliveTimeout: timeouts.keepAliveTimeoutMs,
    http: {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      // Node looks for expired requests every 30 s by default, too coarse for a 10 s timeout.
      connectionsCheckingInterval: timeouts.connectionsCheckingIntervalMs,
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
