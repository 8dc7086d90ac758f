// The check reference is rendered from the check definitions, and the Markdown page reports link to is the
// generated one (rewrite it with FAULTLINE_CHECK_DOCS_WRITE=1 after changing a definition).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkDefinitions, checkDocsUrl, checkReferenceMarkdown, checkReferencePage } from '@faultline/check';

const markdownFile = fileURLToPath(new URL('../docs/checks.md', import.meta.url));

describe('the check reference', () => {
  it('gives every check a stable, unique id, a number in order, and all its words', () => {
    expect(new Set(checkDefinitions.map((check) => check.id)).size).toBe(checkDefinitions.length);
    expect(checkDefinitions.map((check) => check.number)).toEqual(checkDefinitions.map((_, index) => index + 1));
    for (const check of checkDefinitions) {
      expect(check.id).toMatch(/^[a-z0-9-]+$/);
      for (const text of [check.title, check.sends, check.expects, check.why, check.remedy])
        expect(text.length).toBeGreaterThan(10);
    }
  });

  it('docs/checks.md is the generated Markdown, a heading per check whose anchor is its id', () => {
    const markdown = checkReferenceMarkdown();
    if (process.env['FAULTLINE_CHECK_DOCS_WRITE'] === '1') writeFileSync(markdownFile, markdown);
    expect(readFileSync(markdownFile, 'utf8')).toBe(markdown);
    for (const check of checkDefinitions) {
      expect(markdown).toContain(`\n## ${check.id}\n`);
      expect(markdown).toContain(check.remedy);
    }
    expect(checkDocsUrl).toMatch(/\/packages\/check\/docs\/checks\.md$/);
  });

  it('the HTML page has one section per check under its id', () => {
    const page = checkReferencePage();
    for (const check of checkDefinitions) expect(page.split(`<section id="${check.id}">`).length - 1).toBe(1);
  });
});
