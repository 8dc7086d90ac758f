import { codeForStatus, isApiError, type ApiError, type Catalog } from '@faultline/core';
import { bodyTooLargeError, contentLengthMismatchError, unparsableBodyError, unsupportedMediaTypeError } from './body-errors.js';
import { expectedError } from './expected-error.js';
import { internalError } from './internal-error.js';

/** Whether a thrown value was foreseen (a client mistake) or is a fault of ours. */
export interface ClassifiedError {
  readonly error: ApiError;
  /** True when the failure is ours: log it in full, disclose nothing. */
  readonly unexpected: boolean;
}

/** What {@link classifyError} needs to know of the request to name what is wrong. */
export interface ClassifyContext {
  readonly catalog: Catalog;
  /** The request's id, quoted in an unexpected failure's detail. */
  readonly requestId: string;
  /** The media types the app reads, named in a 415. */
  readonly contentTypes: readonly string[];
  /** The request's `Content-Type`, named in a 415. */
  readonly contentType?: string | null | undefined;
}

/** The fields of thrown errors this reads: http-errors', body-parser's, Fastify's. */
interface ErrorLike {
  status?: unknown;
  statusCode?: unknown;
  type?: unknown;
  limit?: unknown;
  message?: unknown;
}

/**
 * Maps anything a route, a middleware or a framework throws to an
 * {@link ApiError}: an `ApiError` as it is; a body-parser error (its `type`:
 * `entity.too.large`, `entity.parse.failed`, `encoding.unsupported`,
 * `charset.unsupported`, `request.size.invalid`) to its catalog code with a
 * message that names what is wrong; an error with a 4xx `status` or
 * `statusCode` (http-errors, Fastify, `@fastify/sensible`) to the code of that
 * status; a 502 to 504 likewise; anything else to `internal_error` carrying
 * only the request id, marked `unexpected` (log it in full).
 *
 * @example
 * ```ts
 * const { error, unexpected } = classifyError(thrown, { catalog, requestId, contentTypes: settings.contentTypes });
 * if (unexpected) log.error({ err: thrown, requestId }, 'Unexpected error; answered with internal_error');
 * ```
 */
export function classifyError(thrown: unknown, context: ClassifyContext): ClassifiedError {
  if (isApiError(thrown)) return { error: thrown, unexpected: false };
  const { catalog } = context;
  const failure = (typeof thrown === 'object' && thrown !== null ? thrown : {}) as ErrorLike;
  const status =
    typeof failure.statusCode === 'number' ? failure.statusCode : typeof failure.status === 'number' ? failure.status : undefined;

  switch (failure.type) {
    case 'entity.too.large':
      return expected(
        typeof failure.limit === 'number'
          ? bodyTooLargeError(catalog, failure.limit)
          : expectedError(catalog, 'request_too_large', { detail: 'The body is larger than this endpoint accepts.' }),
      );
    case 'entity.parse.failed':
      return expected(unparsableBodyError(catalog, typeof failure.message === 'string' ? failure.message : 'unreadable'));
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return expected(unsupportedMediaTypeError(catalog, context.contentType, context.contentTypes));
    case 'request.size.invalid':
      return expected(contentLengthMismatchError(catalog));
    default:
      break;
  }
  // A body parser's syntax error comes with status 400 and no code.
  if (thrown instanceof SyntaxError && status === 400) return expected(unparsableBodyError(catalog, thrown.message));
  if (status !== undefined && status >= 400 && status < 500) {
    const code = codeForStatus(status);
    return expected(expectedError(catalog, code, { detail: catalog.find(code)?.description ?? 'The request was refused.' }));
  }
  if (status !== undefined && status >= 502 && status <= 504) {
    const code = codeForStatus(status);
    return expected(expectedError(catalog, code, { detail: catalog.find(code)?.description ?? 'The service is unavailable.' }));
  }
  return { error: internalError(catalog, context.requestId), unexpected: true };
}

const expected = (error: ApiError): ClassifiedError => ({ error, unexpected: false });
