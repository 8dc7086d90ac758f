import { classifyError, noRouteError, requestIdFor, requestIdHeader } from '@faultline/http';
import type { Context, Env, Hono, MiddlewareHandler } from 'hono';
import { answerHeader } from './answer-header.js';
import { requestHeader } from './request-header.js';
import { HTTPException } from 'hono/http-exception';
import './context-variables.js';
import { MethodIndex } from './method-index.js';
import { answerError, requestIdOf } from './send-error.js';
import { resolveSettings, type FaultlineOptions, type FaultlineSettings } from './settings.js';

/**
 * Makes a Hono app speak the Faultline contract: every request gets an id
 * (`x-request-id` on every answer, `c.var.requestId`); an unknown path is a
 * 404 `not_found` and a known path with another method a 405
 * `method_not_allowed` with `Allow` (Hono answers both with a bare 404);
 * catalog errors thrown anywhere are answered as they are, `HTTPException`s
 * and other thrown values are mapped to catalog codes, and anything
 * unforeseen is an opaque 500 `internal_error` naming the request id, the
 * whole error going to the logger. It sets `app.onError` and `app.notFound`
 * and adds one middleware: call it before adding routes.
 *
 * Reading bodies, validation, rate limits, load shedding and idempotency keys
 * are middleware of their own (`validate`, `rateLimit`, `loadShedding`,
 * `idempotency`), which answer through the same settings.
 *
 * Written against web-standard `Request`/`Response` only: the same app runs on
 * Node.js (through `@hono/node-server`), Bun, Deno and edge runtimes.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { builtinCatalog } from '@faultline/core';
 * import { faultline } from '@faultline/hono';
 *
 * const app = new Hono();
 * faultline(app, { profile: 'problem', realm: 'api' }); // before the routes
 * app.get('/v1/things/:id', () => {
 *   throw builtinCatalog.error('not_found', { detail: 'No thing has this id.' });
 * });
 * export default app;
 * ```
 */
export function faultline<E extends Env>(app: Hono<E>, options: FaultlineOptions = {}): FaultlineSettings {
  const settings = resolveSettings(options);
  const methods = new MethodIndex(app);

  app.use('*', requestContract(settings));

  app.notFound((c) => {
    const path = c.req.path;
    // A route that matched and passed the request on (`await next()` with nothing after) is a 404, not a 405.
    return answerError(c, noRouteError(settings.catalog, c.req.method, path, methods.allowedMethods(path)), settings);
  });

  app.onError((thrown, c) => answerThrown(c, thrown, settings));
  return settings;
}

/** The middleware every request passes first: its id, the settings, and the answer to what Hono's onError does not catch. */
function requestContract(settings: FaultlineSettings): MiddlewareHandler {
  return async function faultlineRequest(c, next) {
    const id = requestIdFor(requestHeader(c, requestIdHeader));
    c.set('requestId', id);
    c.set('faultline', settings);
    const onNodeResponse = answerHeader(c, requestIdHeader, id);
    try {
      await next();
    } catch (thrown) {
      // Hono's onError sees only `Error` instances; a thrown string or object comes up to here.
      c.res = answerThrown(c, thrown, settings);
      return;
    }
    // A handler that returns a `Response` of its own (not made with `c.json()`) lacks a header set with c.header().
    if (!onNodeResponse && c.res.headers.get(requestIdHeader) !== id) c.header(requestIdHeader, id);
  };
}

/**
 * The answer to anything thrown: catalog errors as they are, the rest mapped
 * by the framework-neutral classifier; an unexpected failure is logged in full
 * and answered with nothing but the request id.
 */
export function answerThrown(c: Context, thrown: unknown, settings: FaultlineSettings): Response {
  const id = requestIdOf(c);
  // An HTTPException is read by its status, like any error with a `status`: its message is the app's, and may say too much.
  const { error, unexpected } = classifyError(thrown, {
    catalog: settings.catalog,
    requestId: id,
    contentTypes: settings.contentTypes,
    contentType: requestHeader(c, 'content-type'),
  });
  if (unexpected) settings.logger.error({ err: thrown, requestId: id }, 'Unexpected error; answered with internal_error');
  else if (error.status >= 500) settings.logger.warn({ code: error.code, requestId: id }, error.detail);
  keepChallengeOf(c, thrown);
  return answerError(c, error, settings);
}

/** An `HTTPException` of Hono's own auth middleware carries its `WWW-Authenticate` challenge: kept, instead of the default one. */
function keepChallengeOf(c: Context, thrown: unknown): void {
  if (!(thrown instanceof HTTPException) || thrown.res === undefined) return;
  const challenge = thrown.res.headers.get('www-authenticate');
  if (challenge !== null) c.header('www-authenticate', challenge);
}
