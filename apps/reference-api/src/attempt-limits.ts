import { createHash } from 'node:crypto';
import { builtinCatalog } from '@faultline/core';
import {
  MemoryStore,
  rateLimitField,
  rateLimitPolicyField,
  type PolicyDecision,
  type RateLimitPolicy,
  type RateLimitStore,
} from '@faultline/fastify';
import { clientNetwork } from './authentication/client-network.js';
import { readWholeNumber } from './environment-numbers.js';

/**
 * How many attempts each limit on guessing and minting allows in its window.
 * They protect the credentials, not the capacity, so they are always on,
 * whatever `RATE_LIMITS` says; `npm start` reads each from its variable (see
 * {@link parseAttemptBudgets}), the windows are fixed.
 */
export interface AttemptBudgets {
  /** Failed authentications (a wrong, unknown or malformed credential) per client network, per minute. */
  readonly authFailures: number;
  /** Password logins per client network per minute, both login forms together: enough for a person who mistypes. */
  readonly loginsPerAddress: number;
  /** Password logins per account from any address per 15 minutes, both forms together: a botnet gets no more than one client. */
  readonly loginsPerAccount: number;
  /** Requests to /oauth/token and /oauth/revoke per client network per minute. */
  readonly oauthPerAddress: number;
  /** Tokens minted or revoked per OAuth client per minute, once it has authenticated: each one writes rows. */
  readonly oauthPerClient: number;
}

/** The budgets that apply unless the environment says otherwise. */
export const defaultAttemptBudgets: AttemptBudgets = {
  authFailures: 30,
  loginsPerAddress: 30,
  loginsPerAccount: 20,
  oauthPerAddress: 300,
  oauthPerClient: 120,
};

/** The variable behind each budget. */
const budgetVariables: Readonly<Record<keyof AttemptBudgets, string>> = {
  authFailures: 'AUTH_FAILURES_PER_MINUTE',
  loginsPerAddress: 'LOGINS_PER_MINUTE',
  loginsPerAccount: 'LOGINS_PER_ACCOUNT_PER_15_MINUTES',
  oauthPerAddress: 'OAUTH_REQUESTS_PER_MINUTE',
  oauthPerClient: 'OAUTH_TOKENS_PER_CLIENT_PER_MINUTE',
};

/** Reads the attempt budgets from their variables (a positive whole number each; unset: the default). */
export function parseAttemptBudgets(environment: NodeJS.ProcessEnv): AttemptBudgets {
  const budgets: Record<string, number> = {};
  for (const [name, variable] of Object.entries(budgetVariables)) {
    budgets[name] = readWholeNumber(environment, variable) ?? defaultAttemptBudgets[name as keyof AttemptBudgets];
  }
  return budgets as unknown as AttemptBudgets;
}

/** Each limit on guessing and minting as rate-limit policies, counted per network, account or client. */
export type AttemptPolicies = { readonly [name in keyof AttemptBudgets]: readonly [RateLimitPolicy] };

/** The policies of `budgets`, each in its window. */
export function attemptPolicies(budgets: Partial<AttemptBudgets> = {}): AttemptPolicies {
  const budget = { ...defaultAttemptBudgets, ...budgets };
  const minute = 60_000;
  return {
    authFailures: [{ name: 'auth-failures', limit: budget.authFailures, windowMs: minute }],
    loginsPerAddress: [{ name: 'login', limit: budget.loginsPerAddress, windowMs: minute }],
    loginsPerAccount: [{ name: 'login-account', limit: budget.loginsPerAccount, windowMs: 15 * minute }],
    oauthPerAddress: [{ name: 'oauth-address', limit: budget.oauthPerAddress, windowMs: minute }],
    oauthPerClient: [{ name: 'oauth-client', limit: budget.oauthPerClient, windowMs: minute }],
  };
}

