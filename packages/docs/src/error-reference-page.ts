import { profileNames, type Catalog, type CatalogEntry, type ProfileName } from '@faultline/core';
import { contentSecurityPolicy } from './content-security-policy.js';
import { escapeHtml, inlineHtml } from './escape.js';
import { exampleBody } from './example-body.js';
import { searchScript, searchText } from './search-script.js';
import { statusRows } from './status-rows.js';
import { variantText } from './variant-text.js';
import { contextLabels, retryAdvice } from './wording.js';
import { extensionTexts } from './extension-text.js';

/** What the reference is rendered for. */
export interface ErrorReferenceOptions {
  /** The format the server writes; its example is the one shown open. */
  readonly profile: ProfileName;
  /** The URL the page is served at; problem+json `type` URIs in the examples point into it. */
  readonly docsUrl: string;
  /** The page heading; "Error reference" by default. */
  readonly title?: string;
  /**
   * Also put the policy in a `<meta>` element, for a page served as a file,
   * without the header. `frame-ancestors` cannot be set that way; send
   * {@link errorReferenceContentSecurityPolicy} as a header where you can.
   */
  readonly embedPolicy?: boolean;
  /** The operations each code can come from (e.g. `GET /v1/campaigns/{id}`), by code; see {@link operationsByCode}. */
  readonly operations?: Readonly<Record<string, readonly string[]>>;
}

const pageStyle = `
body { font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }
code, pre { font-family: ui-monospace, monospace; font-size: 0.9em; overflow-wrap: anywhere; }
pre { background: #f4f4f4; padding: 0.75rem; white-space: pre-wrap; }
table { border-collapse: collapse; width: 100%; }
td, th { border-bottom: 1px solid #ddd; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
section { border-top: 1px solid #ccc; margin-top: 1.5rem; }
section:target { background: #fffbe6; }
dt { font-weight: 600; }
.status { color: #555; font-weight: normal; }
#search-box input { font: inherit; width: 100%; max-width: 30rem; padding: 0.3rem 0.5rem; }
[hidden] { display: none !important; }
@media (max-width: 30rem) { body { padding: 0 0.5rem; } td, th { padding: 0.3rem 0.2rem; } }
`;

/** The header to send with {@link errorReferencePage}: its script and style by hash, nothing else. */
export const errorReferenceContentSecurityPolicy = contentSecurityPolicy(searchScript, pageStyle);

/** The same policy less `frame-ancestors`, which browsers ignore in a `<meta>` element. */
const metaPolicy = errorReferenceContentSecurityPolicy
  .split('; ')
  .filter((directive) => !directive.startsWith('frame-ancestors '))
  .join('; ');

/**
 * A self-contained HTML page of every code of a catalog: status, title,
 * meaning, what to do, whether to retry, the headers that come with it, where
 * it can occur, its variants and an example body in each profile, under a
 * stable anchor `#code`; a status table linking to the codes; and a search
 * box. Serve it with {@link errorReferenceContentSecurityPolicy}.
 */
export function errorReferencePage(catalog: Catalog, options: ErrorReferenceOptions): string {
  const title = options.title ?? 'Error reference';
  const rows = statusRows(catalog)
    .map((row) => {
      const codes = row.entries.map((entry) => `<a href="#${entry.code}"><code>${entry.code}</code></a>`);
      return `<tr><td>${row.status}</td><td>${escapeHtml(row.name)}</td><td>${inlineHtml(row.meaning)}</td><td>${codes.join(' ')}</td></tr>`;
    })
    .join('\n');
  const entries = catalog.entries.map((entry) => entrySection(catalog, entry, options)).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
${options.embedPolicy === true ? `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(metaPolicy)}">\n` : ''}<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${pageStyle}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>Every error this API returns has a code from the list below, an HTTP status and a body in the <code>${options.profile}</code> format
(send <code>Accept: application/problem+json</code> for RFC 9457 problem details). Each response carries an <code>x-request-id</code>: quote it when you contact support.</p>
<h2 id="statuses">Statuses</h2>
<table><thead><tr><th>Status</th><th>Name</th><th>Meaning</th><th>Codes</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<h2 id="codes">Codes</h2>
<p id="search-box" hidden><label for="search">Search codes</label><br>
<input id="search" type="search" placeholder="Code, title or words of the description" autocomplete="off">
<span id="search-count" role="status"></span></p>
${entries}
<script>${searchScript}</script>
</body>
</html>
`;
}

function entrySection(catalog: Catalog, entry: CatalogEntry, options: ErrorReferenceOptions): string {
  const headers =
    entry.headers.length > 0
      ? entry.headers.map((header) => `<code>${escapeHtml(header)}</code>`).join(', ')
      : 'None beyond the usual.';
  const variants = entry.variants
    .map((variant) => {
      const { where, what } = variantText(variant);
      return `<li>In ${inlineHtml(where)}: ${inlineHtml(what)}. ${inlineHtml(variant.note)}</li>`;
    })
    .join('');
  const examples = profileNames
    .map(
      (profile) =>
        `<details${profile === options.profile ? ' open' : ''}><summary>${profile} format</summary><pre>${escapeHtml(exampleBody(catalog, entry, profile, options.docsUrl))}</pre></details>`,
    )
    .join('\n');
  return `<section id="${entry.code}" data-search="${escapeHtml(searchText(entry))}">
<h3><a href="#${entry.code}"><code>${entry.code}</code></a> <span class="status">${entry.status} &middot; ${escapeHtml(entry.title)}</span></h3>
<p>${inlineHtml(entry.description)}</p>
<dl>
<dt>Status</dt><dd>${entry.status}</dd>
<dt>What to do</dt><dd>${inlineHtml(entry.action)}</dd>
<dt>Retry</dt><dd>${retryAdvice[entry.retry]}</dd>
<dt>Headers</dt><dd>${headers}</dd>
<dt>Where</dt><dd>${entry.occursIn.map((context) => contextLabels[context]).join(', ')}</dd>
${membersRow(entry)}
${operationsRow(options.operations?.[entry.code])}
${variants === '' ? '' : `<dt>Variants</dt><dd><ul>${variants}</ul></dd>`}
</dl>
${examples}
</section>`;
}

/** The extension members of a problem+json body of this code. */
function membersRow(entry: CatalogEntry): string {
  const members = extensionTexts(entry);
  if (members.length === 0) return '';
  const items = members
    .map((member) => `<li><code>${member.name}</code> (${member.type}): ${inlineHtml(member.description)}</li>`)
    .join('');
  return `<dt>Extension members</dt><dd><ul>${items}</ul></dd>`;
}

function operationsRow(operations: readonly string[] | undefined): string {
  if (operations === undefined || operations.length === 0) return '';
  return `<dt>Operations</dt><dd>${operations.map((operation) => `<code>${escapeHtml(operation)}</code>`).join(', ')}</dd>`;
}
