import type { ApiError, Catalog } from '@faultline/core';
import { bearerChallenge, wwwAuthenticate } from './authentication-challenge.js';

/** Options of an API key check: the `apiKeyAuth` middleware of each adapter takes these. */
export interface ApiKeyAuthOptions<Request = unknown> {
  /** The valid keys, compared in constant time. Give this or `verify`. */
  readonly keys?: readonly string[];
  /**
   * Decides whether a key is valid: what it returns (a caller, an account),
   * when truthy, becomes the request's caller; falsy means the key is not
   * valid. It may be async. A throw or rejection is a fault of the server
   * (500), not a bad key.
   */
  readonly verify?: (key: string, request: Request) => unknown;
  /** The detail of the 401 `unauthorized_request` a request without a key gets. */
  readonly missing?: string;
  /** The detail of the 401 `invalid_api_key` a request with a wrong key gets. */
  readonly invalid?: string;
  /** The realm of the challenges. Default: the contract's `realm`. */
  readonly realm?: string;
}

/** What an {@link ApiKeyCheck} decided: the caller to let in, or the 401 to answer with. */
export type ApiKeyVerdict =
  { readonly caller: unknown; readonly refusal?: undefined } | { readonly caller?: undefined; readonly refusal: ApiError };

/** Bearer credentials (RFC 6750 section 2.1): the scheme in any case, spaces, then the key. */
const bearer = /^Bearer +(\S+) *$/i;

/** The key of `Authorization: Bearer <key>`, or undefined when the header is absent or carries no Bearer key. */
export function bearerKey(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  return bearer.exec(authorization)?.[1];
}

interface NodeCrypto {
  createHash(algorithm: 'sha256'): { update(text: string): { digest(): Uint8Array } };
  timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean;
}

/**
 * `node:crypto` where the runtime has it (Node.js 20.16 and later, Bun,
 * Deno), without an import that would stop this module loading elsewhere:
 * its SHA-256 is synchronous, several times cheaper than Web Crypto's.
 */
const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.(
  'node:crypto',
) as NodeCrypto | undefined;

const encoder = new TextEncoder();

/** Whether two digests of the same length are equal, in a time that does not depend on where they differ. */
function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  if (nodeCrypto !== undefined) return nodeCrypto.timingSafeEqual(a, b);
  let difference = 0;
  for (let index = 0; index < a.length; index++) difference |= (a[index] as number) ^ (b[index] as number);
  return difference === 0;
}

function digest(text: string): Uint8Array | Promise<Uint8Array> {
  if (nodeCrypto !== undefined) return nodeCrypto.createHash('sha256').update(text).digest();
  return crypto.subtle.digest('SHA-256', encoder.encode(text)).then((buffer) => new Uint8Array(buffer));
}

/**
 * The rule of API key authentication, for any framework: the key is read from
 * `Authorization: Bearer <key>`; no key gets 401 `unauthorized_request` with a
 * bare `Bearer realm="…"` challenge (RFC 6750 section 3.1), a wrong key 401
 * `invalid_api_key` with `error="invalid_token"`. Keys given in `keys` are
 * compared as SHA-256 digests in constant time (every key is compared, so the
 * time says neither which key matched nor anything of a key's content or
 * length); `verify` decides instead, and its throw or rejection is passed on
 * as a fault of the server. The adapter calls {@link ApiKeyCheck.check} per
 * request and answers its refusal, or lets the request in with its caller.
 *
 * A check with both `keys` and `verify`, or neither, throws a TypeError.
 *
 * @example
 * ```ts
 * const keys = new ApiKeyCheck({ keys: [process.env.API_KEY] });
 * const verdict = await keys.check(request.headers.authorization, request, catalog, 'api');
 * if (verdict.refusal !== undefined) return answer(verdict.refusal);
 * request.caller = verdict.caller; // the key that matched
 * ```
 */