/** Where the attempt limits count, and how they are spent. */
export interface AttemptLimits {
  /** The policies of each limit, from the budgets the limits were made with. */
  readonly policies: AttemptPolicies;
  /**
   * Throws `limit_reached` when `key` has no unit left under `policies`,
   * spending nothing: the check made before a lookup whose failure is what
   * counts. `reserved` units are held by lookups already under way.
   */
  check(key: string, policies: readonly RateLimitPolicy[], detail: string, reserved?: number): Promise<void>;
  /** Spends one unit; throws `limit_reached` when none is left. */
  spend(key: string, policies: readonly RateLimitPolicy[], detail: string): Promise<void>;
  /** Spends one unit if one is left, never throws for the limit: the record of a failure already answered. */
  record(key: string, policies: readonly RateLimitPolicy[]): Promise<void>;
}

/** The key of a client's network for the attempt limits, e.g. `net:203.0.113.7` or `net:2001:db8:1:2::/64`. */
export function networkKey(ip: string): string {
  return `net:${clientNetwork(ip)}`;
}

/** The key of an account for the login limits: a hash, so no email is written into a shared store. */
export function accountKey(email: string): string {
  return `account:${createHash('sha256').update(email.toLowerCase().slice(0, 254)).digest('base64url')}`;
}

/**
 * Attempt limits on `store`, or on a store in this process's memory that
 * counts on `now` (the app's clock, which tests move), with `budgets` (the
 * defaults otherwise). A refusal is a `limit_reached` with `Retry-After` and
 * the `RateLimit-Policy` and `RateLimit` fields of the policy that refused,
 * as the /v1 rate-limit hook writes them.
 *
 * @example
 * const limits = attemptLimits(undefined, Date.now);
 * await limits.spend(accountKey('ann@example.com'), limits.policies.loginsPerAccount, 'Too many logins for this email');
 */
export function attemptLimits(
  store: RateLimitStore | undefined,
  now: () => number,
  budgets: Partial<AttemptBudgets> = {},
): AttemptLimits {
  const counted = store ?? new MemoryStore({ maxKeys: 100_000, now });
  const refuseIfNeeded = (decisions: readonly PolicyDecision[], detail: string, roomFor: number) => {
    const refused = decisions.find((decision) => !decision.allowed || decision.remaining < roomFor);
    if (refused === undefined) return;
    // A peek (cost 0) is admitted with nothing left; the wait is then until one unit is back.
    const interval = refused.policy.windowMs / refused.policy.limit;
    const waitMs = refused.allowed ? Math.max(0, refused.resetMs - refused.policy.windowMs + interval) : refused.retryAfterMs;
    // The wait is a duration on the store's clock; the client is told it against the wall clock.
    // At least a second: Retry-After counts whole seconds, and 0 would invite an immediate retry.
    const retryAt = new Date(Date.now() + Math.max(1000, Number.isFinite(waitMs) ? Math.ceil(waitMs) : refused.policy.windowMs));
    throw builtinCatalog.error('limit_reached', {
      detail: `${detail}; try again after ${retryAt.toISOString()}.`,
      retryAt,
      headers: {
        'ratelimit-policy': rateLimitPolicyField(decisions.map((decision) => decision.policy)),
        // A peek admitted with too little left shows none left: the request it answers is refused.
        ratelimit: rateLimitField(decisions.map((decision) => (decision === refused ? { ...decision, remaining: 0 } : decision))),
      },
      extensions: { policy: refused.policy.name },
    });
  };
  return {
    policies: attemptPolicies(budgets),
    async check(key, policies, detail, reserved = 0) {
      refuseIfNeeded(await counted.consume(key, policies, 0), detail, 1 + reserved);
    },
    async spend(key, policies, detail) {
      refuseIfNeeded(await counted.consume(key, policies, 1), detail, 0);
    },
    async record(key, policies) {
      await counted.consume(key, policies, 1);
    },
  };
}

/** The failure budget of client networks, around each credential lookup. */
export interface FailureBudget {
  /**
   * Runs `lookup` unless the network has no failure left (then throws
   * `limit_reached` without running it); counts a failure when `lookup`
   * throws an error `isFailure` accepts.
   */
  guard<T>(network: string, lookup: () => Promise<T>, isFailure: (error: unknown) => boolean): Promise<T>;
}

/** A network's lookups under way, in the order they took their slots, and those waiting for a slot. */
interface Lookups {
  readonly holders: Set<object>;
  readonly waiting: { readonly ticket: object; readonly admit: () => void }[];
}

