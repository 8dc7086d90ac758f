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

/**
 * A JSON Schema (2020-12) for one extension member: kept to the keywords the
 * OpenAPI document, the docs and the client types are written from.
 */
export type ExtensionSchema =
  | {
      readonly type: 'string';
      readonly format?: 'date-time' | 'uri-reference';
      readonly maxLength: number;
      readonly pattern?: string;
    }
  | { readonly type: 'integer'; readonly minimum: number; readonly maximum: number };

/**
 * A member an error body carries besides the profile's own, such as the quota
 * on a quota error. Written by the problem profile (RFC 9457 section 3.2).
 */
export interface ExtensionMember {
  readonly schema: ExtensionSchema;
  /** What the member says, for the docs and the OpenAPI document. */
  readonly description: string;
  /** False when the member is sent only sometimes (the description says when); true by default. */
  readonly always?: boolean;
}

/** The TypeScript type of a value an {@link ExtensionSchema} accepts. */
export type ExtensionValue<S extends ExtensionSchema> = S extends { readonly type: 'integer' } ? number : string;

/**
 * The extension members of an entry as a type, each optional: a client reads
 * them from a body it did not write, so it checks each before use.
 */
export type ExtensionValues<D> = D extends { readonly extensions: infer X }
  ? { readonly [K in keyof X]?: X[K] extends { readonly schema: infer S extends ExtensionSchema } ? ExtensionValue<S> : never }
  : Record<never, never>;

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
  /** The extension members a body of this code carries, by name; see {@link ExtensionMember}. */
  readonly extensions?: Readonly<Record<string, ExtensionMember>>;
}

/** A catalog entry with its code attached. */
export interface CatalogEntry<C extends string = string> extends CatalogEntryDefinition {
  readonly code: C;
  readonly headers: readonly string[];
  readonly variants: readonly CatalogVariant[];
  readonly occursIn: readonly ErrorContext[];
  readonly extensions: Readonly<Record<string, ExtensionMember>>;
  /** True unless {@link CatalogEntryDefinition.retry} is `never`. */
  readonly retryable: boolean;
}
