import type { ServerResponse } from 'node:http';
import type { ApiError } from '@faultline/core';
import { errorAnswer, newRequestId, requestIdHeader } from './neutral.js';
import { contractOf, routeFormatOf, type ExpressRequest } from './request-state.js';

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
  const { settings, logger } = contractOf(request);
  const requestId = (request.id ??= newRequestId(request.headers[requestIdHeader]));
  const answer = errorAnswer(error, settings, {
    accept: request.headers.accept,
    requestId,
    route: routeFormatOf(request),
    onUnknownCode: (code) =>
      logger(request).error(
        { code, reqId: requestId },
        `Error code "${code}" is not in the catalog; answering internal_error instead.`,
      ),
  });
  response.statusCode = answer.status;
  for (const name in answer.headers) response.setHeader(name, answer.headers[name] as string);
  response.setHeader(requestIdHeader, requestId);
  response.end(answer.body);
}