export class ApiKeyCheck<Request = unknown> {
  readonly #keys: readonly string[] | undefined;
  readonly #verify: ((key: string, request: Request) => unknown) | undefined;
  /** The keys' digests: at hand with `node:crypto`, a promise with Web Crypto. */
  readonly #digests: readonly Uint8Array[] | Promise<readonly Uint8Array[]>;
  readonly #missing: string;
  readonly #invalid: string;
  readonly #realm: string | undefined;
  // Built once per realm: the challenges are the same for every refusal.
  #challengeRealm: string | undefined;
  #missingChallenge = '';
  #invalidChallenge = '';

  constructor(options: ApiKeyAuthOptions<Request>) {
    const { keys, verify } = options;
    if ((keys === undefined) === (verify === undefined)) throw new TypeError('apiKeyAuth needs either keys or verify, not both.');
    for (const key of keys ?? []) {
      // A key from an unset environment variable would otherwise be the text "undefined".
      if (typeof key !== 'string' || key === '')
        throw new TypeError(`apiKeyAuth: every key must be a non-empty string, not ${key === '' ? 'an empty one' : typeof key}.`);
    }
    this.#keys = keys;
    this.#verify = verify;
    const digests = (keys ?? []).map(digest);
    this.#digests = nodeCrypto === undefined ? Promise.all(digests) : (digests as Uint8Array[]);
    this.#missing = options.missing ?? 'Send an API key in the Authorization header: Bearer <key>.';
    this.#invalid = options.invalid ?? 'The API key is not valid.';
    this.#realm = options.realm;
  }

  /**
   * The verdict on a request's `Authorization` header: synchronous when the
   * keys were given and the runtime has `node:crypto`, a promise otherwise.
   * `realm` is the contract's, used unless the options named one. A promise
   * rejects only when `verify` fails.
   */
  check(
    authorization: string | undefined,
    request: Request,
    catalog: Catalog,
    realm: string,
  ): ApiKeyVerdict | Promise<ApiKeyVerdict> {
    this.#challenges(this.#realm ?? realm);
    const key = bearerKey(authorization);
    if (key === undefined) {
      const refusal = catalog.error('unauthorized_request', {
        detail: this.#missing,
        headers: { 'www-authenticate': this.#missingChallenge },
      });
      return { refusal };
    }
    const verify = this.#verify;
    if (verify !== undefined) {
      // In the executor, a synchronous throw of verify becomes the promise's rejection.
      return new Promise<unknown>((resolve) => resolve(verify(key, request))).then((caller) =>
        caller ? { caller } : this.#refuse(catalog),
      );
    }
    const given = digest(key);
    const digests = this.#digests;
    if (given instanceof Promise || digests instanceof Promise) {
      return Promise.all([given, digests]).then(([first, all]) => this.#match(first, all, catalog));
    }
    return this.#match(given, digests, catalog);
  }

  #match(given: Uint8Array, digests: readonly Uint8Array[], catalog: Catalog): ApiKeyVerdict {
    let found: string | undefined;
    // Every key is compared, so the time does not say which one matched.
    for (let index = 0; index < digests.length; index++)
      if (sameDigest(given, digests[index] as Uint8Array)) found = this.#keys?.[index];
    return found === undefined ? this.#refuse(catalog) : { caller: found };
  }

  #refuse(catalog: Catalog): ApiKeyVerdict {
    const refusal = catalog.error('invalid_api_key', {
      detail: this.#invalid,
      headers: { 'www-authenticate': this.#invalidChallenge },
    });
    return { refusal };
  }

  #challenges(realm: string): void {
    if (realm === this.#challengeRealm) return;
    this.#challengeRealm = realm;
    this.#missingChallenge = wwwAuthenticate([bearerChallenge({ realm })]);
    this.#invalidChallenge = wwwAuthenticate([bearerChallenge({ realm, error: 'invalid_token' })]);
  }
}
