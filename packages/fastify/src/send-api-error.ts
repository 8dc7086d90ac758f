import type { ApiError } from '@faultline/core';
import { errorAnswer } from '@faultline/http';
import type { FastifyReply } from 'fastify';
import { routeConfig } from './route-config.js';
import type { FaultlineRouteConfig, FaultlineSettings } from './settings.js';

/**
 * Writes an {@link ApiError} as the reply: status, headers and body in the
 * profile this request gets (`errorAnswer` of `@faultline/http`). The one
 * place every error response of the plugin goes through.
 *
 * The reply is sent when this returns; handlers call it and return nothing.
 */
export function sendApiError(reply: FastifyReply, error: ApiError, settings: FaultlineSettings): void {
  writeApiError(reply, error, settings, routeConfig(reply.request));
}

/**
 * {@link sendApiError} for a caller that knows the route's `config.faultline`
 * already (none, for the plugin's own 404 handler), so the request's route
 * options, which Fastify builds anew on each access, are not read.
 */
export function writeApiError(
  reply: FastifyReply,
  error: ApiError,
  settings: FaultlineSettings,
  route: FaultlineRouteConfig | undefined,
): void {
  const request = reply.request;
  const answer = errorAnswer(error, settings, {
    id: request.id,
    accept: request.headers.accept,
    route,
    log: request.log,
    hasChallenge: () => reply.hasHeader('www-authenticate'),
  });
  reply.code(answer.status);
  // Also sets x-request-id, set by the plugin's onRequest hook already, for the answers given before it runs (a malformed URL, say).
  const headers = answer.headers;
  for (const name in headers) reply.header(name, headers[name]);
  // The body is already JSON: an identity serializer keeps Fastify from appending
  // `; charset=utf-8` to the bare media type the profile chose.
  reply.serializer(asIs).send(answer.body);
}

const asIs = (body: unknown): string => body as string;
