/**
 * The shape of one catalog entry: everything a server, a docs page and a
 * client need to know about an error code, written once.
 */

/** The wire formats Faultline can write. See `profiles/`. */
export type ProfileName = 'problem' | 'classic' | 'message' | 'oauth';

/**
 * Where an error is produced. The same code can carry a different status in a
 * different place: RFC 6749 asks token endpoints to answer 400 where a plain
 * API answers 401, and errors at the authorization endpoint travel in a
 * redirect rather than a response body.
 */
export type ErrorContext = 'api' | 'oauth-authorization' | 'oauth-token';

/**
 * How a client should retry.
 * - `never`: the same request will fail the same way; change it first.
 * - `backoff`: a transient fault; retry idempotent requests with exponential backoff.
 * - `retry-after`: wait until the time the response names (`Retry-After`, or the time in the body).
 * - `reauthenticate`: get fresh credentials (refresh a token, log in again), then retry once.
 * - `quota-reset`: not worth retrying before the quota period resets; the response says when.
 */
export type RetryPolicy = 'never' | 'backoff' | 'retry-after' | 'reauthenticate' | 'quota-reset';

/** The families a client sorts errors into; one error class per category. */
export type ErrorCategory =
  | 'invalid_request'
  | 'authentication'
  | 'permission'
  | 'not_found'
  | 'conflict'
  | 'precondition'
  | 'rate_limit'
  | 'quota'
  | 'timeout'
  | 'server';

/**
 * A deviation the seeds disagree on: in a given profile or context, the code
 * is written differently or carries another status. Nothing is dropped; a
 * profile or context picks the variant.
 */
export interface CatalogVariant {
  /** Applies when this profile writes the error. */
  readonly profile?: ProfileName;
  /** Applies when the error is produced in this context. */
  readonly context?: ErrorContext;
  /** The code written on the wire instead of the entry's own. */
  readonly code?: string;
  /** The status sent instead of the entry's own. */
  readonly status?: number;
  /** Why the variant exists, for the docs. */
  readonly note: string;
}

/** What a catalog author writes for each code. */
export interface CatalogEntryDefinition {
  /** The HTTP status in the `api` context. */
  readonly status: number;
  /** A short human title, e.g. "Invalid API key". */
  readonly title: string;
  /** What the error means, in a sentence or two. */
  readonly description: string;
  /** What the caller should do about it. */
  readonly action: string;
  readonly category: ErrorCategory;
  readonly retry: RetryPolicy;
  /** HTTP response headers that must accompany this error. */
  readonly headers?: readonly string[];
  /** Where the entry behaves differently; see {@link CatalogVariant}. */
  readonly variants?: readonly CatalogVariant[];
  /** Where the code can arise (endpoints, OAuth2 steps), for the docs. */
  readonly occursIn?: readonly ErrorContext[];
}

/** A catalog entry with its code attached. */
export interface CatalogEntry<C extends string = string> extends CatalogEntryDefinition {
  readonly code: C;
  readonly headers: readonly string[];
  readonly variants: readonly CatalogVariant[];
  readonly occursIn: readonly ErrorContext[];
  /** True unless {@link CatalogEntryDefinition.retry} is `never`. */
  readonly retryable: boolean;
}
