import { builtinCatalog, type Catalog } from '@faultline/core';
import { createRateLimiter, type RateLimiter, type RateLimiterOptions } from '@faultline/rate-limit';
import type { Context, MiddlewareHandler } from 'hono';
import { answerError, settingsOf } from '../send-error.js';

/** Options of {@link rateLimit}: those of `createRateLimiter` in `@faultline/rate-limit`, keyed on Hono's context. */
export interface RateLimitOptions extends Omit<RateLimiterOptions<Context>, 'catalog'> {
  /**
   * The catalog `limit_reached` comes from. Default: the one given to
   * {@link faultline}.
   */
  readonly catalog?: Catalog;
}

/**
 * Middleware that spends one unit (or the request's `cost`) of each policy
 * per request, with the framework-neutral GCRA limiter of
 * `@faultline/rate-limit`: the `RateLimit-Policy` and `RateLimit` fields go
 * on every answer (2xx included), and a request over any policy is answered
 * 429 `limit_reached` with `Retry-After`, the retry time in the body and the
 * violated policy. `key` says whose allowance a request spends: an API key
 * or account set by the authentication before it, or the client address
 * (`getConnInfo(c).remote.address` of your runtime's adapter).
 *
 * @example
 * ```ts
 * app.use('/v1/*', authenticate, rateLimit({
 *   policies: [{ name: 'per-key', limit: 100, windowMs: 60_000 }],
 *   key: (c) => c.var.apiKeyId,
 * }));
 * ```
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  // Built now, so a bad policy throws where the middleware is made.
  let limiter: RateLimiter<Context> = createRateLimiter({ ...options, catalog: options.catalog ?? builtinCatalog });
  let catalog = options.catalog ?? builtinCatalog;

  return async function rateLimitRequest(c, next) {
    const settings = settingsOf(c);
    if (options.catalog === undefined && settings.catalog !== catalog) {
      // The app's own catalog, given to faultline(): taken once, on the first request.
      catalog = settings.catalog;
      limiter = createRateLimiter({ ...options, catalog });
    }
    const pending = limiter.check(c);
    const verdict = pending instanceof Promise ? await pending : pending;
    const headers = verdict.headers;
    for (const name in headers) c.header(name, headers[name]);
    if (verdict.refusal !== undefined) return answerError(c, verdict.refusal, settings);
    await next();
    return undefined;
  };
}
