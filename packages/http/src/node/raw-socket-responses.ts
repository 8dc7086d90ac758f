import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ApiError, statusName, writeErrorResponse } from '@faultline/core';
import type { ContractLogger } from '../logger.js';
import type { ContractSettings } from '../settings.js';

type DebugLog = Pick<ContractLogger, 'debug'>;

/**
 * Some requests never reach the app: Node's HTTP parser rejects them (a
 * malformed request line, bad header syntax, headers too large, a request
 * that took too long). Left alone, Node answers with a bare status, or not at
 * all; this writes a catalog error in the app's profile straight to the
 * socket and closes it. Listen with it on a server's `clientError` event
 * (see {@link guardNodeServer}, which does), or call it from a framework's
 * own client-error hook.
 *
 * @example
 * ```ts
 * server.on('clientError', (error, socket) => answerClientError(error, socket, settings, log, server));
 * ```
 */
export function answerClientError(
  error: Error & { code?: string },
  socket: Socket,
  settings: ContractSettings,
  log: DebugLog,
  server: Server,
): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (!socket.writable || answerStarted(socket)) {
    socket.destroy(error);
    return;
  }
  const { catalog } = settings;
  const failure =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? catalog.error('request_timeout', { detail: timeoutDetail(server) })
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? new ApiError('request_too_large', 431, 'The request headers are larger than the server accepts.')
        : catalog.error('invalid_request', { detail: 'The request is not well-formed HTTP.' });
  endWithError(socket, failure, settings, log, error);
}

/** Names the bounds a client missed, from the server's own settings. */
function timeoutDetail(server: Server): string {
  const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
  return `The request did not arrive in time: this server waits ${seconds(server.headersTimeout)} for the headers and ${seconds(server.requestTimeout)} for the whole request.`;
}

/**
 * Whether a response has begun on a socket: it cannot carry another, its
 * client would read a corrupt answer.
 *
 * @example
 * ```ts
 * if (!answerStarted(socket)) answerOnSocket(socket, error, settings, log);
 * ```
 */
export function answerStarted(socket: Socket): boolean {
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  return inFlight?.headersSent === true;
}

/**
 * A connection silent for longer than the idle timeout (the server's
 * `setTimeout`, Fastify's `connectionTimeout`): a body that stopped arriving, or a client that stopped
 * reading. With a request still arriving and no answer begun, it gets a 408;
 * otherwise (idle between requests, or an answer under way) it is simply closed.
 * Listen with it on the server's `timeout` event, which takes over from
 * Node's default of destroying the socket without a word.
 *
 * @example
 * ```ts
 * server.on('timeout', answerIdleTimeout(settings, log));
 * ```
 */
export function answerIdleTimeout(settings: ContractSettings, log: DebugLog) {
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

/**
 * CONNECT asks for a tunnel; an API is not a proxy: 400 on the socket.
 *
 * @example
 * ```ts
 * server.on('connect', answerConnect(settings, log));
 * ```
 */
export function answerConnect(settings: ContractSettings, log: DebugLog) {
  return (_request: IncomingMessage, socket: Socket): void => {
    const failure = settings.catalog.error('invalid_request', {
      detail: 'CONNECT is not supported: this server is an API, not a proxy.',
    });
    endWithError(socket, failure, settings, log);
  };
}

/**
 * Answers on a socket no request of which reached the app (a connection over
 * its address's limit that sent nothing), then closes it; a client that
 * neither reads nor closes does not keep it.
 *
 * @example
 * ```ts
 * answerOnSocket(socket, settings.catalog.error('service_unavailable'), settings, log);
 * ```
 */
export function answerOnSocket(socket: Socket, failure: ApiError, settings: ContractSettings, log: DebugLog): void {
  endWithError(socket, failure, settings, log);
  setTimeout(() => socket.destroy(), 1000).unref();
}

/**
 * Answers a request Node parsed but the app is not to handle (a connection
 * over its address's limit), in the app's profile, and closes the connection.
 *
 * @example
 * ```ts
 * answerOutsideApp(response, settings.catalog.error('service_unavailable'), settings);
 * ```
 */
export function answerOutsideApp(response: ServerResponse, failure: ApiError, settings: ContractSettings): void {
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

function endWithError(socket: Socket, failure: ApiError, settings: ContractSettings, log: DebugLog, cause?: Error): void {
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
