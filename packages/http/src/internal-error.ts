import type { ApiError, Catalog } from '@faultline/core';

/**
 * The whole detail an unexpected failure discloses: that it happened, and the id to quote.
 *
 * @example
 * ```ts
 * internalErrorDetail('req-42'); // 'Something went wrong on our side. ... quote request id req-42.'
 * ```
 */
export function internalErrorDetail(requestId: string): string {
  return `Something went wrong on our side. If it persists, contact support and quote request id ${requestId}.`;
}

/**
 * `internal_error` (500) with {@link internalErrorDetail}: the answer to a
 * failure of ours, which discloses nothing but the request id.
 *
 * @example
 * ```ts
 * log.error({ err, requestId }, 'Unexpected error');
 * return internalError(settings.catalog, requestId);
 * ```
 */
export function internalError(catalog: Catalog, requestId: string): ApiError {
  return catalog.error('internal_error', { detail: internalErrorDetail(requestId) });
}
