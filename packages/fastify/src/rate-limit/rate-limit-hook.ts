import type { ApiError, Catalog } from '@faultline/core';
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { PolicyDecision, RateLimitPolicy } from './gcra.js';
import { MemoryStore, type RateLimitStore } from './memory-store.js';
import { sendApiError } from '../send-api-error.js';
import { settingsOf } from '../settings-store.js';
import { rateLimitPolicyField } from './rate-limit-fields.js';

/**
 * Older rate-limit header forms, for deployed clients that read them:
 * `draft-6` is `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`
 * (seconds until reset), from draft-ietf-httpapi-ratelimit-headers-06;
 * `x-ratelimit` is `X-RateLimit-Limit`, `X-RateLimit-Remaining` and
 * `X-RateLimit-Reset` (the reset as Unix seconds, as GitHub and
 * express-rate-limit's `legacyHeaders` send it).
 */
export type LegacyRateLimitHeaders = 'draft-6' | 'x-ratelimit';

const legacyDialects: readonly LegacyRateLimitHeaders[] = ['draft-6', 'x-ratelimit'];

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
   * `RateLimit` fields, which are always sent. They describe one policy: the
   * refused one when a request is refused, else the one with the fewest units
   * left (the first on a tie). Default: none.
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
   * over all its API keys, say. A request admitted by `policies` spends a unit
   * of each group in turn (a group whose key is `undefined` does not count the
   * request); their items join the `RateLimit-Policy` and `RateLimit` fields,
   * and a group that refuses answers `limit_reached` like any policy. Default: none.
   *
   * @example
   * ```ts
   * rateLimitHook({ catalog, policies, key: byApiKey, also: [{ key: byTeam, policies: [{ name: 'team', limit: 100, windowMs: 1000 }] }] });
   * ```
   */
  readonly also?: readonly RateLimitGroup[];
}

/** Policies counted on a key of their own, beside the hook's main ones. */
export interface RateLimitGroup {
  /** Whose allowance a request spends; `undefined`: the request does not count here. */
  readonly key: (request: FastifyRequest) => string | undefined;
  readonly policies: readonly RateLimitPolicy[];
}

/** What the hook works out once per policy rather than once per request. */
interface PreparedPolicy {
  readonly policy: RateLimitPolicy;
  /** `"name";r=`: the start of the policy's item in the `RateLimit` field. */
  readonly fieldStart: string;
  /** The `limit_reached` detail up to the retry time. */
  readonly detailStart: string;
  /** The limit as the legacy headers write it. */
  readonly limitText: string;
}

function prepare(policy: RateLimitPolicy): PreparedPolicy {
  return {
    policy,
    fieldStart: `"${policy.name}";r=`,
    detailStart: `Rate limit "${policy.name}" (${policy.limit} per ${policy.windowMs / 1000} s) reached; try again after `,
    limitText: String(policy.limit),
  };
}

/**
 * An `onRequest` hook that spends one unit of each policy per request, adds
 * the `RateLimit-Policy` and `RateLimit` fields to every answer, 2xx
 * included, and refuses a request over any policy with `limit_reached`
 * (429, `Retry-After`, the retry time in the body and the violated policy).
 * Add it after the authentication hook when the key is the caller.
 *
 * The refusal is written by the hook itself, like the plugin's own 404s, so a
 * flood of them costs no trip through Fastify's error path: `onError` hooks and
 * error handlers do not see it (without the {@link faultline} plugin, the
 * error is passed on to them instead). `onSend` and `onResponse` hooks do.
 */
