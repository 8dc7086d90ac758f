import type { CheckReport } from './check-report.js';

/** The report as indented JSON: the schema of {@link CheckReport}, versioned by `schemaVersion`. */
export function formatJson(report: CheckReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}
