import { builtinCatalog, type CatalogEntry } from '@faultline/core';

/**
 * The catalog's entry for `code` when `status` is its own, or one a variant
 * sends (RFC 6749's 400 for `unauthorized_client`). Not any status of the
 * same hundred: that let `conflict` with 400 be a ConflictError, and a foreign
 * API that reuses one of our names with another status is not speaking our
 * catalog.
 */
export function catalogEntryFor(code: string, status: number): CatalogEntry | undefined {
  const entry = builtinCatalog.find(code);
  return entry !== undefined && (entry.status === status || entry.variants.some((variant) => variant.status === status))
    ? entry
    : undefined;
}
