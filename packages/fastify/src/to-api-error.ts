import { codeForStatus, fieldValidationError, isApiError, type ApiError, type Catalog } from '@faultline/core';
import type { FastifyRequest } from 'fastify';
import { internalErrorDetail } from './send-api-error.js';
import type { FaultlineSettings } from './settings.js';
import { collectFieldErrors } from './validation-errors.js';
import { partialValidationNote } from './validation-field-errors.js';
import { isPartialReport } from './validator-compiler.js';

/** Whether a thrown value was foreseen (a client mistake) or is a fault of ours. */
export interface ClassifiedError {
  readonly error: ApiError;
  /** True when the failure is ours: log it in full, disclose nothing. */
  readonly unexpected: boolean;
}

interface FastifyLikeError {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
  validation?: unknown;
  validationContext?: unknown;
}

/**
 * Maps anything a route, hook or Fastify itself throws to an {@link ApiError}.
 * Fastify's own request errors (bad JSON, wrong media type, body too large,
 * schema failures) become their catalog codes with a message that names what
 * is wrong; anything unforeseen becomes `internal_error` carrying only the
 * request id. The plugin's error handler uses it; an error handler of one's
 * own (a scope that answers with HTML pages, say) can too.
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
  if (isApiError(thrown)) return { error: thrown, unexpected: false };
  const failure = (typeof thrown === 'object' && thrown !== null ? thrown : {}) as FastifyLikeError;
  const fastifyCode = typeof failure.code === 'string' ? failure.code : undefined;

  if (Array.isArray(failure.validation)) {
    const fields = collectFieldErrors(request, String(failure.validationContext), failure.validation);
    const error = fieldValidationError(fields, settings);
    if (!isPartialReport(failure.validation)) return { error, unexpected: false };
    // A body too large to check in full reports its first failure only (see validator-compiler.ts).
    return expected(catalog, error.code, error.detail + partialValidationNote, { errors: error.errors });
  }

  switch (fastifyCode) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      const sent = request.headers['content-type'];
      const accepted = settings.contentTypes.join(', ');
      const detail =
        sent === undefined || sent.trim() === ''
          ? `The request has a body but no Content-Type. Send it as one of: ${accepted}.`
          : `The body was sent as "${truncate(sent, 100)}", which this endpoint does not read. Send it as one of: ${accepted}.`;
      return expected(catalog, 'invalid_content_type', detail);
    }
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return expected(
        catalog,
        'request_too_large',
        `The body is larger than the ${request.routeOptions.bodyLimit} bytes this endpoint accepts.`,
      );
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return expected(catalog, 'invalid_request', 'The body is shorter or longer than its Content-Length header says.');
    default:
      break;
  }

  const status = typeof failure.statusCode === 'number' ? failure.statusCode : undefined;
  // A body parser's syntax error comes with status 400 and no code.
  if (thrown instanceof SyntaxError && status === 400) {
    return expected(catalog, 'invalid_request', `The body cannot be parsed: ${truncate(thrown.message, 160)}`);
  }
  if (status !== undefined && status >= 400 && status < 500) {
    const code = codeForStatus(status);
    return expected(catalog, code, catalog.find(code)?.description ?? 'The request was refused.');
  }
  if (status !== undefined && status >= 502 && status <= 504) {
    const code = codeForStatus(status);
    return expected(catalog, code, catalog.find(code)?.description ?? 'The service is unavailable.');
  }
  return { error: catalog.error('internal_error', { detail: internalErrorDetail(request.id) }), unexpected: true };
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

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