/**
 * A failure budget on `limits`. Every lookup is counted before it runs, as if
 * it were to fail: a network has at most as many lookups under way at once as
 * its budget allows failures, and the next waits for one of them to end. So a
 * burst of guesses sent at once, even from a network that never failed, costs
 * at most a budget's worth of lookups; once they have failed, the rest are
 * refused with 429 before any database work.
 *
 * A network that has not failed here within the policy's window is counted
 * in this process's memory only, so a well-behaved client costs no store
 * round trip (no Redis call) per request, and a busy one waits only while a
 * budget's worth of its own lookups are under way (each a query, bounded by
 * the database timeouts). Once it fails, every request from it is checked in
 * the store until the window passes, its lookups under way counting against
 * what is left. Another process's failures are learnt at this process's first
 * failure from that network. Memory: at most `maxSuspects` networks; past
 * that the list starts over.
 *
 * @example
 * const limits = attemptLimits(undefined, Date.now);
 * const budget = failureBudget(limits, limits.policies.authFailures);
 * const principal = await budget.guard(networkKey(request.ip), () => lookUp(credential), (error) => isUnauthorized(error));
 */
export function failureBudget(
  limits: AttemptLimits,
  policies: readonly RateLimitPolicy[],
  options: { now?: () => number; maxSuspects?: number } = {},
): FailureBudget {
  const now = options.now ?? Date.now;
  const maxSuspects = options.maxSuspects ?? 100_000;
  const windowMs = Math.max(...policies.map((policy) => policy.windowMs));
  /** The most lookups of one network under way at once: as many as its budget allows failures. */
  const maxUnderWay = Math.min(...policies.map((policy) => policy.limit));
  /** Networks that failed here, until when they are checked. */
  const suspects = new Map<string, number>();
  /** Lookups under way (and waiting) per network; a network with none has no entry. */
  const lookups = new Map<string, Lookups>();
  const isSuspect = (network: string) => {
    const until = suspects.get(network);
    if (until === undefined) return false;
    if (until > now()) return true;
    suspects.delete(network);
    return false;
  };
  /**
   * Takes one of the network's lookup slots for `ticket`, or waits for one to be handed over when
   * none is free (only then a promise: the common case costs no extra turn of the event loop).
   */
  const take = (network: string, ticket: object): Lookups | Promise<Lookups> => {
    let entry = lookups.get(network);
    if (entry === undefined) {
      entry = { holders: new Set(), waiting: [] };
      lookups.set(network, entry);
    }
    if (entry.holders.size < maxUnderWay) {
      entry.holders.add(ticket);
      return entry;
    }
    const waited = entry;
    return new Promise<Lookups>((admit) => waited.waiting.push({ ticket, admit: () => admit(waited) }));
  };
  /** Gives the slot of `ticket` back, handing it to the next lookup waiting. */
  const release = (network: string, entry: Lookups, ticket: object) => {
    entry.holders.delete(ticket);
    const next = entry.waiting.shift();
    if (next !== undefined) {
      entry.holders.add(next.ticket);
      next.admit();
    } else if (entry.holders.size === 0) lookups.delete(network);
  };
  /** How many lookups took their slots before `ticket` and are still under way: each may yet fail. */
  const aheadOf = (entry: Lookups, ticket: object) => {
    let ahead = 0;
    for (const holder of entry.holders) {
      if (holder === ticket) break;
      ahead += 1;
    }
    return ahead;
  };
  return {
    async guard(network, lookup, isFailure) {
      const ticket = {};
      const taken = take(network, ticket);
      const entry = taken instanceof Promise ? await taken : taken;
      try {
        if (isSuspect(network)) {
          // What is left must cover this lookup and those under way ahead of it, any of which may fail;
          // those behind it count this one when they check.
          const ahead = aheadOf(entry, ticket);
          await limits.check(network, policies, 'Too many failed authentications from your network', ahead);
        }
        return await lookup();
      } catch (error) {
        if (isFailure(error)) {
          if (!suspects.has(network) && suspects.size >= maxSuspects) suspects.clear();
          suspects.set(network, now() + windowMs);
          await limits.record(network, policies);
        }
        throw error;
      } finally {
        release(network, entry, ticket);
      }
    },
  };
}
