import { bodyTooLargeError, readJsonBody, unsupportedMediaTypeError } from '@faultline/http';
import { rememberBodySize } from '@faultline/http/ajv';
import { hasBody, readBody } from './read-body.js';
import type { Middleware } from './request-state.js';
import type { FaultlineExpressSettings } from './settings.js';

export interface JsonBodyOptions {
  /** The largest body read here, in bytes; larger ones get 413. Default: the contract's `bodyLimit` (1 MiB). */
  readonly limit?: number;
}

/** Methods whose body is read only when one is sent (RFC 9110 gives their content no meaning); GET and HEAD never are. */
const bodyOptional = new Set(['DELETE', 'OPTIONS']);

/** The media type of a `Content-Type`, without its parameters, in lower case. */
function mediaTypeOf(header: string): string {
  const semicolon = header.indexOf(';');
  return (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase();
}

/**
 * The contract's JSON body parser (see `Contract.json`). A request without a
 * body passes with `req.body` left undefined; a body of another type the
 * contract accepts (`contentTypes`) is left for the app's own parser.
 */
export function jsonBody(settings: FaultlineExpressSettings, options: JsonBodyOptions = {}): Middleware {
  const limit = options.limit ?? settings.bodyLimit;
  if (!(Number.isInteger(limit) && limit >= 1))
    throw new TypeError(`The JSON body limit must be a whole number of bytes from 1, not ${String(limit)}.`);
  const { catalog, contentTypes, jsonLimits } = settings;
  return function faultlineJson(request, response, next) {
    const method = request.method ?? 'GET';
    if (method === 'GET' || method === 'HEAD') return next();
    // Read already, by a parser earlier in the chain: reading again would wait for bytes that never come.
    if ((request as { _body?: unknown })._body === true || request.readableEnded) return next();
    const sent = request.headers['content-type'];
    const withBody = hasBody(request);
    if (sent === undefined || sent.trim() === '') {
      return next(withBody ? unsupportedMediaTypeError(catalog, sent, contentTypes) : undefined);
    }
    if (!withBody && bodyOptional.has(method)) return next();
    const mediaType = mediaTypeOf(sent);
    if (!contentTypes.includes(mediaType)) return next(unsupportedMediaTypeError(catalog, sent, contentTypes));
    if (mediaType !== 'application/json') return next();
    readBody(request, limit).then((reading) => {
      if (reading.kind === 'aborted') return;
      if (reading.kind === 'too_large') {
        // The rest of the body is not worth reading: the connection closes after the answer.
        response.setHeader('connection', 'close');
        return next(bodyTooLargeError(catalog, limit));
      }
      const parsed = readJsonBody(reading.bytes, catalog, jsonLimits);
      if (parsed.error !== undefined) return next(parsed.error);
      // The validator lists every failing field of a body only while that stays cheap (see @faultline/http/ajv).
      if (typeof parsed.value === 'object' && parsed.value !== null) rememberBodySize(parsed.value, parsed.members);
      request.body = parsed.value;
      next();
    }, next);
  };
}
