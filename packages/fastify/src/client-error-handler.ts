import type { Socket } from 'node:net';
import { answerClientError } from '@faultline/http/node';
import type { FastifyInstance } from 'fastify';
import type { FaultlineSettings } from './settings.js';

/**
 * Fastify's `clientErrorHandler`: a request Node's HTTP parser rejects (a
 * malformed request line, bad header syntax, headers too large, a request
 * that took too long) is answered with a catalog error in the app's profile
 * (`answerClientError` of `@faultline/http/node`); before the plugin is
 * registered, the socket is closed.
 */
export function createClientErrorHandler(settingsOf: (server: FastifyInstance) => FaultlineSettings | undefined) {
  return function clientErrorHandler(this: FastifyInstance, error: Error & { code?: string }, socket: Socket): void {
    const settings = settingsOf(this);
    if (settings === undefined) {
      if (error.code !== 'ECONNRESET' && !socket.destroyed) socket.destroy(error);
      return;
    }
    answerClientError(error, socket, settings, this.log, this.server);
  };
}
