import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
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
    if (settings === undefined || !socket.writable || answerStarted(socket)) {
      socket.destroy(error);
      return;
    }
    const { catalog } = settings;
    const failure =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? catalog.error('request_timeout', { detail: timeoutDetail(this.server) })
        : error.code === 'HPE_HEADER_OVERFLOW'
          ? new ApiError('request_too_large', 431, 'The request headers are larger than the server accepts.')
          : catalog.error('invalid_request', { detail: 'The request is not well-formed HTTP.' });
    endWithError(socket, failure, settings, this.log, error);
  };
}

/** Names the bounds a client missed, from the server's own settings. */
function timeoutDetail(server: Server): string {
  const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
  return `The request did not arrive in time: this server waits ${seconds(server.headersTimeout)} for the headers and ${seconds(server.requestTimeout)} for the whole request.`;
}

/** A socket whose response has begun cannot carry another: its client would read a corrupt answer. */
export function answerStarted(socket: Socket): boolean {
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  return inFlight?.headersSent === true;
}

/**
 * A connection silent for longer than the idle timeout (Fastify's
 * `connectionTimeout`): a body that stopped arriving, or a client that stopped
 * reading. With a request still arriving and no answer begun, it gets a 408;
 * otherwise (idle between requests, or an answer under way) it is simply closed.
 */
export function answerIdleTimeout(settings: FaultlineSettings, log: FastifyBaseLogger) {
  return (socket: Socket): void => {
    if (socket.destroyed) return;
    const pending = (socket as Socket & { parser?: { incoming?: IncomingMessage | null } | null }).parser?.incoming;
    if (pending === undefined || pending === null || pending.complete || !socket.writable || answerStarted(socket)) {
      socket.destroy();
      return;
    }
    const failure = settings.catalog.error('request_timeout', {
      detail: `The connection was silent for ${Math.round(socket.timeout ?? 0) / 1000} s, longer than the server waits; send the rest of the request promptly.`,
    });
    endWithError(socket, failure, settings, log);
    // A client that neither reads nor closes does not keep the socket.
    setTimeout(() => socket.destroy(), 1000).unref();
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

/**
 * Answers on a socket no request of which reached Fastify (a connection over
 * its address's limit that sent nothing), then closes it; a client that
 * neither reads nor closes does not keep it.
 */
export function answerOnSocket(socket: Socket, failure: ApiError, settings: FaultlineSettings, log: FastifyBaseLogger): void {
  endWithError(socket, failure, settings, log);
  setTimeout(() => socket.destroy(), 1000).unref();
}

/**
 * Answers a request Node parsed but Fastify is not to handle (a connection
 * over its address's limit), in the app's profile, and closes the connection.
 */
export function answerOutsideFastify(response: ServerResponse, failure: ApiError, settings: FaultlineSettings): void {
  const requestId = randomUUID();
  const { catalog, profile, docsUrl, classicFieldErrors } = settings;
  const written = writeErrorResponse(failure, { catalog, profile, requestId, docsUrl, classicFieldErrors });
  if (written === undefined) {
    response.destroy();
    return;
  }
  response.writeHead(written.status, {
    ...written.headers,
    'x-request-id': requestId,
    'content-length': String(Buffer.byteLength(written.body)),
    connection: 'close',
  });
  response.end(written.body);
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
