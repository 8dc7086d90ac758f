/**
 * Where the check reference is published by default: the Markdown page
 * generated from the check definitions (`docs/checks.md` in this package).
 * Each result links to its anchor; `docsUrl` in the options points elsewhere,
 * e.g. at an API's own `/docs/checks`.
 */
export const checkDocsUrl = 'https://github.com/faultline-dev/faultline/blob/main/packages/check/docs/checks.md';
