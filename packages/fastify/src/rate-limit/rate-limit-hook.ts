import {
  createRateLimiter,
  type LegacyRateLimitHeaders,
  type RateLimitGroup as NeutralRateLimitGroup,
  type RateLimitPolicy,
  type RateLimitStore,
  type RateLimitVerdict,
} from '@faultline/rate-limit';
import type { Catalog } from '@faultline/core';
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { sendApiError } from '../send-api-error.js';
import { settingsOf } from '../settings-store.js';

export type { LegacyRateLimitHeaders } from '@faultline/rate-limit';

export interface RateLimitOptions {
  /** Every policy a request must pass, e.g. 20 per second and 5,000 per hour. */
  readonly policies: readonly RateLimitPolicy[];
  /** Whose allowance a request spends: an API key, an OAuth client, or the IP by default. */
  readonly key?: (request: FastifyRequest) => string;
  /** How many units a request costs. Default 1. */
  readonly cost?: (request: FastifyRequest) => number;
  /** Default: in memory, in this process. */
  readonly store?: RateLimitStore;
  /** The catalog to take `limit_reached` from. */
  readonly catalog: Catalog;
  /**
   * Older header forms to send besides the draft-10 `RateLimit-Policy` and
   * `RateLimit` fields, which are always sent (see `createRateLimiter` of
   * `@faultline/rate-limit`). Default: none.
   *
   * @example
   * ```ts
   * rateLimitHook({ catalog, policies, legacyHeaders: ['x-ratelimit'] });
   * // X-RateLimit-Limit: 50, X-RateLimit-Remaining: 49, X-RateLimit-Reset: 1795000000
   * ```
   */
  readonly legacyHeaders?: readonly LegacyRateLimitHeaders[];
  /**
   * More policies, each group counted on a key of its own: a ceiling per team
   * over all its API keys, say (see `createRateLimiter`). Default: none.
   *
   * @example
   * ```ts
   * rateLimitHook({ catalog, policies, key: byApiKey, also: [{ key: byTeam, policies: [{ name: 'team', limit: 100, windowMs: 1000 }] }] });
   * ```
   */
  readonly also?: readonly RateLimitGroup[];
}

/** Policies counted on a key of their own, beside the hook's main ones. */
export type RateLimitGroup = NeutralRateLimitGroup<FastifyRequest>;

/** The client address as the key: a connection's address is the same string request after request, so its key is built once. */
function byClientAddress(): (request: FastifyRequest) => string {
  let lastIp: string | undefined;
  let lastKey = '';
  return (request) => {
    const ip = request.ip;
    if (ip !== lastIp) {
      lastIp = ip;
      lastKey = `ip:${ip}`;
    }
    return lastKey;
  };
}

/**
 * An `onRequest` hook that spends one unit of each policy per request, adds
 * the `RateLimit-Policy` and `RateLimit` fields to every answer, 2xx
 * included, and refuses a request over any policy with `limit_reached`
 * (429, `Retry-After`, the retry time in the body and the violated policy).
 * Add it after the authentication hook when the key is the caller. The
 * decision is `createRateLimiter`'s, of `@faultline/rate-limit`.
 *
 * The refusal is written by the hook itself, like the plugin's own 404s, so a
 * flood of them costs no trip through Fastify's error path: `onError` hooks and
 * error handlers do not see it (without the {@link faultline} plugin, the
 * error is passed on to them instead). `onSend` and `onResponse` hooks do.
 */
export function rateLimitHook(options: RateLimitOptions): onRequestHookHandler {
  const limiter = createRateLimiter<FastifyRequest>({ ...options, key: options.key ?? byClientAddress() });

  const settle = (reply: FastifyReply, done: (error?: Error) => void, verdict: RateLimitVerdict): void => {
    const headers = verdict.headers;
    for (const name in headers) reply.header(name, headers[name]);
    const error = verdict.refusal;
    if (error === undefined) {
      done();
      return;
    }
    // Answered here, as the plugin answers its own 404s: a flood of refusals costs no trip through
    // Fastify's error path and error handler (which logs only 5xx). The fields above are on the reply already.
    const settings = settingsOf(reply.server);
    if (settings === undefined) done(error);
    else sendApiError(reply, error, settings);
  };

  return function rateLimit(request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void {
    let result: RateLimitVerdict | Promise<RateLimitVerdict>;
    try {
      result = limiter.check(request);
    } catch (error) {
      done(error as Error);
      return;
    }
    if (!(result instanceof Promise)) settle(reply, done, result);
    else
      result.then(
        (verdict) => settle(reply, done, verdict),
        (error: unknown) => done(error as Error),
      );
  };
}
