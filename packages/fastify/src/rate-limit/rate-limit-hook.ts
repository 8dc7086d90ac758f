import type { Catalog } from '@faultline/core';
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { RateLimitPolicy } from './gcra.js';
import { MemoryStore, type RateLimitStore } from './memory-store.js';
import { rateLimitField, rateLimitPolicyField } from './rate-limit-fields.js';

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
}

/**
 * An `onRequest` hook that spends one unit of each policy per request, adds
 * the `RateLimit-Policy` and `RateLimit` fields to every answer, 2xx
 * included, and refuses a request over any policy with `limit_reached`
 * (429, `Retry-After`, the retry time in the body and the violated policy).
 * Add it after the authentication hook when the key is the caller.
 */
export function rateLimitHook(options: RateLimitOptions): onRequestHookHandler {
  for (const policy of options.policies) {
    if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(policy.name))
      throw new TypeError(`Rate-limit policy name "${policy.name}" must be a simple word.`);
    if (!(Number.isInteger(policy.limit) && policy.limit > 0 && policy.windowMs > 0)) {
      throw new TypeError(`Rate-limit policy "${policy.name}" needs a positive whole limit and window.`);
    }
  }
  const store = options.store ?? new MemoryStore();
  const policyField = rateLimitPolicyField(options.policies);
  const keyOf = options.key ?? ((request: FastifyRequest) => `ip:${request.ip}`);
  return function rateLimit(request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void {
    const settle = (decisions: Awaited<ReturnType<RateLimitStore['consume']>>) => {
      reply.header('ratelimit-policy', policyField);
      reply.header('ratelimit', rateLimitField(decisions));
      const refused = decisions.filter((decision) => !decision.allowed).sort((a, b) => b.retryAfterMs - a.retryAfterMs)[0];
      if (refused === undefined) {
        done();
        return;
      }
      const retryAt = new Date(
        Date.now() + (Number.isFinite(refused.retryAfterMs) ? refused.retryAfterMs : refused.policy.windowMs),
      );
      done(
        options.catalog.error('limit_reached', {
          detail: `Rate limit "${refused.policy.name}" (${refused.policy.limit} per ${refused.policy.windowMs / 1000} s) reached; try again after ${retryAt.toISOString()}.`,
          retryAt,
          headers: { 'ratelimit-policy': policyField, ratelimit: rateLimitField(decisions) },
          extensions: { policy: refused.policy.name },
        }),
      );
    };
    const result = store.consume(keyOf(request), options.policies, options.cost?.(request) ?? 1);
    if (Array.isArray(result)) settle(result);
    else result.then(settle, (error: unknown) => done(error as Error));
  };
}
