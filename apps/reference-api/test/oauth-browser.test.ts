/**
 * The authorization code flow with PKCE in a real browser: Debian's Chromium,
 * driven by playwright-core, logs in on the login page, allows on the consent
 * page, and is sent to the client's redirect URI (intercepted, as the client
 * would receive it); the code is then exchanged with fetch and the token used
 * on the API. The pages' Content-Security-Policy is in force throughout.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { artifacts, launchChromium } from './chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';
import { password, pkcePair, registerApp, setPassword, type RegisteredApp } from './oauth-support.js';
import { openWorld, type World } from './support.js';

const screenshot = join(artifacts, 'oauth-consent.png');
const callback = 'http://localhost:8123/callback?from=faultline';
const issuer = 'http://issuer.test';

let world: World;
let app: FastifyInstance;
let browser: Browser;
let baseUrl: string;
let client: RegisteredApp;

beforeAll(async () => {
  rmSync(screenshot, { force: true });
  world = await openWorld();
  app = await buildApp({ db: world.db, issuer });
  baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  await setPassword(world, world.demo.userId);
  client = await registerApp(app, world.demo.apiKey, {
    name: 'Browser SPA',
    client_type: 'public',
    redirect_uris: [callback],
    grant_types: ['authorization_code', 'refresh_token'],
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await world?.close();
});

describe('the authorization code flow in Chromium', () => {
  it('logs in, shows the consent page, redirects with a code that PKCE exchanges for a working token', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    // The client's redirect URI: the browser's arrival there is caught and answered as the client would.
    let arrived: URL | undefined;
    await page.route('http://localhost:8123/**', async (route) => {
      arrived = new URL(route.request().url());
      await route.fulfill({
        status: 200,
        contentType: 'text/html',
        body: '<!doctype html><title>Client</title><p>Signed in.</p>',
      });
    });

    const { verifier, challenge } = pkcePair();
    const state = 'a&b=c+d%e ✓';
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: callback,
      scope: 'account:read campaigns:read',
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const login = await page.goto(`${baseUrl}/oauth/authorize?${query.toString()}`);
    expect(login?.status()).toBe(200);
    expect(login?.headers()['x-frame-options']).toBe('DENY');
    expect(await page.locator('h1').textContent()).toBe('Log in to continue to Browser SPA');

    await page.locator('#email').fill(world.demo.email);
    await page.locator('#password').fill('not the password');
    await page.locator('button[type=submit]').click();
    await expect
      .poll(() => page.locator('.error').textContent(), { timeout: 15_000 })
      .toBe('The email or the password is wrong.');
    expect(await page.locator('#email').inputValue()).toBe(world.demo.email);

    await page.locator('#password').fill(password);
    await page.locator('button[type=submit]').click();
    await expect
      .poll(() => page.locator('h1').textContent(), { timeout: 15_000 })
      .toBe('Browser SPA wants to access your account');
    expect(await page.locator('li').allTextContents()).toEqual([
      'account:read: See your name, email and team',
      'campaigns:read: See your team’s campaigns',
    ]);
    const cookies = await page.context().cookies(`${baseUrl}/oauth/authorize`);
    const loginCookie = cookies.find((cookie) => cookie.name === 'faultline_oauth_login');
    expect(loginCookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/oauth', secure: false });

    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: false });

    await page.locator('button[value=allow]').click();
    await page.waitForURL(/^http:\/\/localhost:8123\//, { timeout: 15_000 });
    const received = arrived as URL;
    expect(`${received.origin}${received.pathname}`).toBe('http://localhost:8123/callback');
    expect(received.searchParams.get('from')).toBe('faultline');
    expect(received.searchParams.get('state')).toBe(state);
    expect(received.searchParams.get('iss')).toBe(issuer);
    const code = received.searchParams.get('code') as string;
    expect(code).toMatch(/^flc_/);

    const exchanged = await fetch(`${baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: callback,
        client_id: client.clientId,
        code_verifier: verifier,
      }),
    });
    expect(exchanged.status).toBe(200);
    expect(exchanged.headers.get('cache-control')).toBe('no-store');
    const tokens = (await exchanged.json()) as { access_token: string; refresh_token: string; scope: string };
    expect(tokens.scope).toBe('account:read campaigns:read');
    const me = await fetch(`${baseUrl}/v1/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(me.status).toBe(200);

    expect(problems).toEqual([]);
    await page.close();
  });

  it('Deny sends the browser back with access_denied and the state', async () => {
    const page = await browser.newPage();
    let arrived: URL | undefined;
    await page.route('http://localhost:8123/**', async (route) => {
      arrived = new URL(route.request().url());
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Client</title>' });
    });
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: client.clientId,
      scope: 'account:read',
      state: 'deny-1',
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256',
    });
    await page.goto(`${baseUrl}/oauth/authorize?${query.toString()}`);
    await page.locator('#email').fill(world.demo.email);
    await page.locator('#password').fill(password);
    await page.locator('button[type=submit]').click();
    await page.locator('button[value=deny]').click();
    await page.waitForURL(/^http:\/\/localhost:8123\//, { timeout: 15_000 });
    expect(arrived?.searchParams.get('error')).toBe('access_denied');
    expect(arrived?.searchParams.get('state')).toBe('deny-1');
    await page.close();
  });

  it('saved the screenshot of the consent page', () => {
    expect(statSync(screenshot).size).toBeGreaterThan(1000);
  });
});
