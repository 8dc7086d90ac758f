import { createHash } from 'node:crypto';
import { builtinCatalog, defineCatalog, profileNames, type ProfileName } from '@faultline/core';
import { describe, expect, it } from 'vitest';
import {
  entryMatches,
  errorReferenceContentSecurityPolicy,
  errorReferenceMarkdown,
  errorReferencePage,
  exampleBody,
  searchScript,
  searchText,
} from '@faultline/docs';

const page = errorReferencePage(builtinCatalog, { profile: 'problem', docsUrl: '/docs/errors' });

const count = (text: string, needle: string) => text.split(needle).length - 1;

/** The HTML of one code's section. */
function section(html: string, code: string): string {
  const start = html.indexOf(`<section id="${code}"`);
  expect(start, code).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</section>', start));
}

const unescape = (html: string) =>
  html
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** A catalog that is not the built-in one, with statuses and contexts the built-in one does not use. */
const customCatalog = defineCatalog({
  teapot_busy: {
    status: 418,
    title: 'Teapot <busy>',
    description: 'The teapot is brewing & cannot take "another" order.',
    action: 'Wait for `Retry-After` seconds.',
    category: 'rate_limit',
    retry: 'retry-after',
    headers: ['Retry-After'],
  },
  bad_grant: {
    status: 400,
    title: 'Bad grant',
    description: 'The grant is not valid.',
    action: 'Start the authorization again.',
    category: 'authentication',
    retry: 'reauthenticate',
    occursIn: ['oauth-token', 'oauth-authorization'],
    variants: [{ profile: 'classic', code: 'teapot_busy', status: 409, note: 'Classic clients expect a conflict.' }],
  },
});

