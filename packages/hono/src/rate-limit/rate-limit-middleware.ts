import { builtinCatalog, type Catalog } from '@faultline/core';
import { createRateLimiter, type RateLimiter, type RateLimiterOptions, type RateLimitVerdict } from '@faultline/rate-limit';
import type { Context, MiddlewareHandler, Next } from 'hono';
import { answerHeader } from '../answer-header.js';
import { answerError, settingsOf } from '../send-error.js';
import type { FaultlineSettings } from '../settings.js';

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

  /** The fields on the answer; the refusal, or the rest of the chain. */
  const settle = (c: Context, next: Next, verdict: RateLimitVerdict, settings: FaultlineSettings): Promise<Response | void> => {
    const headers = verdict.headers;
    for (const name in headers) answerHeader(c, name, headers[name] as string);
    if (verdict.refusal !== undefined) return Promise.resolve(answerError(c, verdict.refusal, settings));
    // Resolves with nothing: what next() resolves with is Hono's context, not an answer.
    return next().then(nothing);
  };

  const nothing = (): undefined => undefined;
  // Not async: with the memory store, an admitted request costs one promise less.
  return function rateLimitRequest(c, next) {
    const settings = settingsOf(c);
    if (options.catalog === undefined && settings.catalog !== catalog) {
      // The app's own catalog, given to faultline(): taken once, on the first request.
      catalog = settings.catalog;
      limiter = createRateLimiter({ ...options, catalog });
    }
    const pending = limiter.check(c);
    if (pending instanceof Promise) return pending.then((verdict) => settle(c, next, verdict, settings));
    return settle(c, next, pending, settings);
  };
}
