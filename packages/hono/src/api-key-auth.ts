import { ApiKeyCheck, type ApiKeyAuthOptions as NeutralOptions, type ApiKeyVerdict } from '@faultline/http';
import type { Context, MiddlewareHandler, Next } from 'hono';
import { requestHeader } from './request-header.js';
import { answerError, settingsOf } from './send-error.js';
import type { FaultlineSettings } from './settings.js';
import './context-variables.js';

/**
 * Options of {@link apiKeyAuth}: `keys` or `verify` (given the key and Hono's
 * context; its truthy answer becomes `c.var.apiKey`; a throw or rejection is a
 * 500, not a bad key), the details of the two 401s (`missing`, `invalid`) and
 * the challenges' `realm` (default: the contract's).
 */
export type ApiKeyAuthOptions = NeutralOptions<Context>;

/**
 * Authenticates requests by API key sent as `Authorization: Bearer <key>`.
 * No key: 401 `unauthorized_request` with a bare `Bearer realm="…"`
 * challenge (RFC 6750 section 3.1); a wrong key: 401 `invalid_api_key` with
 * `error="invalid_token"`. Keys given in `keys` are compared as SHA-256
 * digests in constant time, so neither the content nor the length of a key
 * leaks through timing (with `node:crypto` where the runtime has it, Web
 * Crypto elsewhere: the rule is `ApiKeyCheck` of `@faultline/http`, the same
 * as Express's). The key that matched, or what `verify` returned, is
 * `c.var.apiKey`. Put it before the rate limit, so the limit can count per key.
 *
 * @example
 * ```ts
 * app.use('/v1/*', apiKeyAuth({ keys: [process.env.API_KEY] }));
 * app.use('/admin/*', apiKeyAuth({ verify: async (key, c) => db.findKey(key) })); // c.var.apiKey is what it found
 * ```
 */
export function apiKeyAuth(options: ApiKeyAuthOptions): MiddlewareHandler {
  // Made now, so options without keys or verify throw where the middleware is made.
  const check = new ApiKeyCheck<Context>(options);

  const settle = (c: Context, next: Next, verdict: ApiKeyVerdict, settings: FaultlineSettings): Promise<Response | void> => {
    if (verdict.refusal !== undefined) return Promise.resolve(answerError(c, verdict.refusal, settings));
    c.set('apiKey', verdict.caller);
    // Resolves with nothing: what next() resolves with is Hono's context, not an answer.
    return next().then(nothing);
  };
  const nothing = (): undefined => undefined;

  // Not async: a key checked with node:crypto costs no promise of its own. A rejection of verify goes to app.onError.
  return function authenticateApiKey(c, next) {
    const settings = settingsOf(c);
    const verdict = check.check(requestHeader(c, 'authorization'), c, settings.catalog, settings.realm);
    if (verdict instanceof Promise) return verdict.then((settled) => settle(c, next, settled, settings));
    return settle(c, next, verdict, settings);
  };
}
