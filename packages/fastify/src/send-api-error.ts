import { writeErrorResponse, type ApiError } from '@faultline/core';
import type { FastifyReply } from 'fastify';
import { defaultChallenge } from './authentication-challenge.js';
import { chooseProfile, routeConfig } from './choose-profile.js';
import { requestIdHeader } from './request-id.js';
import type { FaultlineRouteConfig, FaultlineSettings } from './settings.js';

/**
 * Writes an {@link ApiError} as the reply: status, headers and body in the
 * profile this request gets. The one place every error response goes through.
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
  const profile = chooseProfile(request, route, settings.profile);
  const context = route?.context;
  const options = {
    catalog: settings.catalog,
    profile,
    requestId: request.id,
    docsUrl: settings.docsUrl,
    classicFieldErrors: settings.classicFieldErrors,
    ...(context ? { context } : {}),
  };
  let response = writeErrorResponse(error, options);
  if (response === undefined) {
    // A code outside the catalog is a bug in the app, not in the request.
    request.log.error(
      { code: error.code },
      `Error code "${error.code}" is not in the catalog; answering internal_error instead.`,
    );
    response = writeErrorResponse(settings.catalog.error('internal_error', { detail: internalErrorDetail(request.id) }), options);
    if (response === undefined) throw new TypeError('The catalog has no internal_error entry.');
  }
  reply.code(response.status);
  const headers = response.headers;
  for (const name in headers) reply.header(name, headers[name]);
  // Also set by the plugin's onRequest hook; set here for the answers given before it runs (a malformed URL, say).
  reply.header(requestIdHeader, request.id);
  if ((response.status === 401 || response.status === 403) && !reply.hasHeader('www-authenticate')) {
    const codes = [error.code, response.code];
    const challenge = defaultChallenge(settings.realm, response.status, codes, error.detail, error.extensions['scope']);
    if (challenge !== undefined) reply.header('www-authenticate', challenge);
  }
  // The body is already JSON: an identity serializer keeps Fastify from appending
  // `; charset=utf-8` to the bare media type the profile chose.
  reply.serializer(asIs).send(response.body);
}

const asIs = (body: unknown): string => body as string;

/** The whole detail an unexpected failure discloses: that it happened, and the id to quote. */
export function internalErrorDetail(requestId: string): string {
  return `Something went wrong on our side. If it persists, contact support and quote request id ${requestId}.`;
}
