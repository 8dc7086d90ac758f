import type { Server } from 'node:http';
import { classifyError, noRouteError, pathOf, requestIdFor, requestIdHeader } from '@faultline/http';
import { guardNodeServer, RequestsPerClient } from '@faultline/http/node';
import { jsonBody, type JsonBodyOptions } from './json-body.js';
import { stderrLogger, type Logger } from './logger.js';
import { bindContract, type ContractState, type ErrorMiddleware, type Middleware } from './request-state.js';
import { routedMethods } from './route-methods.js';
import { sendApiError } from './send-api-error.js';
import { resolveSettings, type FaultlineExpressOptions, type FaultlineExpressSettings } from './settings.js';

/** One app's contract: the middleware that put it in place, and its settings. */
export interface Contract {
  /** The options with every default filled in: the catalog errors come from, the default profile, the limits. */
  readonly settings: FaultlineExpressSettings;
  /**
   * The first middleware (`app.use(contract.start)` before any other): gives
   * each request its id (`req.id`, the `x-request-id` header of every answer)
   * and ties it to this contract.
   */
  readonly start: Middleware;
  /**
   * The last middleware (`app.use(contract.end)` after every route): a
   * request no route answered gets 404 `not_found`, or 405
   * `method_not_allowed` with `Allow` when its path has routes for other
   * methods; any error (thrown, a rejected promise, `next(err)`) is answered
   * in the contract's format, an unexpected one as an opaque 500 with the
   * request id, its full error logged.
   */
  readonly end: [Middleware, ErrorMiddleware];
  /**
   * The JSON body parser: 415 for a body of a type the app does not read, 413
   * past `bodyLimit` or the JSON shape limits, 400 for a body that is not JSON
   * (saying where it breaks), else `req.body`. Mount it where bodies are read:
   * on the app, a router, or per route after authentication.
   */
  json(options?: JsonBodyOptions): Middleware;
  /**
   * Gives the HTTP server the parts of the contract that live below Express:
   * answers to requests Node's parser refuses and to stalled clients (with a
   * request id, in the contract's format), and the per-address connection cap
   * (with `trustProxy`, the cap is kept per forwarded address by `start`
   * instead). Call it with what `app.listen()` returns.
   */
  attach<S extends Server>(server: S): S;
}

/**
 * Makes an Express 5 app answer every failure with the Faultline contract:
 * the right catalog code, status, headers and body in one of four formats,
 * from an unknown route to an unexpected exception.
 *
 * @example
 * ```js
 * import express from 'express';
 * import { faultline } from '@faultline/express';
 *
 * const contract = faultline({ profile: 'problem', logger: pino() });
 * const app = express();
 * app.use(contract.start);
 * app.post('/v1/things', contract.json(), createThing);
 * app.use(contract.end);
 * contract.attach(app.listen(3000));
 * ```
 */
export function faultline(options: FaultlineExpressOptions = {}): Contract {
  const settings = resolveSettings(options);
  const baseLogger: Logger = options.logger ?? stderrLogger;
  const state: ContractState = {
    settings,
    catalog: settings.catalog,
    logger: (request) => request.log ?? baseLogger,
  };

  // Behind a trusted proxy the cap is on each forwarded address's requests, counted here where req.ip is known.
  const perClient =
    settings.trustProxy && Number.isFinite(settings.maxConnectionsPerClient)
      ? new RequestsPerClient(settings.maxConnectionsPerClient, settings.catalog)
      : undefined;
  let proxyChecked = false;

  const start: Middleware = function faultlineStart(request, response, next) {
    const id = requestIdFor(request.headers[requestIdHeader]);
    request.id = id;
    response.setHeader(requestIdHeader, id);
    bindContract(request, state);
    if (perClient !== undefined) {
      if (!proxyChecked) {
        proxyChecked = true;
        if (!request.app?.get?.('trust proxy'))
          state
            .logger(request)
            .warn(
              { option: 'trustProxy' },
              "Faultline's trustProxy is set but Express's 'trust proxy' is not: req.ip is the proxy's address, so every client behind it shares one cap. Set app.set('trust proxy', …) to the proxies you run.",
            );
      }
      const refusal = perClient.admit(request.ip ?? request.socket.remoteAddress ?? '', response);
      // Answered here, not passed to next: a client flooding the server should not flood the log as well.
      if (refusal !== undefined) return sendApiError(request, response, refusal);
    }
    next();
  };

  const notFound: Middleware = function faultlineNotFound(request, response) {
    // The whole URL's path: a router's `req.url` has its mount path cut off.
    const path = pathOf(request.originalUrl ?? request.url ?? '/');
    const allowed = routedMethods(request.app?.router?.stack, path);
    sendApiError(request, response, noRouteError(settings.catalog, request.method ?? 'GET', path, allowed));
  };

  const errorHandler: ErrorMiddleware = function faultlineErrors(thrown, request, response, next) {
    if (response.headersSent) {
      // Too late for an answer of ours: Express's own handler ends the connection, so the client sees it cut short.
      state
        .logger(request)
        .error({ err: thrown, reqId: request.id }, 'Error after the answer had started; the connection was closed');
      next(thrown);
      return;
    }
    // ApiErrors as they are; Express's body-parser errors and errors carrying a 4xx or 502-504 status by their
    // status; anything else an opaque 500.
    const { error, unexpected } = classifyError(thrown, {
      catalog: settings.catalog,
      requestId: request.id ?? '',
      contentTypes: settings.contentTypes,
      contentType: request.headers['content-type'],
    });
    if (unexpected)
      state.logger(request).error({ err: thrown, reqId: request.id }, 'Unexpected error; answered with internal_error');
    else if (error.status >= 500) state.logger(request).warn({ code: error.code, reqId: request.id }, error.detail);
    sendApiError(request, response, error);
  };

  return {
    settings,
    start,
    end: [notFound, errorHandler],
    json: (jsonOptions) => jsonBody(settings, jsonOptions),
    attach: (server) => {
      guardNodeServer(server, {
        settings,
        log: { debug: (fields, message) => baseLogger.debug?.(fields, message) },
        // Behind a trusted proxy every connection is the proxy's: `start` counts requests per forwarded address instead.
        maxConnectionsPerClient: settings.trustProxy ? Infinity : settings.maxConnectionsPerClient,
        ...(options.timeouts === undefined ? {} : { timeouts: options.timeouts }),
      });
      return server;
    },
  };
}
