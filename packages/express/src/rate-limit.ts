import { createRateLimiter, type RateLimiterOptions } from './neutral.js';
import { contractOf, type ExpressRequest, type Middleware } from './request-state.js';
import { sendApiError } from './send-api-error.js';

export interface RateLimitOptions extends Omit<RateLimiterOptions, 'catalog' | 'key' | 'groupKeys'> {
  /** Whose allowance a request spends: an API key, an account. Default: the client address (`req.ip`). */
  readonly key?: (request: ExpressRequest) => string;
  /** How many units a request costs. Default 1. */
  readonly cost?: (request: ExpressRequest) => number;
}

/**
 * A rate limit (GCRA: a burst of `limit`, then one unit every
 * `windowMs / limit`) as a middleware: it spends a unit of each policy per
 * request, puts the `RateLimit-Policy` and `RateLimit` fields on every
 * answer, 2xx included, and refuses a request over any policy with 429
 * `limit_reached`, `Retry-After` and the policy that refused. Each call makes
 * a limiter of its own, so one can sit on the app, a router or one route;
 * counts live in memory unless a `store` (Redis, with a fallback) is given.
 * Put it after authentication when the key is the caller.
 *
 * @example
 * ```js
 * app.use('/v1', apiKeyAuth({ keys }), rateLimit({ policies: [{ name: 'per-key', limit: 100, windowMs: 60_000 }], key: (req) => req.apiKey }));
 * app.post('/v1/login', rateLimit({ policies: [{ name: 'login', limit: 5, windowMs: 60_000 }] }), login); // per address
 * ```
 */
export function rateLimit(options: RateLimitOptions): Middleware {
  const keyOf = options.key ?? ((request: ExpressRequest) => request.ip ?? request.socket.remoteAddress ?? 'unknown');
  const costOf = options.cost;
  const limiter = createRateLimiter(options);
  return function faultlineRateLimit(request, response, next) {
    const outcome = limiter.consume(keyOf(request), costOf === undefined ? 1 : costOf(request), contractOf(request).catalog);
    const settle = (result: Awaited<typeof outcome>): void => {
      const headers = result.headers;
      for (const name in headers) response.setHeader(name, headers[name] as string);
      // Answered here rather than through next(): a flood of refusals costs no trip through the error handlers.
      if (result.refusal !== undefined) sendApiError(request, response, result.refusal);
      else next();
    };
    if (outcome instanceof Promise) outcome.then(settle, next);
    else settle(outcome);
  };
}
