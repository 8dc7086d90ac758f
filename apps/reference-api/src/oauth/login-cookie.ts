import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The browser side of the authorization endpoint: who is logged in, and the
 * CSRF tokens of its two forms. Nothing is stored: the login cookie is signed
 * with a key of this server (HMAC-SHA256) and names the user, the user's
 * credentials version and when it expires. It is deliberately not an API
 * session, so stealing it gives no access to /v1. The user is read from the
 * database on every use, and the cookie counts only while the user's
 * `credentials_version` is still the one it names: a new password or
 * disabling bumps it, so both end every login made before them (and
 * enabling the user again does not bring those back).
 *
 * CSRF: the login form carries an HMAC of a random pre-login cookie (signed
 * double submit); the consent form carries an HMAC of the login cookie and of
 * the exact authorization request, so a consent can neither be forged from
 * another site nor replayed for another client, redirect URI or scope.
 */
export const loginCookieName = 'faultline_oauth_login';
export const csrfCookieName = 'faultline_oauth_csrf';

/** How long a login at the authorization endpoint lasts. */
export const loginLifetimeMs = 30 * 60 * 1000;

/** Whom a genuine, unexpired login cookie names. */
export interface CookieLogin {
  readonly userId: number;
  /** The user's `credentials_version` when the cookie was made; the cookie counts only while it is current. */
  readonly credentialsVersion: number;
}

export interface CookieSigner {
  /** A login cookie value for the user at this credentials version, valid until `now + loginLifetimeMs`. */
  login(userId: number, credentialsVersion: number, now: number): string;
  /** Whom a login cookie names, if it is genuine and not expired; the caller checks the version. */
  loginOf(cookie: string | undefined, now: number): CookieLogin | undefined;
  /** The token the login form must carry for this pre-login cookie. */
  loginCsrf(csrfCookie: string): string;
  /** The token the consent form must carry for this login and request. */
  consentCsrf(loginCookie: string, request: string): string;
  /** Whether a posted token equals the expected one, in constant time. */
  same(given: string | undefined, expected: string): boolean;
}

export function cookieSigner(key: Buffer): CookieSigner {
  const mac = (text: string) => createHmac('sha256', key).update(text).digest('base64url');
  const same = (given: string | undefined, expected: string) => {
    if (given === undefined) return false;
    const a = Buffer.from(given);
    const b = Buffer.from(expected);
    return a.length === b.length && timingSafeEqual(a, b);
  };
  return {
    login(userId, credentialsVersion, now) {
      const body = `${userId}.${credentialsVersion}.${now + loginLifetimeMs}.${randomBytes(16).toString('base64url')}`;
      return `${body}.${mac(`login:${body}`)}`;
    },
    loginOf(cookie, now) {
      const match = /^(\d{1,10})\.(\d{1,10})\.(\d{1,15})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(cookie ?? '');
      if (match === null) return undefined;
      const body = `${match[1]}.${match[2]}.${match[3]}.${match[4]}`;
      if (!same(match[5], mac(`login:${body}`))) return undefined;
      if (Number(match[3]) <= now) return undefined;
      return { userId: Number(match[1]), credentialsVersion: Number(match[2]) };
    },
    loginCsrf: (csrfCookie) => mac(`login-form:${csrfCookie}`),
    consentCsrf: (loginCookie, request) => mac(`consent:${loginCookie}:${request}`),
    same,
  };
}

/** A fresh value for the pre-login CSRF cookie. */
export function newCsrfCookie(): string {
  return randomBytes(32).toString('base64url');
}

/** One cookie of a `Cookie` header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const equals = part.indexOf('=');
    if (equals === -1) continue;
    if (part.slice(0, equals).trim() === name) return part.slice(equals + 1).trim();
  }
  return undefined;
}

/** A `Set-Cookie` value: HttpOnly, SameSite=Lax (the redirect back from a client is a top-level GET), Path=/oauth. */
export function setCookie(name: string, value: string, options: { secure: boolean; maxAgeSeconds: number }): string {
  return `${name}=${value}; Path=/oauth; Max-Age=${options.maxAgeSeconds}; HttpOnly; SameSite=Lax${options.secure ? '; Secure' : ''}`;
}
