import type { ApiError, ApiErrorOptions, Catalog } from '@faultline/core';

/** A catalog error for a client's mistake; `invalid_request` when an app's own catalog leaves the code out. */
export function expectedError(catalog: Catalog, code: string, options: ApiErrorOptions): ApiError {
  return catalog.error(catalog.has(code) ? code : 'invalid_request', options);
}
