import { profileNames, type Catalog, type CatalogEntry } from '@faultline/core';
import type { ErrorReferenceOptions } from './error-reference-page.js';
import { exampleBody } from './example-body.js';
import { statusRows } from './status-rows.js';
import { variantText } from './variant-text.js';
import { contextLabels, retryAdvice } from './wording.js';
import { extensionTexts } from './extension-text.js';

/**
 * The same reference as {@link errorReferencePage}, in Markdown: a status
 * table linking to the codes, and a section per code under an explicit
 * `<a id="code">` anchor, so `#code` links work whatever the renderer does to
 * heading ids.
 */
export function errorReferenceMarkdown(catalog: Catalog, options: ErrorReferenceOptions): string {
  const title = options.title ?? 'Error reference';
  const rows = statusRows(catalog).map((row) => {
    const codes = row.entries.map((entry) => `[\`${entry.code}\`](#${entry.code})`).join(' ');
    return `| ${row.status} | ${cell(row.name)} | ${cell(row.meaning)} | ${codes} |`;
  });
  return [
    `# ${title}`,
    '',
    `Every error this API returns has a code from the list below, an HTTP status and a body in the \`${options.profile}\` format ` +
      '(send `Accept: application/problem+json` for RFC 9457 problem details). ' +
      'Each response carries an `x-request-id`: quote it when you contact support.',
    '',
    '## Statuses',
    '',
    '| Status | Name | Meaning | Codes |',
    '| ------ | ---- | ------- | ----- |',
    ...rows,
    '',
    '## Codes',
    '',
    ...catalog.entries.map((entry) => entrySection(catalog, entry, options)),
  ].join('\n');
}

function entrySection(catalog: Catalog, entry: CatalogEntry, options: ErrorReferenceOptions): string {
  const lines = [
    `<a id="${entry.code}"></a>`,
    '',
    `### \`${entry.code}\`: ${entry.status} ${entry.title}`,
    '',
    entry.description,
    '',
    `- **Status:** ${entry.status}`,
    `- **What to do:** ${entry.action}`,
    `- **Retry:** ${retryAdvice[entry.retry]}`,
    `- **Headers:** ${entry.headers.length > 0 ? entry.headers.map((header) => `\`${header}\``).join(', ') : 'None beyond the usual.'}`,
    `- **Where:** ${entry.occursIn.map((context) => contextLabels[context]).join(', ')}`,
  ];
  const members = extensionTexts(entry);
  if (members.length > 0) {
    lines.push('- **Extension members** (problem+json):');
    for (const member of members) lines.push(`  - \`${member.name}\` (${member.type}): ${member.description}`);
  }
  if (entry.variants.length > 0) {
    lines.push('- **Variants:**');
    for (const variant of entry.variants) {
      const { where, what } = variantText(variant);
      lines.push(`  - In ${where}: ${what}. ${variant.note}`);
    }
  }
  for (const profile of profileNames) {
    lines.push(
      '',
      `${profile} format${profile === options.profile ? ' (this server)' : ''}:`,
      '',
      '```json',
      exampleBody(catalog, entry, profile, options.docsUrl),
      '```',
    );
  }
  lines.push('');
  return lines.join('\n');
}

/** Text safe inside a table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
