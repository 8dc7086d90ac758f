import { parseArgs } from 'node:util';
import { errorReferenceJson } from '@faultline/docs';
import type { Command } from '../command.js';
import { loadCatalog } from '../load-catalog.js';
import { parseOptions } from '../parse-options.js';

/** `faultline catalog`: prints the catalog as JSON. */
export const catalogCommand: Command = {
  name: 'catalog',
  summary: 'Print the catalog as JSON',
  help: `Usage: faultline catalog [--catalog MODULE] [--compact]

Prints the catalog as JSON on stdout, the same document as the reference API's
GET /docs/errors.json: {"statuses": [...], "errors": [...]}, each error with its
status, title, description, action, retry policy, headers, variants, where it
occurs, and "written_as", the code each wire format writes for it.

Options:
  --catalog MODULE   An ES module exporting a Catalog as "default" or "catalog".
                     Default: the built-in catalog.
  --compact          One line instead of indented JSON.
  -h, --help         Show this help.

Example:
  faultline catalog | jq -r '.errors[].code'
`,
  async run(args, io) {
    const options = parseOptions(
      () =>
        parseArgs({
          args: [...args],
          options: { catalog: { type: 'string' }, compact: { type: 'boolean' } },
          strict: true,
          allowPositionals: false,
        }).values,
    );
    const catalog = await loadCatalog(options.catalog, io.cwd);
    io.stdout.write(JSON.stringify(errorReferenceJson(catalog), null, options.compact === true ? undefined : 2) + '\n');
    return 0;
  },
};