describe('errorReferencePage', () => {
  it('has exactly one section, with the anchor #code, for every code, in catalog order', () => {
    for (const code of builtinCatalog.codes) expect({ code, ids: count(page, `id="${code}"`) }).toEqual({ code, ids: 1 });
    const ids = [...page.matchAll(/<section id="([a-z0-9_]+)"/g)].map((match) => match[1]);
    expect(ids).toEqual([...builtinCatalog.codes]);
  });

  it('gives each code its status, title, meaning, action, retry advice, headers and where it occurs', () => {
    for (const entry of builtinCatalog.entries) {
      const html = section(page, entry.code);
      expect(html).toContain(`<a href="#${entry.code}"><code>${entry.code}</code></a>`);
      expect(html).toContain(`<dt>Status</dt><dd>${entry.status}</dd>`);
      expect(html).toContain('<dt>What to do</dt>');
      expect(html).toContain('<dt>Retry</dt>');
      for (const header of entry.headers) expect(html).toContain(`<code>${header}</code>`);
      const where = /<dt>Where<\/dt><dd>([^<]*)<\/dd>/.exec(html)?.[1];
      expect(where?.split(', ')).toHaveLength(entry.occursIn.length);
    }
    const invalidRequest = section(page, 'invalid_request');
    expect(invalidRequest).toContain(
      '<dt>Where</dt><dd>API responses, OAuth2 authorization redirect, OAuth2 token endpoint</dd>',
    );
    expect(section(page, 'missing_parameter')).toContain('<dt>Variants</dt>');
    expect(section(page, 'missing_parameter')).toContain('the oauth format: written as <code>invalid_request</code>');
  });

  it('lists the extension members each code declares, with type and meaning, and none for a code without', () => {
    for (const entry of builtinCatalog.entries) {
      const html = section(page, entry.code);
      const names = Object.keys(entry.extensions);
      expect(html.includes('<dt>Extension members</dt>'), entry.code).toBe(names.length > 0);
      for (const name of names) expect(html, `${entry.code} ${name}`).toContain(`<li><code>${name}</code> (`);
    }
    expect(section(page, 'exceeds_monthly_recipients')).toContain('<code>resets_at</code> (string (date-time))');
    expect(section(page, 'conflict')).toContain('Not always sent.');
    const markdown = errorReferenceMarkdown(builtinCatalog, { profile: 'problem', docsUrl: '/docs/errors' });
    expect(markdown).toContain('  - `remaining` (integer): ');
  });

  it('shows an example body in every profile, exactly as writeErrorResponse writes it, the server profile open', () => {
    for (const entry of builtinCatalog.entries) {
      const html = section(page, entry.code);
      for (const profile of profileNames) {
        const example = exampleBody(builtinCatalog, entry, profile, '/docs/errors');
        expect(example).not.toBe('');
        expect(JSON.parse(example)).toEqual(expect.any(Object));
        expect(unescape(html)).toContain(`<summary>${profile} format</summary><pre>${example}</pre>`);
      }
      expect(html).toContain('<details open><summary>problem format</summary>');
      expect(count(html, '<details open>')).toBe(1);
    }
    const problem = JSON.parse(exampleBody(builtinCatalog, builtinCatalog.get('not_found'), 'problem', '/docs/errors'));
    expect(problem).toMatchObject({ type: '/docs/errors#not_found', status: 404, code: 'not_found' });
  });

  it('links every code from the status table row of its status', () => {
    const rows = new Map(
      [...page.matchAll(/<tr><td>(\d{3})<\/td><td>([^<]*)<\/td>.*?<\/tr>/g)].map((match) => [Number(match[1]), match[0]]),
    );
    for (const entry of builtinCatalog.entries) expect(rows.get(entry.status), entry.code).toContain(`<a href="#${entry.code}">`);
  });

  it('lists request_too_large on the 431 row too, the status it is sent with when the headers are too large', () => {
    const row = page.match(/<tr><td>431<\/td>.*?<\/tr>/)?.[0];
    expect(row).toContain('<a href="#request_too_large"><code>request_too_large</code></a>');
  });

  it('renders any catalog, escaping its text and adding rows for statuses the standard table lacks', () => {
    const html = errorReferencePage(customCatalog, {
      profile: 'classic',
      docsUrl: 'https://example.com/errors',
      title: 'Teapot errors',
    });
    expect(html).toContain('<title>Teapot errors</title>');
    expect(html).toMatch(/<tr><td>418<\/td><td>Client Error<\/td>.*<a href="#teapot_busy">/);
    expect(section(html, 'teapot_busy')).toContain('Teapot &lt;busy&gt;');
    expect(section(html, 'teapot_busy')).toContain('brewing &amp; cannot take &quot;another&quot; order');
    expect(section(html, 'teapot_busy')).toContain('Wait for <code>Retry-After</code> seconds.');
    expect(section(html, 'teapot_busy')).toContain('<details open><summary>classic format</summary>');
    expect(section(html, 'bad_grant')).toContain('<dt>Where</dt><dd>OAuth2 token endpoint, OAuth2 authorization redirect</dd>');
    expect(section(html, 'bad_grant')).toContain(
      'In the classic format: written as <code>teapot_busy</code>, status 409. Classic clients expect a conflict.',
    );
    expect(unescape(section(html, 'teapot_busy'))).toContain('"type": "https://example.com/errors#teapot_busy"');
    expect(html).not.toContain('<section id="not_found"');
  });
});

