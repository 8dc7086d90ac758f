import type { FastifyError, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { createClientErrorHandler } from './raw-socket-responses.js';
import { generateRequestId } from './request-id.js';
import { sendApiError } from './send-api-error.js';
import { settingsOf } from './settings-store.js';

export interface FaultlineServerOptions {
  /** The largest body accepted, in bytes; larger ones get 413. Default: 1 MiB. */
  readonly bodyLimit?: number;
}

/**
 * The Fastify constructor options the contract needs, because some failures
 * happen before any plugin runs: request ids, malformed URLs and requests the
 * HTTP parser rejects. Spread them into `Fastify({...})`, then register the plugin.
 */
export function faultlineServerOptions(options: FaultlineServerOptions = {}): FastifyServerOptions {
  return {
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
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
