import type { ApiError } from '@faultline/core';
import { errorAnswer, requestIdFor, requestIdHeader } from '@faultline/http';
import type { Context } from 'hono';
import { requestHeader } from './request-header.js';
import './context-variables.js';
import type { FaultlineSettings } from './settings.js';

/**
 * Answers the request with an {@link ApiError}: the status, the body in the
 * profile this request gets, and every header the contract sends with it
 * (`x-request-id`, `Retry-After`, `Allow`, the default `WWW-Authenticate` of
 * a 401 unless one was set already). Headers set earlier with `c.header()`,
 * such as the `RateLimit` fields, stay on the answer. Every error answer of
 * the Hono layer goes through it; handlers may return it too, though
 * throwing the error does the same.
 *
 * @example
 * ```ts
 * app.get('/v1/things/:id', (c) => {
 *   const thing = things.get(c.req.param('id'));
 *   if (thing === undefined) return sendError(c, builtinCatalog.error('not_found', { detail: 'No thing has this id.' }));
 *   return c.json(thing);
 * });
 * ```
 */
export function sendError(c: Context, error: ApiError): Response {
  return answerError(c, error, settingsOf(c));
}

/** {@link sendError} with the settings at hand (the app's own handlers hold them even when the middleware never ran). */
export function answerError(c: Context, error: ApiError, settings: FaultlineSettings): Response {
  const answer = errorAnswer(error, settings, {
    id: requestIdOf(c),
    accept: requestHeader(c, 'accept'),
    route: c.get('faultlineRoute'),
    log: settings.logger,
    hasChallenge: () => c.res.headers.has('www-authenticate'),
  });
  return c.body(answer.body, answer.status as 400, answer.headers);
}

/** The settings the {@link faultline} middleware put on the context; a clear error when it is missing. */
export function settingsOf(c: Context): FaultlineSettings {
  const settings = c.get('faultline');
  if (settings === undefined)
    throw new TypeError('Call faultline(app) before adding routes and Faultline middleware: the middleware needs its settings.');
  return settings;
}

/** The request id; one is made (and set) when the faultline middleware has not run, as for an error thrown before it. */
export function requestIdOf(c: Context): string {
  let id = c.get('requestId');
  if (id === undefined) {
    id = requestIdFor(requestHeader(c, requestIdHeader));
    c.set('requestId', id);
  }
  return id;
}
