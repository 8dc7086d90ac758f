/**
 * Several processes behind one address: a login made on one must be accepted
 * by the next, which only holds when they share OAUTH_COOKIE_SECRET.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, readConfig } from '../src/index.js';
import { authorize, logIn, pkcePair, registerApp, setPassword } from './oauth-support.js';
import { openWorld, type World } from './support.js';

let world: World;
const apps: FastifyInstance[] = [];
const sharedKey = randomBytes(32);

async function startProcess(cookieKey?: Buffer): Promise<FastifyInstance> {
  const app = await buildApp({ db: world.db, ...(cookieKey === undefined ? {} : { oauthCookieKey: cookieKey }) });
  await app.ready();
  apps.push(app);
  return app;
}

beforeAll(async () => {
  world = await openWorld();
  await setPassword(world, world.demo.userId);
});

afterAll(async () => {
  for (const app of apps) await app.close();
  await world.close();
});

describe('the OAuth login cookie across processes', () => {
  it('is accepted by another process with the same key, and refused by one with its own', async () => {
    const first = await startProcess(sharedKey);
    const second = await startProcess(sharedKey);
    const stranger = await startProcess();
    const client = await registerApp(first, world.demo.apiKey);
    const { challenge } = pkcePair();
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: client.redirectUris[0] as string,
      scope: 'campaigns:read',
      state: 's',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString();
    const cookie = await logIn(first, query, world.demo.email);
    expect(await authorize(second, query, world.demo.email, cookie)).toMatch(/^flc_/);
    // Another key: the cookie is not recognised, so the login page is shown again.
    const page = await stranger.inject({ url: `/oauth/authorize?${query}`, headers: { cookie } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('type="password"');
  });

  it('reads OAUTH_COOKIE_SECRET, refusing a short one', () => {
    expect(readConfig({ OAUTH_COOKIE_SECRET: 'x'.repeat(32) }).oauthCookieSecret).toBe('x'.repeat(32));
    expect(readConfig({}).oauthCookieSecret).toBeUndefined();
    expect(() => readConfig({ OAUTH_COOKIE_SECRET: 'short' })).toThrow(/OAUTH_COOKIE_SECRET must be at least 32 characters/);
  });
});
