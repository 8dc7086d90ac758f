import { fieldValidationError, type Catalog } from '@faultline/core';
import {
  bodyTooLargeError,
  classifyError,
  contentLengthMismatchError,
  unsupportedMediaTypeError,
  type ClassifiedError,
} from '@faultline/http';
import { isPartialReport, partialValidationNote } from '@faultline/http/ajv';
import type { FastifyRequest } from 'fastify';
import type { FaultlineSettings } from './settings.js';
import { collectFieldErrors } from './validation-errors.js';

export type { ClassifiedError } from '@faultline/http';

interface FastifyLikeError {
  code?: unknown;
  validation?: unknown;
  validationContext?: unknown;
}

/**
 * Maps anything a route, hook or Fastify itself throws to an {@link ApiError}.
 * Fastify's own request errors (bad JSON, wrong media type, body too large,
 * schema failures) become their catalog codes with a message that names what
 * is wrong; anything else is `classifyError`'s of `@faultline/http` (thrown
 * `ApiError`s as they are, errors with a 4xx status by that status, anything
 * unforeseen `internal_error` carrying only the request id). The plugin's
 * error handler uses it; an error handler of one's own (a scope that answers
 * with HTML pages, say) can too.
 *
 * @example
 * ```ts
 * app.setErrorHandler((thrown, request, reply) => {
 *   const { error, unexpected } = toApiError(thrown, request, app.faultline);
 *   if (unexpected) request.log.error({ err: thrown }, 'Page failed');
 *   return reply.code(error.status).type('text/html').send(`<p>${escapeHtml(error.detail)}</p>`);
 * });
 * ```
 */
export function toApiError(thrown: unknown, request: FastifyRequest, settings: FaultlineSettings): ClassifiedError {
  const { catalog } = settings;
  const failure = (typeof thrown === 'object' && thrown !== null ? thrown : {}) as FastifyLikeError;

  if (Array.isArray(failure.validation)) {
    const fields = collectFieldErrors(request, String(failure.validationContext), failure.validation);
    const error = fieldValidationError(fields, settings);
    if (!isPartialReport(failure.validation)) return { error, unexpected: false };
    // A body too large to check in full reports its first failure only (see createAjvCompiler).
    return expected(catalog, error.code, error.detail + partialValidationNote, { errors: error.errors });
  }

  switch (failure.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        error: unsupportedMediaTypeError(catalog, request.headers['content-type'], settings.contentTypes),
        unexpected: false,
      };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { error: bodyTooLargeError(catalog, request.routeOptions.bodyLimit), unexpected: false };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { error: contentLengthMismatchError(catalog), unexpected: false };
    default:
      return classifyError(thrown, {
        catalog,
        requestId: request.id,
        contentTypes: settings.contentTypes,
        contentType: request.headers['content-type'],
      });
  }
}

function expected(
  catalog: Catalog,
  code: string,
  detail: string,
  options: Parameters<Catalog['error']>[1] = {},
): ClassifiedError {
  const known = catalog.has(code) ? code : 'invalid_request';
  return { error: catalog.error(known, { ...options, detail }), unexpected: false };
}
