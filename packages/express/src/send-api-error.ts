import type { ServerResponse } from 'node:http';
import type { ApiError } from '@faultline/core';
import { errorAnswer, requestIdFor, requestIdHeader } from '@faultline/http';
import { contractOf, routeContractOf, type ExpressRequest } from './request-state.js';

/**
 * Answers a request with an {@link ApiError}: status, headers and body in the
 * format this request gets (the route's, else problem details for a client
 * that asks for them, else the contract's), with its request id. The one way
 * every answer of the package is written; a middleware of the app's own can
 * answer through it too instead of calling `next(error)`.
 *
 * @example
 * ```js
 * app.get('/v1/things/:id', (req, res) => {
 *   const thing = things.get(req.params.id);
 *   if (!thing) return sendApiError(req, res, builtinCatalog.error('not_found', { detail: `No thing ${req.params.id}.` }));
 *   res.json(thing);
 * });
 * ```
 */
export function sendApiError(request: ExpressRequest, response: ServerResponse, error: ApiError): void {
  const state = contractOf(request);
  const id = (request.id ??= requestIdFor(request.headers[requestIdHeader]));
  const answer = errorAnswer(error, state.settings, {
    id,
    accept: request.headers.accept,
    route: routeContractOf(request),
    log: state.logger(request),
    hasChallenge: () => response.hasHeader('www-authenticate'),
  });
  response.statusCode = answer.status;
  const headers = answer.headers;
  for (const name in headers) response.setHeader(name, headers[name] as string);
  response.end(answer.body);
}
