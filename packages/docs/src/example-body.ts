import { writeErrorResponse, type Catalog, type CatalogEntry, type ProfileName } from '@faultline/core';

const exampleTime = Date.UTC(2026, 0, 15, 9, 30, 0);

/**
 * An example response body for a code, as a profile writes it, pretty-printed.
 * Times and the request id are fixed, so the docs are reproducible.
 */
export function exampleBody(catalog: Catalog, entry: CatalogEntry, profile: ProfileName, docsUrl: string): string {
  const retryAt =
    entry.retry === 'retry-after' || entry.retry === 'quota-reset' ? { retryAt: new Date(exampleTime + 60_000) } : {};
  const error = catalog.error(entry.code, retryAt);
  const response = writeErrorResponse(error, { catalog, profile, requestId: 'req_example', docsUrl, now: exampleTime });
  return response === undefined ? '' : JSON.stringify(JSON.parse(response.body), null, 2);
}
