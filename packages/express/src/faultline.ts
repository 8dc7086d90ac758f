import type { Server } from 'node:http';
import { bodyParserError } from './body-parser-errors.js';
import { jsonBody, type JsonBodyOptions } from './json-body.js';
import { stderrLogger, type Logger } from './logger.js';
import { classifyThrown, methodNotAllowedError, newRequestId, notFoundError, protectServer, requestIdHeader } from './neutral.js';
import { bindContract, type ContractState, type ErrorMiddleware, type ExpressRequest, type Middleware } from './request-state.js';
import { routedMethods } from './route-methods.js';
import { sendApiError } from './send-api-error.js';
import { resolveContractSettings, type ContractSettings, type FaultlineExpressOptions } from './settings.js';

/** One app's contract: the middleware that put it in place, and its settings. */
export interface Contract {
  /** The options with every default filled in: the catalog errors come from, the default profile, the limits. */
  readonly settings: ContractSettings;
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
   * request id, in the contract's format), and the per-address connection cap.
   * Call it with what `app.listen()` returns.
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
  const settings = resolveContractSettings(options);
  const baseLogger: Logger = options.logger ?? stderrLogger;
  const state: ContractState = {
    settings,
    catalog: settings.catalog,
    logger: (request) => request.log ?? baseLogger,
  };

  const start: Middleware = function faultlineStart(request, response, next) {
    const id = newRequestId(request.headers[requestIdHeader]);
    request.id = id;
    response.setHeader(requestIdHeader, id);
    bindContract(request, state);
    next();
  };

  const notFound: Middleware = function faultlineNotFound(request, response) {
    const path = pathOf(request);
    const allowed = routedMethods(request.app?.router?.stack, path);
    const method = request.method ?? 'GET';
    const error =
      allowed.length > 0 && !allowed.includes(method)
        ? methodNotAllowedError(settings, method, path, allowed)
        : notFoundError(settings, method, path);
    sendApiError(request, response, error);
  };

  const errorHandler: ErrorMiddleware = function faultlineErrors(thrown, request, response, next) {
    const logger = state.logger(request);
    if (response.headersSent) {
      // Too late for an answer of ours: Express's own handler ends the connection, so the client sees it cut short.
      logger.error({ err: thrown, reqId: request.id }, 'Error after the answer had started; the connection was closed');
      next(thrown);
      return;
    }
    const parserError = bodyParserError(thrown, settings);
    const { error, unexpected } =
      parserError === undefined
        ? classifyThrown(thrown, settings, request.id ?? '', request.headers)
        : { error: parserError, unexpected: false };
    if (unexpected) logger.error({ err: thrown, reqId: request.id }, 'Unexpected error; answered with internal_error');
    else if (error.status >= 500) logger.warn({ code: error.code, reqId: request.id }, error.detail);
    sendApiError(request, response, error);
  };

  return {
    settings,
    start,
    end: [notFound, errorHandler],
    json: (jsonOptions) => jsonBody(settings, jsonOptions),
    attach: (server) => protectServer(server, settings, baseLogger),
  };
}

/** The path of the whole URL (a router's `req.url` has its mount path cut off), without the query. */
function pathOf(request: ExpressRequest): string {
  const url = request.originalUrl ?? request.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
