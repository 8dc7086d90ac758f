import { ApiKeyCheck, type ApiKeyAuthOptions as NeutralOptions, type ApiKeyVerdict } from '@faultline/http';
import { contractOf, type ExpressRequest, type Middleware } from './request-state.js';

/**
 * Options of {@link apiKeyAuth}: `keys` or `verify` (whose truthy answer
 * becomes `req.apiKey`; a throw or rejection is a 500, not a bad key), the
 * details of the two 401s (`missing`, `invalid`) and the challenges' `realm`
 * (default: the contract's).
 */
export type ApiKeyAuthOptions = NeutralOptions<ExpressRequest>;

/**
 * Authenticates requests by API key sent as `Authorization: Bearer <key>`.
 * No key: 401 `unauthorized_request` with a bare `Bearer realm="…"`
 * challenge (RFC 6750 section 3.1); a wrong key: 401 `invalid_api_key` with
 * `error="invalid_token"`. Keys given in `keys` are compared as SHA-256
 * digests in constant time, so neither the content nor the length of a key
 * leaks through timing (the rule is `ApiKeyCheck` of `@faultline/http`, the
 * same in every adapter). Put it before the rate limit, so the limit can
 * count per key.
 *
 * @example
 * ```js
 * app.use('/v1', apiKeyAuth({ keys: [process.env.API_KEY] }));
 * app.use('/admin', apiKeyAuth({ verify: async (key) => db.findKey(key) })); // req.apiKey is what it found
 * ```
 */
export function apiKeyAuth(options: ApiKeyAuthOptions): Middleware {
  const check = new ApiKeyCheck(options);
  return function faultlineApiKey(request, _response, next) {
    const { catalog, settings } = contractOf(request);
    const admit = (verdict: ApiKeyVerdict): void => {
      if (verdict.refusal !== undefined) return next(verdict.refusal);
      request.apiKey = verdict.caller;
      next();
    };
    const verdict = check.check(request.headers.authorization, request, catalog, settings.realm);
    if (verdict instanceof Promise) verdict.then(admit, next);
    else admit(verdict);
  };
}
