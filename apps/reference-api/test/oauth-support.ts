/**
 * Shared set-up of the OAuth authorization server tests: apps registered
 * through the admin API, a user with a known password, and the browser steps
 * (login form, consent form) driven with `inject`, cookies and CSRF tokens
 * carried by hand as a browser would.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { hashPassword } from '../src/authentication/passwords.js';
import { bearer, json, type World } from './support.js';

export const password = 'correct horse battery staple';

export interface RegisteredApp {
  readonly id: number;
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly redirectUris: string[];
}

/** Gives the demo admin (and any other user named) a known password. */
export async function setPassword(world: World, userId: number): Promise<void> {
  await world.db
    .updateTable('users')
    .set({ password_hash: await hashPassword(password) })
    .where('id', '=', userId)
    .execute();
}

/** Registers an app for the demo team through `POST /v1/oauth-apps`. */
export async function registerApp(
  app: FastifyInstance,
  apiKey: string,
  overrides: Partial<Record<'name' | 'client_type', string>> & {
    redirect_uris?: string[];
    allowed_scopes?: string[];
    grant_types?: string[];
  } = {},
): Promise<RegisteredApp> {
  const body = {
    name: 'Reporting <app>',
    client_type: 'confidential',
    redirect_uris: ['https://client.example/callback'],
    allowed_scopes: ['account:read', 'campaigns:read', 'campaigns:write'],
    grant_types: ['authorization_code', 'refresh_token'],
    ...overrides,
  };
  const response = await app.inject({ method: 'POST', url: '/v1/oauth-apps', headers: bearer(apiKey), payload: body });
  if (response.statusCode !== 201) throw new Error(`registering the app failed: ${response.body}`);
  const created = json(response);
  return {
    id: created['id'] as number,
    clientId: created['client_id'] as string,
    ...(typeof created['client_secret'] === 'string' ? { clientSecret: created['client_secret'] } : {}),
    redirectUris: body.redirect_uris,
  };
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();
export const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' } as const;

export function basic(clientId: string, secret: string): Record<string, string> {
  const encode = (part: string) => encodeURIComponent(part);
  return { authorization: `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}` };
}

/** The `name=value` of each Set-Cookie of a response. */
export function cookiesOf(response: LightMyRequestResponse): string[] {
  const header = response.headers['set-cookie'];
  const all = header === undefined ? [] : Array.isArray(header) ? header : [header];
  return all.map((cookie) => cookie.split(';')[0] as string);
}

export function csrfOf(html: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(html);
  if (match === null) throw new Error(`no CSRF token in the page: ${html.slice(0, 500)}`);
  return match[1] as string;
}

/** Logs `email` in through the login form; returns the login cookie (`name=value`). */
export async function logIn(app: FastifyInstance, query: string, email: string): Promise<string> {
  const page = await app.inject({ url: `/oauth/authorize?${query}` });
  if (page.statusCode !== 200) throw new Error(`no login page: ${page.statusCode} ${page.body.slice(0, 300)}`);
  const csrfCookie = cookiesOf(page)[0] as string;
  const login = await app.inject({
    method: 'POST',
    url: '/oauth/login',
    headers: { ...formHeaders, cookie: csrfCookie },
    payload: form({ request: query, csrf: csrfOf(page.body), email, password }),
  });
  if (login.statusCode !== 303) throw new Error(`login failed: ${login.statusCode} ${login.body.slice(0, 300)}`);
  return cookiesOf(login)[0] as string;
}

/** Posts the consent form's decision; returns the response (a redirect, normally). */
export async function decide(
  app: FastifyInstance,
  query: string,
  cookie: string,
  decision: 'allow' | 'deny',
): Promise<LightMyRequestResponse> {
  const consent = await app.inject({ url: `/oauth/authorize?${query}`, headers: { cookie } });
  if (consent.statusCode !== 200) throw new Error(`no consent page: ${consent.statusCode} ${consent.headers.location ?? ''}`);
  return app.inject({
    method: 'POST',
    url: '/oauth/consent',
    headers: { ...formHeaders, cookie },
    payload: form({ request: query, csrf: csrfOf(consent.body), decision }),
  });
}

/** The query parameters of a redirect's Location. */
export function redirectParameters(response: LightMyRequestResponse): URLSearchParams {
  return new URL(response.headers.location as string).searchParams;
}

/** Runs the whole browser part for `query` and returns the code. */
export async function authorize(app: FastifyInstance, query: string, email: string, cookie?: string): Promise<string> {
  const login = cookie ?? (await logIn(app, query, email));
  const allowed = await decide(app, query, login, 'allow');
  if (allowed.statusCode !== 303) throw new Error(`consent failed: ${allowed.statusCode} ${allowed.body.slice(0, 300)}`);
  const code = redirectParameters(allowed).get('code');
  if (code === null) throw new Error(`no code: ${allowed.headers.location as string}`);
  return code;
}