describe('the content security policy', () => {
  const scripts = [...page.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1] as string);
  const styles = [...page.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((match) => match[1] as string);
  const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

  it('allows exactly the inline script and style of the page, by hash, and nothing else', () => {
    expect(scripts).toHaveLength(1);
    expect(styles).toHaveLength(1);
    const directives = new Map(
      errorReferenceContentSecurityPolicy.split('; ').map((directive) => {
        const [name, ...values] = directive.split(' ');
        return [name, values.join(' ')];
      }),
    );
    expect(directives.get('default-src')).toBe("'none'");
    expect(directives.get('script-src')).toBe(hash(scripts[0] as string));
    expect(directives.get('style-src')).toBe(hash(styles[0] as string));
    expect(directives.get('frame-ancestors')).toBe("'none'");
    expect(directives.get('base-uri')).toBe("'none'");
    expect(errorReferenceContentSecurityPolicy).not.toContain('unsafe-inline');
    expect(errorReferenceContentSecurityPolicy).not.toContain('unsafe-eval');
  });

  it('is also in a <meta> element, less frame-ancestors, only when asked for', () => {
    expect(page).not.toContain('http-equiv');
    const embedded = errorReferencePage(builtinCatalog, { profile: 'problem', docsUrl: '/docs/errors', embedPolicy: true });
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(embedded)?.[1];
    expect(meta).toBe(
      unescape(errorReferenceContentSecurityPolicy.replace("; frame-ancestors 'none'", '')).replace(/'/g, '&#39;'),
    );
    expect(unescape(meta ?? '')).toContain(`script-src ${hash(scripts[0] as string)}`);
  });

  it('needs no inline event handler, style attribute or outside resource', () => {
    expect(page).not.toMatch(/\son[a-z]+=/);
    expect(page).not.toMatch(/\sstyle=/);
    expect(page).not.toMatch(/<(script|link|img|iframe)[^>]*\s(src|href)=/);
  });
});

describe('the search box', () => {
  it('is hidden until the script shows it, so the page without JavaScript shows every entry and no dead control', () => {
    expect(page).toContain('<p id="search-box" hidden>');
    expect(page).toContain('<input id="search" type="search"');
    expect(count(page, '<section id=')).toBe(builtinCatalog.codes.length);
    expect(page).not.toMatch(/<section [^>]*hidden/);
  });

  it('runs the same filter the tests check', () => {
    expect(searchScript).toContain(String(entryMatches));
  });

  it('matches every word of the query, case-insensitively, anywhere in code, title or description', () => {
    const text = searchText(builtinCatalog.get('invalid_api_key'));
    expect(text).toContain('invalid_api_key');
    expect(text).toContain('Invalid API key');
    expect(entryMatches(text, '')).toBe(true);
    expect(entryMatches(text, '   ')).toBe(true);
    expect(entryMatches(text, 'invalid_api_key')).toBe(true);
    expect(entryMatches(text, 'INVALID_API')).toBe(true);
    expect(entryMatches(text, 'api key')).toBe(true);
    expect(entryMatches(text, '  key   issued ')).toBe(true);
    expect(entryMatches(text, 'revoked')).toBe(true);
    expect(entryMatches(text, 'api teapot')).toBe(false);
    expect(entryMatches(text, 'not_found')).toBe(false);
  });

  it('finds exactly the typed code among all codes when no other code contains it', () => {
    const matching = (query: string) =>
      builtinCatalog.entries.filter((entry) => entryMatches(searchText(entry), query)).map((entry) => entry.code);
    expect(matching('invalid_api_key')).toEqual(['invalid_api_key']);
    expect(matching('')).toEqual([...builtinCatalog.codes]);
    expect(matching('rate limit').length).toBeGreaterThan(0);
    expect(matching('zzzz')).toEqual([]);
  });
});

describe('errorReferenceMarkdown', () => {
  const markdown = errorReferenceMarkdown(builtinCatalog, { profile: 'oauth', docsUrl: '/docs/errors' });

  it('has an anchor, a heading and the details for every code', () => {
    for (const entry of builtinCatalog.entries) {
      expect(count(markdown, `<a id="${entry.code}"></a>`)).toBe(1);
      expect(markdown).toContain(`### \`${entry.code}\`: ${entry.status} ${entry.title}`);
      expect(markdown).toContain(`](#${entry.code})`);
    }
    expect(markdown).toContain('- **Where:** API responses, OAuth2 authorization redirect, OAuth2 token endpoint');
  });

  it('has an example in every profile for every code, and marks the server profile', () => {
    for (const entry of builtinCatalog.entries) {
      const start = markdown.indexOf(`<a id="${entry.code}"></a>`);
      const end = markdown.indexOf('<a id=', start + 1);
      const part = markdown.slice(start, end === -1 ? undefined : end);
      for (const profile of profileNames as readonly ProfileName[]) {
        expect(part).toContain('```json\n' + exampleBody(builtinCatalog, entry, profile, '/docs/errors') + '\n```');
      }
      expect(part).toContain('oauth format (this server):');
    }
  });

  it('has a status table row per status', () => {
    expect(markdown).toContain('| Status | Name | Meaning | Codes |');
    expect(markdown).toMatch(/\| 404 \| Not Found \| .*\[`not_found`\]\(#not_found\)/);
    expect(markdown).toMatch(/\| 431 \| Request Header Fields Too Large \| .*\[`request_too_large`\]\(#request_too_large\)/);
  });
});
