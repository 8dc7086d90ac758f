/**
 * The error reference in a real browser: Debian's Chromium, driven by
 * playwright-core, against the reference API listening on a port, with the
 * page's Content-Security-Policy in force. There is no skip: without Chromium
 * at /usr/bin/chromium this test fails (install it with
 * `apt-get install -y chromium`; `npm test` does, as root).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtinCatalog } from '@faultline/core';
import { errorReferencePage } from '@faultline/docs';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { artifacts, launchChromium } from './chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWorld, type World } from './support.js';

const screenshot = join(artifacts, 'docs-errors-search.png');
const phoneScreenshot = join(artifacts, 'docs-errors-390px.png');

let world: World;
let app: FastifyInstance;
let browser: Browser;
let baseUrl: string;

beforeAll(async () => {
  rmSync(screenshot, { force: true });
  rmSync(phoneScreenshot, { force: true });
  world = await openWorld();
  app = await world.app();
  baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await world?.close();
});

describe('/docs/errors in Chromium', () => {
  it('filters the entries as a code is typed, follows its anchor, and runs under its CSP without violations', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    const response = await page.goto(`${baseUrl}/docs/errors`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'sha256-");

    const entries = page.locator('section[data-search]');
    const search = page.locator('#search');
    // The script ran (the CSP hash let it): the search box is shown, and every entry too.
    await expect.poll(() => search.isVisible()).toBe(true);
    expect(await entries.count()).toBe(builtinCatalog.codes.length);
    expect(await page.locator('section[data-search]:visible').count()).toBe(builtinCatalog.codes.length);

    await search.pressSequentially('invalid_api_key');
    await expect.poll(() => page.locator('section[data-search]:visible').count()).toBe(1);
    expect(await page.locator('#invalid_api_key').isVisible()).toBe(true);
    expect(await page.locator('#not_found').isVisible()).toBe(false);
    expect(await page.locator('#search-count').textContent()).toBe(`1 of ${builtinCatalog.codes.length} codes match.`);

    await page.locator('#invalid_api_key h3 a').click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#invalid_api_key');
    expect(await page.locator('section:target').getAttribute('id')).toBe('invalid_api_key');
    expect(await page.locator('#invalid_api_key').isVisible()).toBe(true);

    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: false });

    // A link to an entry the search hides clears the search, so the entry shows.
    await page.goto(`${baseUrl}/docs/errors#not_found`);
    await search.fill('invalid_api_key');
    await expect.poll(() => page.locator('#not_found').isVisible()).toBe(false);
    await page.evaluate(() => {
      location.hash = '#missing_parameter';
    });
    await expect.poll(() => page.locator('section[data-search]:visible').count()).toBe(builtinCatalog.codes.length);
    expect(await search.inputValue()).toBe('');
    expect(await page.locator('section:target').getAttribute('id')).toBe('missing_parameter');

    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows every entry and no search box when JavaScript is off', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/docs/errors`);
    expect(await page.locator('section[data-search]:visible').count()).toBe(builtinCatalog.codes.length);
    expect(await page.locator('#search').isVisible()).toBe(false);
    await context.close();
  });

  it('searches in the page written as a file too, under the policy of its <meta> element', async () => {
    const file = join(world.directory, 'errors.html');
    writeFileSync(file, errorReferencePage(builtinCatalog, { profile: 'problem', docsUrl: '/docs/errors', embedPolicy: true }));
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await page.goto(pathToFileURL(file).href);
    await expect.poll(() => page.locator('#search').isVisible()).toBe(true);
    await page.locator('#search').pressSequentially('not_found');
    await expect.poll(() => page.locator('section[data-search]:visible').count()).toBe(1);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('fits a 390 px wide phone screen: no horizontal scrolling, every example wrapped inside the page', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${baseUrl}/docs/errors`);
    // Every example open, in every format: the longest bodies are in the closed ones.
    await page.evaluate(() => {
      for (const details of Array.from(document.querySelectorAll('details'))) details.open = true;
    });
    const layout = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const describe = (element: Element) =>
        `${element.tagName.toLowerCase()} in #${element.closest('section')?.id ?? 'the page'}`;
      return {
        width,
        pageWidth: document.documentElement.scrollWidth,
        pastTheEdge: Array.from(document.querySelectorAll('body *'))
          .filter((element) => element.getBoundingClientRect().right > width + 0.5)
          .map(describe),
        scrollingExamples: Array.from(document.querySelectorAll('pre'))
          .filter((pre) => pre.scrollWidth > pre.clientWidth)
          .map(describe),
        examples: document.querySelectorAll('pre').length,
      };
    });
    expect(layout.width).toBe(390);
    expect(layout.examples).toBeGreaterThan(builtinCatalog.codes.length);
    expect(layout).toMatchObject({ pageWidth: 390, pastTheEdge: [], scrollingExamples: [] });
    mkdirSync(artifacts, { recursive: true });
    await page.locator('#invalid_api_key').scrollIntoViewIfNeeded();
    await page.screenshot({ path: phoneScreenshot });
    await page.close();
  });

  it('saved the screenshot as a non-empty PNG', () => {
    expect(existsSync(screenshot)).toBe(true);
    expect(statSync(screenshot).size).toBeGreaterThan(1000);
    const signature = readFileSync(screenshot).subarray(0, 8);
    expect([...signature]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });
});
