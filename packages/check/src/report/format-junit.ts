import type { CheckReport } from './check-report.js';

/**
 * The report as JUnit XML, for CI: a test case per check; a failed check is
 * a failure, a skipped one is skipped, a warning passes with its findings in
 * system-out; an unreachable target is one errored case.
 */
export function formatJunit(report: CheckReport): string {
  const seconds = (report.durationMs / 1000).toFixed(3);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  if (report.unreachable !== undefined) {
    out.push(
      `<testsuites name="faultline check" tests="1" failures="0" errors="1" skipped="0" time="${seconds}">`,
      `  <testsuite name="${xml(report.target)}" tests="1" failures="0" errors="1" skipped="0" time="${seconds}" timestamp="${report.startedAt}">`,
      `    <testcase classname="faultline.check" name="reach the target"><error message="${xml(report.unreachable)}"/></testcase>`,
      '  </testsuite>',
      '</testsuites>',
    );
    return out.join('\n') + '\n';
  }
  const { fail, skip } = report.summary;
  const total = report.checks.length;
  out.push(
    `<testsuites name="faultline check" tests="${total}" failures="${fail}" errors="0" skipped="${skip}" time="${seconds}">`,
    `  <testsuite name="${xml(report.target)}" tests="${total}" failures="${fail}" errors="0" skipped="${skip}" time="${seconds}" timestamp="${report.startedAt}">`,
  );
  for (const check of report.checks) {
    const name = `${check.number}. ${check.id}: ${check.title}`;
    const details = check.findings
      .map((finding) =>
        [
          finding.message,
          finding.request === undefined ? '' : `  ${finding.request.method} ${finding.request.url.slice(0, 200)}`,
          finding.response === undefined ? '' : `  → ${finding.response.status} ${finding.response.body.slice(0, 300)}`,
        ]
          .filter(Boolean)
          .join('\n'),
      )
      .join('\n');
    const text = `${details}\n\nFix: ${check.remedy}\nDocs: ${check.docsUrl}`;
    out.push(`    <testcase classname="faultline.check" name="${xml(name)}">`);
    if (check.status === 'fail')
      out.push(
        `      <failure message="${xml(check.findings[0]?.message ?? 'failed')}" type="${check.id}">${xml(text)}</failure>`,
      );
    if (check.status === 'skip') out.push(`      <skipped message="${xml(check.skipped ?? '')}"/>`);
    if (check.status === 'warn') out.push(`      <system-out>${xml(`warning: ${text}`)}</system-out>`);
    out.push('    </testcase>');
  }
  out.push('  </testsuite>', '</testsuites>');
  return out.join('\n') + '\n';
}

/** Whether XML 1.0 forbids a character: controls other than tab, newline and return, and U+FFFE/U+FFFF. */
function forbiddenInXml(character: string): boolean {
  const code = character.charCodeAt(0);
  return (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0xfffe || code === 0xffff;
}

/** Text for XML: escaped, and without the characters XML 1.0 forbids. */
function xml(text: string): string {
  return Array.from(text, (character) => (forbiddenInXml(character) ? '?' : character))
    .join('')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
