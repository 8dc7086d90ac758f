import { httpStatuses, statusName, type Catalog, type CatalogEntry, type HttpStatus } from '@faultline/core';

/** One row of the status table: a status and the codes sent with it. */
export interface StatusRow extends HttpStatus {
  readonly entries: readonly CatalogEntry[];
}

/**
 * The status table for a catalog: every row of the standard table, plus a row
 * for any status a custom catalog uses that the table lacks, in status order.
 * A row lists the codes whose status it is, and those it names in `alsoSentBy`
 * (431 lists `request_too_large`, which Node's parser sends with 431).
 */
export function statusRows(catalog: Catalog): StatusRow[] {
  const known = new Set(httpStatuses.map((row) => row.status));
  const extra = [...new Set(catalog.entries.map((entry) => entry.status))]
    .filter((status) => !known.has(status))
    .map((status): HttpStatus => ({ status, name: statusName(status), meaning: 'Used by the codes listed here.' }));
  return [...httpStatuses, ...extra]
    .sort((a, b) => a.status - b.status)
    .map((row) => ({
      ...row,
      entries: catalog.entries.filter((entry) => entry.status === row.status || row.alsoSentBy?.includes(entry.code) === true),
    }));
}
