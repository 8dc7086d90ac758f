import { ApiError } from './api-error.js';
import { statusName } from './catalog/http-statuses.js';
import { readEnvelope, type HeadersLike } from './envelopes/read-error-envelope.js';

export { parseRetryAfter } from './envelopes/retry-times.js';

/** A response as any HTTP client sees it. */
export interface ResponseLike {
  readonly status: number;
  /** A fetch `Headers`, or a plain object of lower- or mixed-case names. */
  readonly headers?: HeadersLike;
  /** The raw body text; an already-parsed JSON value is accepted too. */
  readonly body?: unknown;
}

/** The codes an {@link ApiError} carries: catalog-style names. A foreign code of another form gives way to the status's. */
const codeLike = /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/;

/** The catalog code a bare status stands for, when nothing else names one. */
const codesByStatus: Readonly<Record<number, string>> = {
  400: 'invalid_request',
  401: 'unauthorized_request',
  403: 'not_authorized',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  409: 'conflict',
  412: 'precondition_failed',
  413: 'request_too_large',
  415: 'invalid_content_type',
  429: 'limit_reached',
  500: 'internal_error',
  502: 'bad_gateway',
  503: 'service_unavailable',
  504: 'gateway_timeout',
};

/**
 * Turns any error response into an {@link ApiError}: every Faultline profile,
 * and every envelope `readErrorEnvelope` knows (plain text, HTML, an
 * empty body and unknown JSON included). Never throws; whatever cannot be
 * read falls back to what the status says.
 */
export function parseErrorResponse(response: ResponseLike): ApiError {
  const status = Number.isInteger(response.status) ? response.status : 0;
  // Messages exactly as written: what a Faultline server wrote comes back unchanged.
  const envelope = readEnvelope(status, response.headers, response.body, Date.now(), false);
  const code = envelope.code !== undefined && codeLike.test(envelope.code) ? envelope.code : codeForStatus(status);
  return new ApiError(code, status, envelope.message ?? statusName(status), {
    errors: envelope.fieldErrors,
    ...(envelope.retryAt === undefined ? {} : { retryAt: envelope.retryAt }),
    ...(envelope.requestId === undefined ? {} : { requestId: envelope.requestId }),
    ...(envelope.time === undefined ? {} : { time: envelope.time }),
    ...(envelope.docsUrl === undefined ? {} : { docsUrl: envelope.docsUrl }),
  });
}

/**
 * The built-in catalog code a status stands for when a body or a foreign
 * error names none: `not_found` for 404, `internal_error` for an unknown 5xx,
 * `invalid_request` for an unknown 4xx.
 */
export function codeForStatus(status: number): string {
  return codesByStatus[status] ?? (status >= 500 ? 'internal_error' : 'invalid_request');
}
