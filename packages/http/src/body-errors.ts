import type { ApiError, Catalog } from '@faultline/core';
import { expectedError } from './expected-error.js';

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

/**
 * `invalid_content_type` (415) for a body of a media type the app does not
 * read, naming what was sent and what is accepted.
 *
 * @example
 * ```ts
 * unsupportedMediaTypeError(catalog, 'text/csv', ['application/json']);
 * // 'The body was sent as "text/csv", which this endpoint does not read. Send it as one of: application/json.'
 * ```
 */
export function unsupportedMediaTypeError(
  catalog: Catalog,
  sent: string | null | undefined,
  accepted: readonly string[],
): ApiError {
  const list = accepted.join(', ');
  const detail =
    sent === undefined || sent === null || sent.trim() === ''
      ? `The request has a body but no Content-Type. Send it as one of: ${list}.`
      : `The body was sent as "${truncate(sent, 100)}", which this endpoint does not read. Send it as one of: ${list}.`;
  return expectedError(catalog, 'invalid_content_type', { detail });
}

/**
 * `request_too_large` (413) for a body over the size limit, naming the limit.
 *
 * @example
 * ```ts
 * bodyTooLargeError(catalog, 1_048_576); // 'The body is larger than the 1048576 bytes this endpoint accepts.'
 * ```
 */
export function bodyTooLargeError(catalog: Catalog, limitBytes: number): ApiError {
  return expectedError(catalog, 'request_too_large', {
    detail: `The body is larger than the ${limitBytes} bytes this endpoint accepts.`,
  });
}

/**
 * `invalid_request` (400) for a body that ended before or after its
 * `Content-Length` said.
 *
 * @example
 * ```ts
 * contentLengthMismatchError(catalog);
 * ```
 */
export function contentLengthMismatchError(catalog: Catalog): ApiError {
  return expectedError(catalog, 'invalid_request', {
    detail: 'The body is shorter or longer than its Content-Length header says.',
  });
}

/**
 * `invalid_request` (400) for a body a parser could not read, with the
 * parser's reason, cut short.
 *
 * @example
 * ```ts
 * unparsableBodyError(catalog, 'Unexpected token } in JSON at position 7');
 * ```
 */
export function unparsableBodyError(catalog: Catalog, reason: string): ApiError {
  return expectedError(catalog, 'invalid_request', { detail: `The body cannot be parsed: ${truncate(reason, 160)}` });
}
