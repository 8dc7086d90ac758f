import {
  httpStatuses,
  profileNames,
  writeErrorResponse,
  type Catalog,
  type CatalogEntry,
  type RetryPolicy,
} from '@faultline/core';

const retryAdvice: Readonly<Record<RetryPolicy, string>> = {
  never: 'No. The same request fails the same way; change it first.',
  backoff: 'Yes, for idempotent requests, with exponential backoff and jitter.',
  'retry-after': 'Yes, after the time the response gives (Retry-After, or the time in the body).',
  reauthenticate: 'Once, after getting fresh credentials.',
  'quota-reset': 'Not before the quota resets; the response says when.',
};

const exampleTime = Date.UTC(2026, 0, 15, 9, 30, 0);

/** An example response body for a code, as a profile writes it. */
export function exampleBody(
  catalog: Catalog,
  entry: CatalogEntry,
  profile: (typeof profileNames)[number],
  docsUrl: string,
): string {
  const retryAt =
    entry.retry === 'retry-after' || entry.retry === 'quota-reset' ? { retryAt: new Date(exampleTime + 60_000) } : {};
  const error = catalog.error(entry.code, retryAt);
  const response = writeErrorResponse(error, { catalog, profile, requestId: 'req_example', docsUrl, now: exampleTime });
  return response === undefined ? '' : JSON.stringify(JSON.parse(response.body), null, 2);
}

/** The catalog as JSON: every entry, with what each profile writes for it. */
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

/**
 * A readable, self-contained HTML page of every code: what it means, what to
 * do, whether to retry, the headers that come with it, and an example body.
 * Each code has a stable anchor (`#code`) that problem+json `type` URIs use.
 */
export function errorReferencePage(catalog: Catalog, activeProfile: (typeof profileNames)[number], docsUrl: string): string {
  const rows = httpStatuses
    .map((row) => {
      const codes = catalog.entries
        .filter((entry) => entry.status === row.status)
        .map((entry) => `<a href="#${entry.code}"><code>${entry.code}</code></a>`);
      return `<tr><td>${row.status}</td><td>${escapeHtml(row.name)}</td><td>${inline(row.meaning)}</td><td>${codes.join(' ')}</td></tr>`;
    })
    .join('\n');
  const entries = catalog.entries.map((entry) => entrySection(catalog, entry, activeProfile, docsUrl)).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Error reference</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }
code, pre { font-family: ui-monospace, monospace; font-size: 0.9em; }
pre { background: #f4f4f4; padding: 0.75rem; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
td, th { border-bottom: 1px solid #ddd; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
section { border-top: 1px solid #ccc; margin-top: 1.5rem; }
dt { font-weight: 600; }
.status { color: #555; font-weight: normal; }
</style>
</head>
<body>
<h1>Error reference</h1>
<p>Every error this API returns has a code from the list below, an HTTP status and a body in the <code>${activeProfile}</code> format
(send <code>Accept: application/problem+json</code> for RFC 9457 problem details). Each response carries an <code>x-request-id</code>: quote it when you contact support.</p>
<h2 id="statuses">Statuses</h2>
<table><thead><tr><th>Status</th><th>Name</th><th>Meaning</th><th>Codes</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<h2 id="codes">Codes</h2>
${entries}
</body>
</html>
`;
}

function entrySection(
  catalog: Catalog,
  entry: CatalogEntry,
  activeProfile: (typeof profileNames)[number],
  docsUrl: string,
): string {
  const headers =
    entry.headers.length > 0
      ? entry.headers.map((header) => `<code>${escapeHtml(header)}</code>`).join(', ')
      : 'None beyond the usual.';
  const variants = entry.variants
    .map((variant) => {
      const where = [variant.profile && `the ${variant.profile} format`, variant.context && `the ${variant.context} context`]
        .filter(Boolean)
        .join(' in ');
      const what = [variant.code && `written as <code>${variant.code}</code>`, variant.status && `status ${variant.status}`]
        .filter(Boolean)
        .join(', ');
      return `<li>In ${escapeHtml(where)}: ${what}. ${inline(variant.note)}</li>`;
    })
    .join('');
  const examples = profileNames
    .map(
      (profile) =>
        `<details${profile === activeProfile ? ' open' : ''}><summary>${profile} format</summary><pre>${escapeHtml(exampleBody(catalog, entry, profile, docsUrl))}</pre></details>`,
    )
    .join('\n');
  return `<section id="${entry.code}">
<h3><a href="#${entry.code}"><code>${entry.code}</code></a> <span class="status">${entry.status} &middot; ${escapeHtml(entry.title)}</span></h3>
<p>${inline(entry.description)}</p>
<dl>
<dt>What to do</dt><dd>${inline(entry.action)}</dd>
<dt>Retry</dt><dd>${retryAdvice[entry.retry]}</dd>
<dt>Headers</dt><dd>${headers}</dd>
<dt>Where</dt><dd>${entry.occursIn.join(', ')}</dd>
${variants === '' ? '' : `<dt>Variants</dt><dd><ul>${variants}</ul></dd>`}
</dl>
${examples}
</section>`;
}

/** Escapes text, then turns `backticks` into code spans. */
function inline(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
