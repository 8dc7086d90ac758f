/**
 * The codes a Faultline catalog JSON (`faultline catalog`, or an API's
 * `/docs/errors.json`) allows, each with the statuses it may be sent with:
 * its own, its variants', and those of the status rows that list it in
 * `alsoSentBy`. Every spelling in `written_as` counts as the code.
 */
export interface CatalogIndex {
  readonly size: number;
  /** The statuses a code may come with; undefined for a code the catalog does not have. */
  statusesOf(code: string): ReadonlySet<number> | undefined;
}

/** Reads the catalog JSON; throws an Error naming what is missing when it is not one. */
export function readCatalogIndex(value: unknown, source: string): CatalogIndex {
  const errors = (value as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) throw new Error(`${source} is not a Faultline catalog: it has no "errors" list`);
  const statuses = new Map<string, Set<number>>();
  const allow = (code: unknown, status: unknown) => {
    if (typeof code !== 'string' || typeof status !== 'number') return;
    const set = statuses.get(code) ?? new Set<number>();
    set.add(status);
    statuses.set(code, set);
  };
  for (const entry of errors as Record<string, unknown>[]) {
    const spellings = [entry['code'], ...Object.values((entry['written_as'] ?? {}) as Record<string, unknown>)];
    const entryStatuses = [entry['status']];
    for (const variant of (Array.isArray(entry['variants']) ? entry['variants'] : []) as Record<string, unknown>[]) {
      if (typeof variant['status'] === 'number') entryStatuses.push(variant['status']);
    }
    for (const code of spellings) for (const status of entryStatuses) allow(code, status);
  }
  const rows = (value as { statuses?: unknown }).statuses;
  for (const row of (Array.isArray(rows) ? rows : []) as Record<string, unknown>[]) {
    for (const code of (Array.isArray(row['alsoSentBy']) ? row['alsoSentBy'] : []) as unknown[]) allow(code, row['status']);
  }
  return { size: statuses.size, statusesOf: (code) => statuses.get(code) };
}
