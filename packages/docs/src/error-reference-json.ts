import { httpStatuses, profileNames, type Catalog } from '@faultline/core';

/** The catalog as JSON: every entry, with the code each profile writes for it, and the status table. */
export function errorReferenceJson(catalog: Catalog) {
  return {
    statuses: httpStatuses,
    errors: catalog.entries.map((entry) => ({
      ...entry,
      written_as: Object.fromEntries(
        profileNames.map((profile) => [profile, catalog.resolve(entry.code, profile)?.code ?? entry.code]),
      ),
    })),
  };
}
