import { builtinCatalog, type Catalog } from '@faultline/core';
import { createRateLimiter, MemoryStore, type RateLimiter, type RateLimiterOptions } from '@faultline/rate-limit';
import { contractOf, type ExpressRequest, type Middleware } from './request-state.js';
import { sendApiError } from './send-api-error.js';

export interface RateLimitOptions extends Omit<RateLimiterOptions<ExpressRequest>, 'catalog' | 'key'> {
  /** Whose allowance a request spends: an API key, an account. Default: the client address (`req.ip`). */
  readonly key?: (request: ExpressRequest) => string;
  /** The catalog `limit_reached` comes from. Default: the contract's, which the request passed through. */
  readonly catalog?: Catalog;
}

const byAddress = (request: ExpressRequest): string => `ip:${request.ip ?? request.socket.remoteAddress ?? 'unknown'}`;

/**
 * A rate limit (GCRA: a burst of `limit`, then one unit every
 * `windowMs / limit`) as a middleware over `@faultline/rate-limit`: it spends
 * a unit of each policy per request, puts the `RateLimit-Policy` and
 * `RateLimit` fields on every answer, 2xx included, and refuses a request over
 * any policy with 429 `limit_reached`, `Retry-After` and the policy that
 * refused. Each call is a limiter of its own, so one can sit on the app, a
 * router or one route; counts live in memory unless a `store` (Redis, with a
 * fallback) is given. Put it after authentication when the key is the caller.
 *
 * @example
 * ```js
 * const perKey = rateLimit({ policies: [{ name: 'per-key', limit: 100, windowMs: 60_000 }], key: (req) => req.apiKey });
 * app.get('/v1/things', apiKeyAuth({ keys }), perKey, listThings);
 * app.post('/v1/login', rateLimit({ policies: [{ name: 'login', limit: 5, windowMs: 60_000 }] }), login); // per address
 * ```
 */
export function rateLimit(options: RateLimitOptions): Middleware {
  // One store for the limiter's life, kept if the limiter is rebuilt for the contract's catalog.
  const shared = { ...options, key: options.key ?? byAddress, store: options.store ?? new MemoryStore() };
  let catalog = options.catalog ?? builtinCatalog;
  // Built now, so a policy it cannot enforce is refused when the app starts, not at the first request.
  let limiter: RateLimiter<ExpressRequest> = createRateLimiter({ ...shared, catalog });
  return function faultlineRateLimit(request, response, next) {
    if (options.catalog === undefined) {
      const contractCatalog = contractOf(request).catalog;
      if (contractCatalog !== catalog) {
        catalog = contractCatalog;
        limiter = createRateLimiter({ ...shared, catalog });
      }
    }
    const verdict = limiter.check(request);
    const settle = (result: Awaited<typeof verdict>): void => {
      const headers = result.headers;
      for (const name in headers) response.setHeader(name, headers[name] as string);
      // Answered here rather than through next(): a flood of refusals costs no trip through the error handlers.
      if (result.refusal !== undefined) sendApiError(request, response, result.refusal);
      else next();
    };
    if (verdict instanceof Promise) verdict.then(settle, next);
    else settle(verdict);
  };
}
