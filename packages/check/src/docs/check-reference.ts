import { createHash } from 'node:crypto';
import type { CheckDefinition } from '../check-definition.js';
import { checkDefinitions } from '../checks/index.js';

/** What the check reference is rendered for. */
export interface CheckReferenceOptions {
  /** The page heading; "faultline check: the checks" by default. */
  readonly title?: string;
}

const defaultTitle = 'faultline check: the checks';
const intro =
  'Each check of `faultline check`, under an anchor named by its id: what it sends, what it expects, why it matters and how to fix a failure. The report of a run links each result here.';

const style = `
body { font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }
code { font-family: ui-monospace, monospace; font-size: 0.9em; overflow-wrap: anywhere; }
section { border-top: 1px solid #ccc; margin-top: 1.5rem; }
section:target { background: #fffbe6; }
dt { font-weight: 600; }
.severity { color: #555; font-weight: normal; }
`;

/** The header to serve {@link checkReferencePage} with: no script, its one style by hash, no framing. */
export const checkReferenceContentSecurityPolicy = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

/**
 * The check reference as one HTML page, a section per check under `#id`,
 * rendered from the check definitions (the same words the report prints).
 * Serve it with {@link checkReferenceContentSecurityPolicy}.
 *
 * @example
 * app.get('/docs/checks', (_request, reply) => reply.type('text/html').header('content-security-policy', checkReferenceContentSecurityPolicy).send(checkReferencePage()));
 */
export function checkReferencePage(options: CheckReferenceOptions = {}): string {
  const title = options.title ?? defaultTitle;
  const sections = checkDefinitions.map(
    (check) => `<section id="${check.id}">
<h2>${check.number}. ${inline(check.title)} <span class="severity">(<code>${check.id}</code>, ${check.severity})</span></h2>
<dl>
<dt>Sends</dt><dd>${inline(check.sends)}</dd>
<dt>Expects</dt><dd>${inline(check.expects)}</dd>
<dt>Why</dt><dd>${inline(check.why)}</dd>
<dt>Fix</dt><dd>${inline(check.remedy)}</dd>
</dl>
</section>`,
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${inline(intro)}</p>
<ol>
${checkDefinitions.map((check) => `<li><a href="#${check.id}">${inline(check.title)}</a> (${check.severity})</li>`).join('\n')}
</ol>
${sections.join('\n')}
</body>
</html>
`;
}

/**
 * The check reference in Markdown, a heading per check whose anchor is its id
 * (the page `docs/checks.md` of this package, which reports link to).
 */
export function checkReferenceMarkdown(options: CheckReferenceOptions = {}): string {
  const lines = [
    `# ${options.title ?? defaultTitle}`,
    '',
    intro,
    '',
    '<!-- Generated from packages/check/src/checks by checkReferenceMarkdown(); a test keeps it in step. -->',
    '',
  ];
  for (const check of checkDefinitions) lines.push(...markdownSection(check));
  return lines.join('\n');
}

function markdownSection(check: CheckDefinition): string[] {
  return [
    `## ${check.id}`,
    '',
    `**${check.number}. ${check.title}** (${check.severity})`,
    '',
    `- **Sends:** ${check.sends}`,
    `- **Expects:** ${check.expects}`,
    `- **Why:** ${check.why}`,
    `- **Fix:** ${check.remedy}`,
    '',
  ];
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Escapes text, then turns `backticks` into code spans. */
function inline(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}
