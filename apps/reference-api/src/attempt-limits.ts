import { createHash } from 'node:crypto';
import { builtinCatalog } from '@faultline/core';
import { MemoryStore, type PolicyDecision, type RateLimitPolicy, type RateLimitStore } from '@faultline/fastify';
import { clientNetwork } from './authentication/client-network.js';

/**
 * The limits on guessing and minting, whatever `RATE_LIMITS` says: they
 * protect the credentials, not the capacity, so they are always on. Each is
 * counted per client network (an IPv4 address, an IPv6 /64) or per account,
 * in the rate-limit store the app is given (Redis when `REDIS_URL` is set,
 * so every process draws on one budget), else in this process's memory.
 */
export const attemptPolicies = {
  /** Failed authentications (a wrong, unknown or malformed credential) per client network. */
  authFailures: [{ name: 'auth-failures', limit: 30, windowMs: 60_000 }],
  /** Password logins per client network, both login forms together: enough for a person who mistypes. */
  loginsPerAddress: [{ name: 'login', limit: 30, windowMs: 60_000 }],
  /** Password logins per account from any address, both login forms together: a botnet gets no more than one client. */
  loginsPerAccount: [{ name: 'login-account', limit: 20, windowMs: 15 * 60_000 }],
  /** Requests to /oauth/token and /oauth/revoke per client network. */
  oauthPerAddress: [{ name: 'oauth-address', limit: 300, windowMs: 60_000 }],
  /** Tokens minted or revoked per OAuth client, once it has authenticated: each one writes rows. */
  oauthPerClient: [{ name: 'oauth-client', limit: 120, windowMs: 60_000 }],
} as const satisfies Record<string, readonly RateLimitPolicy[]>;

/** Where the attempt limits count, and how they are spent. */
export interface AttemptLimits {
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
 * counts on `now` (the app's clock, which tests move).
 *
 * @example
 * const limits = attemptLimits(undefined, Date.now);
 * await limits.spend(accountKey('ann@example.com'), attemptPolicies.loginsPerAccount, 'Too many logins for this email');
 */
export function attemptLimits(store: RateLimitStore | undefined, now: () => number): AttemptLimits {
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
      extensions: { policy: refused.policy.name },
    });
  };
  return {
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

/**
 * A failure budget on `limits`. A network that has not failed here within
 * the policy's window is not checked at all, so a well-behaved client costs
 * no store round trip (no Redis call) per request. Once it fails, every
 * request from it is checked until the window passes, and its lookups under
 * way count against what is left, so a burst of guesses sent at once cannot
 * overdraw it. The first burst from a network that never failed is bounded
 * by the in-flight limits, not here. Another process's failures are learnt
 * at this process's first failure from that network. Memory: at most
 * `maxSuspects` networks; past that the list starts over.
 *
 * @example
 * const budget = failureBudget(attemptLimits(undefined, Date.now), attemptPolicies.authFailures);
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
  /** Networks that failed here, until when they are checked. */
  const suspects = new Map<string, number>();
  /** Lookups under way per suspect network. */
  const underWay = new Map<string, number>();
  const isSuspect = (network: string) => {
    const until = suspects.get(network);
    if (until === undefined) return false;
    if (until > now()) return true;
    suspects.delete(network);
    return false;
  };
  return {
    async guard(network, lookup, isFailure) {
      const checked = isSuspect(network);
      if (checked) {
        await limits.check(network, policies, 'Too many failed authentications from your network', underWay.get(network) ?? 0);
        underWay.set(network, (underWay.get(network) ?? 0) + 1);
      }
      try {
        return await lookup();
      } catch (error) {
        if (isFailure(error)) {
          if (!suspects.has(network) && suspects.size >= maxSuspects) suspects.clear();
          suspects.set(network, now() + windowMs);
          await limits.record(network, policies);
        }
        throw error;
      } finally {
        if (checked) {
          const left = (underWay.get(network) ?? 1) - 1;
          if (left <= 0) underWay.delete(network);
          else underWay.set(network, left);
        }
      }
    },
  };
}
