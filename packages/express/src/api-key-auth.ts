import { createHash, timingSafeEqual } from 'node:crypto';
import { bearerChallenge, wwwAuthenticate } from '@faultline/http';
import { contractOf, type ExpressRequest, type Middleware } from './request-state.js';

export interface ApiKeyAuthOptions {
  /** The valid keys, compared in constant time. Give this or `verify`. */
  readonly keys?: readonly string[];
  /**
   * Decides whether a key is valid: what it returns (a caller, an account),
   * when truthy, becomes `req.apiKey`; falsy means the key is not valid. It
   * may be async. A throw or rejection is a fault of the server (500), not a
   * bad key.
   */
  readonly verify?: (key: string, request: ExpressRequest) => unknown;
  /** The detail of the 401 `unauthorized_request` a request without a key gets. */
  readonly missing?: string;
  /** The detail of the 401 `invalid_api_key` a request with a wrong key gets. */
  readonly invalid?: string;
  /** The realm of the challenges. Default: the contract's `realm`. */
  readonly realm?: string;
}

/** Bearer credentials: the scheme (any case), spaces, then the key. */
const bearer = /^Bearer +(\S+) *$/i;

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * Authenticates requests by API key sent as `Authorization: Bearer <key>`.
 * No key: 401 `unauthorized_request` with a bare `Bearer realm="…"`
 * challenge (RFC 6750 section 3.1); a wrong key: 401 `invalid_api_key` with
 * `error="invalid_token"`. Keys given in `keys` are compared as SHA-256
 * digests with `timingSafeEqual`, so neither the content nor the length of a
 * key leaks through timing. Put it before the rate limit, so the limit can
 * count per key.
 *
 * @example
 * ```js
 * app.use('/v1', apiKeyAuth({ keys: [process.env.API_KEY] }));
 * app.use('/admin', apiKeyAuth({ verify: async (key) => db.findKey(key) })); // req.apiKey is what it found
 * ```
 */
export function apiKeyAuth(options: ApiKeyAuthOptions): Middleware {
  const { keys, verify } = options;
  if ((keys === undefined) === (verify === undefined)) throw new TypeError('apiKeyAuth needs either keys or verify, not both.');
  const digests = (keys ?? []).map(digest);
  const missingDetail = options.missing ?? 'Send an API key in the Authorization header: Bearer <key>.';
  const invalidDetail = options.invalid ?? 'The API key is not valid.';
  // Built once per realm: the challenges are the same for every refusal.
  let realmOf: string | undefined;
  let missingChallenge = '';
  let invalidChallenge = '';
  const challenges = (realm: string): void => {
    if (realm === realmOf) return;
    realmOf = realm;
    missingChallenge = wwwAuthenticate([bearerChallenge({ realm })]);
    invalidChallenge = wwwAuthenticate([bearerChallenge({ realm, error: 'invalid_token' })]);
  };

  const matchKey = (key: string): string | undefined => {
    const given = digest(key);
    let found: string | undefined;
    // Every key is compared, so the time does not say which one matched.
    for (let index = 0; index < digests.length; index++)
      if (timingSafeEqual(given, digests[index] as Buffer)) found = keys?.[index];
    return found;
  };

  return function faultlineApiKey(request, _response, next) {
    const { catalog, settings } = contractOf(request);
    challenges(options.realm ?? settings.realm);
    const header = request.headers.authorization;
    const match = header === undefined ? null : bearer.exec(header);
    if (match === null) {
      next(catalog.error('unauthorized_request', { detail: missingDetail, headers: { 'www-authenticate': missingChallenge } }));
      return;
    }
    const key = match[1] as string;
    const refuse = (): void =>
      next(catalog.error('invalid_api_key', { detail: invalidDetail, headers: { 'www-authenticate': invalidChallenge } }));
    if (verify === undefined) {
      const found = matchKey(key);
      if (found === undefined) return refuse();
      request.apiKey = found;
      return next();
    }
    let verdict: unknown;
    try {
      verdict = verify(key, request);
    } catch (error) {
      return next(error);
    }
    Promise.resolve(verdict).then((caller) => {
      if (!caller) return refuse();
      request.apiKey = caller;
      next();
    }, next);
  };
}
