import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { ApiError, statusName, writeErrorResponse } from '@faultline/core';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { FaultlineSettings } from './settings.js';

/**
 * Some requests never reach Fastify: Node's HTTP parser rejects them (a
 * malformed request line, bad header syntax, headers too large, a request
 * that took too long), or Node hands them to a `connect` listener. Left alone,
 * Node or Fastify answer with a body of their own, or not at all; these write
 * a catalog error in the app's profile straight to the socket and close it.
 */
export function createClientErrorHandler(settingsOf: (server: FastifyInstance) => FaultlineSettings | undefined) {
  return function clientErrorHandler(this: FastifyInstance, error: Error & { code?: string }, socket: Socket): void {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const settings = settingsOf(this);
    if (settings === undefined || !socket.writable) {
      socket.destroy(error);
      return;
    }
    const { catalog } = settings;
    const failure =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? catalog.error('request_timeout', { detail: 'The request did not arrive in time.' })
        : error.code === 'HPE_HEADER_OVERFLOW'
          ? new ApiError('request_too_large', 431, 'The request headers are larger than the server accepts.')
          : catalog.error('invalid_request', { detail: 'The request is not well-formed HTTP.' });
    endWithError(socket, failure, settings, this.log, error);
  };
}

/** CONNECT asks for a tunnel; an API is not a proxy. */
export function answerConnect(settings: FaultlineSettings, log: FastifyBaseLogger) {
  return (_request: IncomingMessage, socket: Socket): void => {
    const failure = settings.catalog.error('invalid_request', {
      detail: 'CONNECT is not supported: this server is an API, not a proxy.',
    });
    endWithError(socket, failure, settings, log);
  };
}

function endWithError(
  socket: Socket,
  failure: ApiError,
  settings: FaultlineSettings,
  log: FastifyBaseLogger,
  cause?: Error,
): void {
  const requestId = randomUUID();
  const { catalog, profile, docsUrl, classicFieldErrors } = settings;
  const response = writeErrorResponse(failure, { catalog, profile, requestId, docsUrl, classicFieldErrors });
  if (response === undefined || !socket.writable) {
    socket.destroy(cause);
    return;
  }
  const headers = {
    ...response.headers,
    'x-request-id': requestId,
    'content-length': String(Buffer.byteLength(response.body)),
    connection: 'close',
  };
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n');
  log.debug({ err: cause, requestId, code: failure.code }, 'Answered a request that never reached a route');
  socket.end(`HTTP/1.1 ${response.status} ${statusName(response.status)}\r\n${head}\r\n\r\n${response.body}`);
}
