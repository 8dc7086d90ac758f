/**
 * @faultline/docs: the error reference, as an HTML page and as Markdown,
 * generated from any catalog.
 * @packageDocumentation
 */
export { errorReferencePage, errorReferenceContentSecurityPolicy, type ErrorReferenceOptions } from './error-reference-page.js';
export { errorReferenceMarkdown } from './error-reference-markdown.js';
export { errorReferenceJson } from './error-reference-json.js';
export { exampleBody } from './example-body.js';
export { entryMatches, searchScript, searchText } from './search-script.js';
export { contentSecurityPolicy, sha256Source } from './content-security-policy.js';
export { statusRows, type StatusRow } from './status-rows.js';
export { contextLabels, retryAdvice } from './wording.js';
export { operationsByCode } from './operations-by-code.js';
