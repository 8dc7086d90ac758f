import type { Catalog } from '@faultline/core';
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { PolicyDecision, RateLimitPolicy } from './gcra.js';
import { MemoryStore, type RateLimitStore } from './memory-store.js';
import { rateLimitPolicyField } from './rate-limit-fields.js';

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

/** What the hook works out once per policy rather than once per request. */
interface PreparedPolicy {
  readonly policy: RateLimitPolicy;
  /** `"name";r=`: the start of the policy's item in the `RateLimit` field. */
  readonly fieldStart: string;
  /** The `limit_reached` detail up to the retry time. */
  readonly detailStart: string;
}

function prepare(policy: RateLimitPolicy): PreparedPolicy {
  return {
    policy,
    fieldStart: `"${policy.name}";r=`,
    detailStart: `Rate limit "${policy.name}" (${policy.limit} per ${policy.windowMs / 1000} s) reached; try again after `,
  };
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
  const { policies, catalog } = options;
  const store = options.store ?? new MemoryStore();
  const policyField = rateLimitPolicyField(policies);
  const prepared = policies.map(prepare);
  const costOf = options.cost;
  let keyOf = options.key;
  if (keyOf === undefined) {
    // A connection's address is the same string request after request: its key is built once.
    let lastIp: string | undefined;
    let lastKey = '';
    keyOf = (request) => {
      const ip = request.ip;
      if (ip !== lastIp) {
        lastIp = ip;
        lastKey = `ip:${ip}`;
      }
      return lastKey;
    };
  }
  // A flood on one key asks for the same retry time over and over: its ISO form is kept.
  let lastRetryMs = Number.NaN;
  let lastRetryIso = '';

  /** The prepared form of a decision's policy: the hook's own, unless a store answered with other policy objects. */
  const preparedFor = (decision: PolicyDecision, index: number): PreparedPolicy => {
    const own = prepared[index];
    return own !== undefined && own.policy === decision.policy ? own : prepare(decision.policy);
  };

  /** The `RateLimit` field: what is left of each policy, and the seconds until it is restored (as `rateLimitField` writes it). */
  const field = (decisions: readonly PolicyDecision[]): string => {
    let value = '';
    for (let index = 0; index < decisions.length; index++) {
      const decision = decisions[index] as PolicyDecision;
      const item = `${preparedFor(decision, index).fieldStart}${decision.remaining};t=${Math.ceil(decision.resetMs / 1000)}`;
      value = index === 0 ? item : `${value}, ${item}`;
    }
    return value;
  };

  const settle = (reply: FastifyReply, done: (error?: Error) => void, decisions: readonly PolicyDecision[]): void => {
    const remaining = field(decisions);
    reply.header('ratelimit-policy', policyField);
    reply.header('ratelimit', remaining);
    // The refused policy that admits the request last; the first of them on a tie.
    let refused: PolicyDecision | undefined;
    let refusedIndex = 0;
    for (let index = 0; index < decisions.length; index++) {
      const decision = decisions[index] as PolicyDecision;
      if (!decision.allowed && (refused === undefined || decision.retryAfterMs > refused.retryAfterMs)) {
        refused = decision;
        refusedIndex = index;
      }
    }
    if (refused === undefined) {
      done();
      return;
    }
    const retryMs = Date.now() + (Number.isFinite(refused.retryAfterMs) ? refused.retryAfterMs : refused.policy.windowMs);
    const retryAt = new Date(retryMs);
    if (retryMs !== lastRetryMs) {
      lastRetryMs = retryMs;
      lastRetryIso = retryAt.toISOString();
    }
    done(
      catalog.error('limit_reached', {
        detail: `${preparedFor(refused, refusedIndex).detailStart}${lastRetryIso}.`,
        retryAt,
        headers: { 'ratelimit-policy': policyField, ratelimit: remaining },
        extensions: { policy: refused.policy.name },
      }),
    );
  };

  return function rateLimit(request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void {
    const result = store.consume(keyOf(request), policies, costOf === undefined ? 1 : costOf(request));
    if (Array.isArray(result)) settle(reply, done, result);
    else
      result.then(
        (decisions) => settle(reply, done, decisions),
        (error: unknown) => done(error as Error),
      );
  };
}
