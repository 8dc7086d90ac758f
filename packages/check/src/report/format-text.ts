import type { CheckReport, CheckResult, FindingReport } from './check-report.js';

const maxFindings = 3;
const labels = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skip: 'SKIP' } as const;
/** Response headers worth showing beside a failure, besides the ones its evidence names. */
const telling = [
  'content-type',
  'allow',
  'www-authenticate',
  'retry-after',
  'x-request-id',
  'cache-control',
  'etag',
  'x-powered-by',
  'server',
];
/** Request headers every probe sends; shown only when a check set them itself. */
const routine = new Set(['accept', 'user-agent']);

/**
 * The report for a person: a line per check, and under each failure the
 * exact request, the part of the answer that shows it, the remedy and the
 * docs link. Credentials were redacted when the report was made.
 */
export function formatText(report: CheckReport): string {
  const out: string[] = [`faultline check ${report.target}`];
  if (report.unreachable !== undefined) {
    out.push('', `Could not reach ${report.target}: ${report.unreachable}`, 'Is the API running, and is the URL right?');
    return out.join('\n') + '\n';
  }
  const document =
    report.document === null
      ? `no API document (${report.documentMissing ?? 'none given'}); checks that need one are skipped`
      : `${report.document.source} (OpenAPI ${report.document.openapi}, ${report.document.operations} operations)`;
  out.push(`Document: ${document}`);
  if (report.catalog !== null) out.push(`Catalog: ${report.catalog.source} (${report.catalog.codes} codes)`);
  out.push(`Error shape: ${report.shape ?? 'no error body seen'}`, '');
  const width = Math.max(...report.checks.map((check) => check.id.length));
  for (const check of report.checks) out.push(...formatCheck(check, width));
  const { pass, fail, warn, skip } = report.summary;
  out.push(
    '',
    `${report.checks.length} checks: ${pass} passed, ${fail} failed, ${warn} warned, ${skip} skipped (${report.requests} requests in ${(report.durationMs / 1000).toFixed(1)} s)`,
  );
  return out.join('\n') + '\n';
}

function formatCheck(check: CheckResult, width: number): string[] {
  const head = `${labels[check.status]} ${String(check.number).padStart(2)} ${check.id.padEnd(width)}  ${check.title}`;
  if (check.status === 'skip') return [`${head}`, `           skipped: ${check.skipped ?? ''}`];
  if (check.status === 'pass') return [head];
  const lines = [head];
  for (const finding of check.findings.slice(0, maxFindings)) lines.push(...formatFinding(finding));
  if (check.findings.length > maxFindings)
    lines.push(`        … and ${check.findings.length - maxFindings} more (--format json lists them all)`);
  lines.push(`        Expected: ${check.expects}`, `        Fix: ${check.remedy}`, `        Docs: ${check.docsUrl}`, '');
  return lines;
}

function formatFinding(finding: FindingReport): string[] {
  const lines = [`      ✗ ${finding.message}`];
  const { request, response } = finding;
  if (request !== undefined) {
    // Cut after the origin, so a long URL reads the same whatever the port.
    const origin = /^[a-z]+:\/\/[^/]+/i.exec(request.url)?.[0] ?? '';
    lines.push(`          > ${request.method} ${origin}${cut(request.url.slice(origin.length), 100)}`);
    // The oversized-headers probe sends many padding headers: one line says what they were.
    const padding = request.headers.filter(([name]) => /^x-faultline-check-\d+$/i.test(name));
    for (const [name, value] of request.headers) {
      if (routine.has(name.toLowerCase()) || padding.some(([padded]) => padded === name)) continue;
      lines.push(`          > ${name}: ${cut(value, 80)}`);
    }
    if (padding.length > 0) {
      const bytes = padding.reduce((sum, [name, value]) => sum + name.length + value.length + 4, 0);
      lines.push(
        `          > X-Faultline-Check-0 to -${padding.length - 1}: ${padding.length} headers, ${Math.round(bytes / 1024)} KiB in all`,
      );
    }
    if (request.announcedLength !== undefined)
      lines.push(`          > Content-Length: ${request.announcedLength} (announced; only the body below was sent)`);
    if (request.body !== undefined) lines.push(`          > ${cut(oneLine(request.body), 120)}`);
  }
  if (response !== undefined) {
    lines.push(`          < ${response.status}`);
    const evidence = finding.evidence?.toLowerCase() ?? '';
    for (const [name, value] of response.headers) {
      if (telling.includes(name) || evidence.startsWith(`${name}:`)) lines.push(`          < ${name}: ${cut(value, 120)}`);
    }
    if (response.body !== '') lines.push(`          < ${cut(oneLine(response.body), 240)}`);
  }
  if (finding.failure !== undefined && response === undefined) lines.push(`          (${finding.failure})`);
  if (finding.evidence !== undefined && !/^[\w-]+: /.test(finding.evidence))
    lines.push(`          evidence: ${cut(finding.evidence, 160)}`);
  return lines;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}