export function rateLimitHook(options: RateLimitOptions): onRequestHookHandler {
  const groups = options.also ?? [];
  const allPolicies = [...options.policies, ...groups.flatMap((group) => group.policies)];
  for (const policy of allPolicies) {
    if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(policy.name))
      throw new TypeError(`Rate-limit policy name "${policy.name}" must be a simple word.`);
    if (!(Number.isInteger(policy.limit) && policy.limit > 0 && policy.windowMs > 0)) {
      throw new TypeError(`Rate-limit policy "${policy.name}" needs a positive whole limit and window.`);
    }
  }
  const legacy = options.legacyHeaders ?? [];
  for (const dialect of legacy) {
    if (!legacyDialects.includes(dialect))
      throw new TypeError(`Unknown rate-limit header form "${String(dialect)}": use ${legacyDialects.join(' or ')}.`);
  }
  // Chosen once: a hook without legacy headers does no work for them.
  const draft6 = legacy.includes('draft-6');
  const xRateLimit = legacy.includes('x-ratelimit');
  const anyLegacy = draft6 || xRateLimit;
  const { policies, catalog } = options;
  const store = options.store ?? new MemoryStore();
  const policyField = rateLimitPolicyField(allPolicies);
  const prepared = allPolicies.map(prepare);
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
  // The last refusal, its retry time and policy: a flood on one key asks for the same one over and over.
  let lastRetryMs = Number.NaN;
  let lastRefusedPolicy: RateLimitPolicy | undefined;
  let lastRefusal: ApiError | undefined;

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

  /** The legacy headers, describing one policy's decision. */
  const legacyHeaders = (decision: PolicyDecision, index: number): Record<string, string> => {
    const limit = preparedFor(decision, index).limitText;
    const left = String(decision.remaining);
    const headers: Record<string, string> = {};
    if (draft6) {
      headers['ratelimit-limit'] = limit;
      headers['ratelimit-remaining'] = left;
      headers['ratelimit-reset'] = String(Math.ceil(decision.resetMs / 1000));
    }
    if (xRateLimit) {
      headers['x-ratelimit-limit'] = limit;
      headers['x-ratelimit-remaining'] = left;
      headers['x-ratelimit-reset'] = String(Math.ceil((Date.now() + decision.resetMs) / 1000));
    }
    return headers;
  };

  const settle = (reply: FastifyReply, done: (error?: Error) => void, decisions: readonly PolicyDecision[]): void => {
    const remaining = field(decisions);
    reply.header('ratelimit-policy', policyField);
    reply.header('ratelimit', remaining);
    // The refused policy that admits the request last; the first of them on a tie.
    let refused: PolicyDecision | undefined;
    let refusedIndex = 0;
    // The admitted policy with the fewest units left, which the legacy headers describe when none refused.
    let tightestIndex = 0;
    for (let index = 0; index < decisions.length; index++) {
      const decision = decisions[index] as PolicyDecision;
      if (!decision.allowed && (refused === undefined || decision.retryAfterMs > refused.retryAfterMs)) {
        refused = decision;
        refusedIndex = index;
      }
      if (anyLegacy && decision.remaining < (decisions[tightestIndex] as PolicyDecision).remaining) tightestIndex = index;
    }
    const legacyFields = anyLegacy
      ? refused === undefined
        ? legacyHeaders(decisions[tightestIndex] as PolicyDecision, tightestIndex)
        : legacyHeaders(refused, refusedIndex)
      : undefined;
    if (legacyFields !== undefined) reply.headers(legacyFields);
    if (refused === undefined) {
      done();
      return;
    }
    const retryMs = Date.now() + (Number.isFinite(refused.retryAfterMs) ? refused.retryAfterMs : refused.policy.windowMs);
    // A flood on one key is refused until the same moment, request after request: nothing in the error
    // changes, so it is built once (the Retry-After and the body's time are worked out per answer).
    let error = lastRefusal;
    if (error === undefined || retryMs !== lastRetryMs || refused.policy !== lastRefusedPolicy) {
      const retryAt = new Date(retryMs);
      error = catalog.error('limit_reached', {
        detail: `${preparedFor(refused, refusedIndex).detailStart}${retryAt.toISOString()}.`,
        retryAt,
        extensions: { policy: refused.policy.name },
      });
      lastRetryMs = retryMs;
      lastRefusedPolicy = refused.policy;
      lastRefusal = error;
    }
    // Answered here, as the plugin answers its own 404s: a flood of refusals costs no trip through
    // Fastify's error path and error handler (which logs only 5xx). The fields above are on the reply already.
    const settings = settingsOf(reply.server);
    if (settings === undefined) done(error);
    else sendApiError(reply, error, settings);
  };

  /** The decisions of the main policies, then of each group in turn until one refuses. */
  const withGroups = async (
    request: FastifyRequest,
    first: readonly PolicyDecision[] | Promise<readonly PolicyDecision[]>,
    cost: number,
  ): Promise<readonly PolicyDecision[]> => {
    let decisions = await first;
    for (const group of groups) {
      if (decisions.some((decision) => !decision.allowed)) break;
      const key = group.key(request);
      if (key !== undefined) decisions = [...decisions, ...(await store.consume(key, group.policies, cost))];
    }
    return decisions;
  };

  return function rateLimit(request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void {
    const cost = costOf === undefined ? 1 : costOf(request);
    const first = store.consume(keyOf(request), policies, cost);
    const result = groups.length === 0 ? first : withGroups(request, first, cost);
    if (Array.isArray(result)) settle(reply, done, result);
    else
      result.then(
        (decisions) => settle(reply, done, decisions),
        (error: unknown) => done(error as Error),
      );
  };
}
