import { parseArgs } from 'node:util';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { profileNames } from '@faultline/core';
import { errorReferenceMarkdown, errorReferencePage } from '@faultline/docs';
import type { Command } from '../command.js';
import { loadCatalog } from '../load-catalog.js';
import { parseOptions } from '../parse-options.js';
import { RuntimeError, UsageError } from '../usage-error.js';
import { profileOption } from './profile-option.js';

/** `faultline docs`: writes the error reference as errors.html and errors.md. */
export const docsCommand: Command = {
  name: 'docs',
  summary: 'Write the error reference as errors.html and errors.md',
  help: `Usage: faultline docs --out DIR [--profile P] [--catalog MODULE] [--docs-url URL] [--title TEXT]

Writes the error reference of a catalog to DIR/errors.html (one page with a
status table, a search box and a section per code under the anchor #code) and
DIR/errors.md (the same content in Markdown). DIR is created if missing.

Options:
  --out DIR          Where to write the files (required).
  --profile P        The wire format your server writes, whose example is shown
                     first: ${profileNames.join(', ')}. Default: problem.
  --catalog MODULE   An ES module exporting a Catalog (made with defineCatalog
                     from @faultline/core) as "default" or "catalog".
                     Default: the built-in catalog.
  --docs-url URL     The URL the page will be served at; problem+json "type"
                     links in the examples point into it. Default: /docs/errors
  --title TEXT       The page heading. Default: Error reference
  -h, --help         Show this help.

errors.html carries its Content-Security-Policy in a <meta> element; where you
can, also send it as a header, with frame-ancestors: it is
errorReferenceContentSecurityPolicy from @faultline/docs.

Example:
  faultline docs --profile classic --out site/ --catalog ./my-catalog.js
`,
  async run(args, io) {
    const options = parseOptions(
      () =>
        parseArgs({
          args: [...args],
          options: {
            out: { type: 'string' },
            profile: { type: 'string' },
            catalog: { type: 'string' },
            'docs-url': { type: 'string' },
            title: { type: 'string' },
          },
          strict: true,
          allowPositionals: false,
        }).values,
    );
    if (options.out === undefined || options.out === '') throw new UsageError('--out DIR is required');
    const profile = profileOption(options.profile);
    const catalog = await loadCatalog(options.catalog, io.cwd);
    const docsUrl = options['docs-url'] ?? '/docs/errors';
    const settings = { profile, docsUrl, embedPolicy: true, ...(options.title === undefined ? {} : { title: options.title }) };
    const directory = resolve(io.cwd, options.out);
    const files = [
      { path: join(directory, 'errors.html'), text: errorReferencePage(catalog, settings) },
      { path: join(directory, 'errors.md'), text: errorReferenceMarkdown(catalog, settings) },
    ];
    try {
      await mkdir(directory, { recursive: true });
      for (const file of files) await writeFile(file.path, file.text);
    } catch (error) {
      throw new RuntimeError(`could not write to ${options.out}: ${error instanceof Error ? error.message : String(error)}`);
    }
    io.stdout.write(`Wrote ${catalog.codes.length} codes to ${files.map((file) => file.path).join(' and ')}\n`);
    return 0;
  },
};
