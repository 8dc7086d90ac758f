import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { ApiError, statusName, writeErrorResponse } from '@faultline/core';
import type { FastifyInstance } from 'fastify';
import type { FaultlineSettings } from './settings.js';

/**
 * Node's HTTP parser rejects some requests before Fastify sees them: a
 * malformed request line, bad header syntax, headers too large, a request that
 * took too long to arrive. Fastify then writes its own JSON; this writes a
 * catalog error in the app's profile instead.
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
    const requestId = randomUUID();
    const response = writeErrorResponse(failure, { catalog, profile: settings.profile, requestId, docsUrl: settings.docsUrl });
    if (response === undefined) {
      socket.destroy(error);
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
    this.log.debug({ err: error, requestId }, 'Rejected a request the HTTP parser could not read');
    socket.end(`HTTP/1.1 ${response.status} ${statusName(response.status)}\r\n${head}\r\n\r\n${response.body}`);
  };
}
