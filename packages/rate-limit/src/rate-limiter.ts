import type { ApiError, Catalog } from '@faultline/core';
import type { PolicyDecision, RateLimitPolicy } from './gcra.js';
import { MemoryStore, type RateLimitStore } from './memory-store.js';
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

/** What a {@link RateLimiter} counts, and on whose allowance; `Request` is whatever your framework calls a request. */
export interface RateLimiterOptions<Request> {
  /** Every policy a request must pass, e.g. 20 per second and 5,000 per hour. */
  readonly policies: readonly RateLimitPolicy[];
  /** Whose allowance a request spends: an API key, an OAuth client, the client address. */
  readonly key: (request: Request) => string;
  /** How many units a request costs. Default 1. */
  readonly cost?: (request: Request) => number;
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
   * createRateLimiter({ catalog, policies, key, legacyHeaders: ['x-ratelimit'] });
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
   * createRateLimiter({ catalog, policies, key: byApiKey, also: [{ key: byTeam, policies: [{ name: 'team', limit: 100, windowMs: 1000 }] }] });
   * ```
   */
  readonly also?: readonly RateLimitGroup<Request>[];
}

/** Policies counted on a key of their own, beside the limiter's main ones. */
export interface RateLimitGroup<Request> {
  /** Whose allowance a request spends; `undefined`: the request does not count here. */
  readonly key: (request: Request) => string | undefined;
  readonly policies: readonly RateLimitPolicy[];
}

/** What the limiter decided for one request. */
export interface RateLimitVerdict {
  /**
   * The fields to write on the answer, whatever it turns out to be (2xx
   * included): `ratelimit-policy`, `ratelimit`, and the legacy forms asked
   * for. Names in lower case.
   */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * `limit_reached` (429, with its retry time, which gives `Retry-After`, and
   * the violated policy's name in `policy`) when a policy refused the request;
   * `undefined` when it is admitted.
   */
  readonly refusal: ApiError | undefined;
}

/** Decides requests against a set of policies; see {@link createRateLimiter}. */
export interface RateLimiter<Request> {
  /**
   * Spends the request's cost on every policy and says whether it is
   * admitted. Synchronous with a synchronous store (the memory store), a
   * promise with a remote one; a store failure rejects the promise.
   */
  check(request: Request): RateLimitVerdict | Promise<RateLimitVerdict>;
  /** Every policy of the limiter, groups included, in the order the fields list them. */
  readonly policies: readonly RateLimitPolicy[];
}

/** What the limiter works out once per policy rather than once per request. */
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
 * A rate limiter that works with any framework: it spends one unit (or the
 * request's cost) of each policy per request, with the generic cell rate
 * algorithm, and says which fields to write on the answer and, over a limit,
 * the `limit_reached` error to answer with (429 with `Retry-After`, the retry
 * time in the body and the violated policy). The framework adapters
 * (`rateLimitHook` of `@faultline/fastify`, the middleware of
 * `@faultline/express` and `@faultline/hono`) are thin wrappers of it.
 *
 * Policy names are simple words; limits and windows are positive. A bad
 * option throws a `TypeError` naming it.
 *
 * @example
 * ```ts
 * import { builtinCatalog } from '@faultline/core';
 * import { createRateLimiter } from '@faultline/rate-limit';
 *
 * const limiter = createRateLimiter<IncomingMessage>({
 *   catalog: builtinCatalog,
 *   policies: [{ name: 'burst', limit: 20, windowMs: 1000 }],
 *   key: (request) => `ip:${request.socket.remoteAddress}`,
 * });
 * const verdict = await limiter.check(request);
 * for (const [name, value] of Object.entries(verdict.headers)) response.setHeader(name, value);
 * if (verdict.refusal !== undefined) answerWithError(verdict.refusal); // 429
 * ```
 */
export function createRateLimiter<Request>(options: RateLimiterOptions<Request>): RateLimiter<Request> {
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
  // Chosen once: a limiter without legacy headers does no work for them.
  const draft6 = legacy.includes('draft-6');
  const xRateLimit = legacy.includes('x-ratelimit');
  const anyLegacy = draft6 || xRateLimit;
  const { policies, catalog } = options;
  const store = options.store ?? new MemoryStore();
  const policyField = rateLimitPolicyField(allPolicies);
  const prepared = allPolicies.map(prepare);
  const costOf = options.cost;
  const keyOf = options.key;
  // The last refusal, its retry time and policy: a flood on one key asks for the same one over and over.
  let lastRetryMs = Number.NaN;
  let lastRefusedPolicy: RateLimitPolicy | undefined;
  let lastRefusal: ApiError | undefined;

  /** The prepared form of a decision's policy: the limiter's own, unless a store answered with other policy objects. */
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

  /** Adds the legacy headers, describing one policy's decision. */
  const addLegacyHeaders = (headers: Record<string, string>, decision: PolicyDecision, index: number): void => {
    const limit = preparedFor(decision, index).limitText;
    const left = String(decision.remaining);
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
  };

  const settle = (decisions: readonly PolicyDecision[]): RateLimitVerdict => {
    const headers: Record<string, string> = { 'ratelimit-policy': policyField, ratelimit: field(decisions) };
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
    if (anyLegacy) {
      if (refused === undefined) addLegacyHeaders(headers, decisions[tightestIndex] as PolicyDecision, tightestIndex);
      else addLegacyHeaders(headers, refused, refusedIndex);
    }
    if (refused === undefined) return { headers, refusal: undefined };
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
    return { headers, refusal: error };
  };

  /** The decisions of the main policies, then of each group in turn until one refuses. */
  const withGroups = async (
    request: Request,
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

  return {
    policies: allPolicies,
    check(request: Request): RateLimitVerdict | Promise<RateLimitVerdict> {
      const cost = costOf === undefined ? 1 : costOf(request);
      const first = store.consume(keyOf(request), policies, cost);
      const result = groups.length === 0 ? first : withGroups(request, first, cost);
      return Array.isArray(result) ? settle(result) : (result as Promise<readonly PolicyDecision[]>).then(settle);
    },
  };
}
