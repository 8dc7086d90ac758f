/**
 * @faultline/check: holds any running HTTP API to the error contract.
 *
 * @example
 * import { checkApi, formatText } from '@faultline/check';
 * const report = await checkApi({ baseUrl: 'http://127.0.0.1:3000' });
 * process.stdout.write(formatText(report));
 * @packageDocumentation
 */
export { checkApi, defaultLimits, type CheckOptions } from './check-api.js';
export type { CheckReport, CheckResult, FindingReport } from './report/check-report.js';
export type { CheckDefinition, CheckStatus, Severity } from './check-definition.js';
export { checkDefinitions } from './checks/index.js';
export { SourceError } from './discovery/read-source.js';
export { recognizeErrorShape, type ErrorShape, type ErrorShapeName } from './error-shape.js';
export { formatText } from './report/format-text.js';
export { formatJson } from './report/format-json.js';
export { formatJunit } from './report/format-junit.js';
export { checkDocsUrl } from './report/docs-url.js';
export {
  checkReferencePage,
  checkReferenceMarkdown,
  checkReferenceContentSecurityPolicy,
  type CheckReferenceOptions,
} from './docs/check-reference.js';
