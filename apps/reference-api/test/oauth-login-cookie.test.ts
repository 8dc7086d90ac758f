/**
 * The OAuth login cookie is bound to the user's credentials version: a new
 * password or disabling the user ends every browser login made before it, on
 * the authorize page and at the consent form, and enabling the user again
 * does not bring an old login back. Runs on SQLite and PostgreSQL (the
 * version lives in a column added by migration 0004).
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';
import { csrfOf, form, formHeaders, logIn, password, registerApp, setPassword } from './oauth-support.js';
import { bearer, openWorld, type World } from './support.js';

let world: World;
let app: FastifyInstance;
let request: string;

beforeAll(async () => {
  world = await openWorld();
  app = await buildApp({ db: world.db });
  await app.ready();
  await setPassword(world, world.demo.userId);
  const client = await registerApp(app, world.demo.apiKey);
  request = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: 'https://client.example/callback',
    scope: 'account:read',
    state: 's',
  }).toString();
});

afterAll(async () => {
  await app.close();
  await world.close();
});

const authorizePage = (cookie: string) => app.inject({ url: `/oauth/authorize?${request}`, headers: { cookie } });
const changeUser = (body: Record<string, unknown>) =>
  app.inject({
    method: 'PATCH',
    url: `/v1/users/${world.demo.userId}`,
    headers: { ...bearer(world.demo.apiKey), 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });

const isConsentPage = (body: string) => body.includes('action="/oauth/consent"');
const isLoginPage = (body: string) => body.includes('action="/oauth/login"');

describe('the login cookie and the credentials version', () => {
  it('a login survives changes that are not about credentials, such as a new name', async () => {
    const cookie = await logIn(app, request, world.demo.email);
    expect((await changeUser({ name: 'Renamed' })).statusCode).toBe(200);
    const page = await authorizePage(cookie);
    expect(page.statusCode).toBe(200);
    expect(isConsentPage(page.body)).toBe(true);
  });

  it('a new password ends the login: the authorize page asks to log in again, the consent form is refused', async () => {
    const cookie = await logIn(app, request, world.demo.email);
    const consent = await authorizePage(cookie);
    expect(isConsentPage(consent.body)).toBe(true);

    expect((await changeUser({ password })).statusCode).toBe(200);

    const page = await authorizePage(cookie);
    expect(page.statusCode).toBe(200);
    expect(isLoginPage(page.body)).toBe(true);
    expect(isConsentPage(page.body)).toBe(false);
    // The consent page shown before the change cannot be submitted after it.
    const allowed = await app.inject({
      method: 'POST',
      url: '/oauth/consent',
      headers: { ...formHeaders, cookie },
      payload: form({ request, csrf: csrfOf(consent.body), decision: 'allow' }),
    });
    expect(allowed.headers.location).toBeUndefined();
    expect(allowed.body).toContain('Your login expired. Please log in again.');
    // Logging in with the (new) password works again.
    const fresh = await logIn(app, request, world.demo.email);
    expect(isConsentPage((await authorizePage(fresh)).body)).toBe(true);
  });

  it('disabling the user ends the login, and enabling it again does not bring that login back', async () => {
    const cookie = await logIn(app, request, world.demo.email);
    expect(isConsentPage((await authorizePage(cookie)).body)).toBe(true);
    expect((await changeUser({ disabled: true })).statusCode).toBe(200);
    try {
      const whileDisabled = await authorizePage(cookie);
      expect(isConsentPage(whileDisabled.body)).toBe(false);
    } finally {
      // The admin re-enables itself through the database: a disabled user's key cannot call the API.
      await world.db.updateTable('users').set({ disabled_at: null }).where('id', '=', world.demo.userId).execute();
    }
    const afterEnabling = await authorizePage(cookie);
    expect(afterEnabling.statusCode).toBe(200);
    expect(isLoginPage(afterEnabling.body)).toBe(true);
  });

  it('a cookie whose version was edited is not genuine', async () => {
    const cookie = await logIn(app, request, world.demo.email);
    const [name, value = ''] = cookie.split('=');
    const parts = value.split('.');
    parts[1] = String(Number(parts[1]) + 1);
    const page = await authorizePage(`${name}=${parts.join('.')}`);
    expect(isLoginPage(page.body)).toBe(true);
  });
});
