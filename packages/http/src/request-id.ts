import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The header that carries the request id both ways. */
export const requestIdHeader = 'x-request-id';

/**
 * A request id from a client or proxy is echoed only when it is short and
 * made of safe characters, so it can never inject into logs or headers.
 */
const wellFormed = /^[A-Za-z0-9._:-]{1,128}$/;

export function isWellFormedRequestId(value: unknown): value is string {
  return typeof value === 'string' && wellFormed.test(value);
}

/** Fastify's `genReqId`: the caller's id when well formed, a fresh UUID otherwise. */
export function generateRequestId(request: IncomingMessage): string {
  const given = request.headers[requestIdHeader];
  return isWellFormedRequestId(given) ? given : randomUUID();
}
