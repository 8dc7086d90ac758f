import type { BuiltinCode } from '@faultline/core';
import type { RouteAccess } from '../authentication/account-checks.js';
import { idempotencyModeOf } from '../idempotency/idempotent-routes.js';
import { requiredScope } from '../oauth/scopes.js';

/** What the shared mechanisms see of a route: read from its options and schema. */
export interface RouteFacts {
  /** Upper case, e.g. `GET`. */
  readonly method: string;
  /** The route pattern as Fastify writes it, e.g. `/v1/campaigns/:id`. */
  readonly pattern: string;
  readonly access: RouteAccess;
  /** Where each of its parameters is read: `path`, `query`, `header`. */
  readonly parameterLocations: readonly string[];
  /** Whether its schema declares a body, and whether that body has required members. */
  readonly body: 'none' | 'optional' | 'required';
  /**
   * How it reads a body and answers its errors: `json` (the API), `form` (the
   * OAuth token endpoints: form bodies, any other media type is `invalid_request`),
   * `page` (the OAuth pages for people, which answer errors with HTML pages they declare themselves).
   */
  readonly kind: 'json' | 'form' | 'page';
}

/**
 * One mechanism shared by many routes, and the codes it answers with. Each
 * rule says which routes it applies to, from their facts alone.
 */
interface SharedRule {
  readonly codes: readonly BuiltinCode[];
  readonly applies: (route: RouteFacts) => boolean;
  /** Answered before the /v1 rate-limit hook runs, so without its `RateLimit` fields. */
  readonly beforeRateLimit?: true;
  /** Sent before the route's own error handler could make a page of it, so the OAuth pages answer it too. */
  readonly evenOnPages?: true;
}

const underV1 = (route: RouteFacts) => route.pattern.startsWith('/v1/');
const authenticated = (route: RouteFacts) => underV1(route) && route.access !== 'public';
/** Routes whose account must be in good standing (see authentication/account-checks.ts). */
const accountChecked = (route: RouteFacts) => authenticated(route) && route.access !== 'any';
// Fastify reads a body on every method but GET and HEAD, whether the route expects one or not.
const readsBody = (route: RouteFacts) => route.method !== 'GET' && route.method !== 'HEAD';
const writes = (route: RouteFacts) => !['GET', 'HEAD', 'OPTIONS'].includes(route.method);
const scope = (route: RouteFacts) => requiredScope(route.method, route.pattern);
/** Whether the route takes an `Idempotency-Key` (see idempotency/idempotent-routes.ts). */
export const takesIdempotencyKey = (route: Pick<RouteFacts, 'method' | 'pattern'>) =>
  idempotencyModeOf({ method: route.method, url: route.pattern }) !== 'off';

/**
 * The errors of the mechanisms every route shares, in ONE place. A new shared
 * error (a request timeout, a 503 for a busy database, a 429 for failed
 * logins) is a new rule here, with the routes it reaches; the OpenAPI document
 * and the observed-answers check pick it up from here.
 */
const sharedRules: readonly SharedRule[] = [
  // The /v1 authentication hook (src/build-app.ts): credentials, then the account (account-checks.ts).
  {
    codes: ['unauthorized_request', 'invalid_api_key', 'invalid_token', 'session_expired', 'user_is_disabled'],
    applies: authenticated,
    beforeRateLimit: true,
  },
  { codes: ['team_blocked', 'missing_subscription', 'missing_team_admin'], applies: accountChecked, beforeRateLimit: true },
  // Read-only keys on writes; OAuth tokens on an operation no scope grants (account administration).
  {
    codes: ['not_authorized'],
    applies: (route) => accountChecked(route) && (writes(route) || scope(route) === undefined),
    beforeRateLimit: true,
  },
  {
    codes: ['insufficient_scope'],
    applies: (route) => accountChecked(route) && scope(route) !== undefined,
    beforeRateLimit: true,
  },
  { codes: ['user_not_admin'], applies: (route) => accountChecked(route) && route.access === 'admin', beforeRateLimit: true },
  // A body that is not JSON (or not a form), malformed percent-encoding in a path, an access token in a /v1 query.
  {
    codes: ['invalid_request'],
    applies: (route) => readsBody(route) || underV1(route) || route.parameterLocations.includes('path'),
  },
  // Schema validation.
  { codes: ['missing_parameter'], applies: (route) => route.body === 'required' },
  { codes: ['invalid_parameter'], applies: (route) => route.parameterLocations.length > 0 || route.body !== 'none' },
  // Body parsing: the size limit and the media types the app reads.
  { codes: ['request_too_large'], applies: readsBody },
  // A body without a media type, or of one no parser reads (the token endpoints read forms only).
  { codes: ['invalid_content_type'], applies: readsBody },
  // The Idempotency-Key of a POST or PATCH under /v1 (after validation, so a refused body never burns a key):
  // malformed, or reused for another request. No 409 idempotency_key_in_use: the routes claim the key in the
  // transaction of their work, so a repeat while the first runs waits for its commit and gets its answer.
  { codes: ['invalid_idempotency_key', 'idempotency_key_reused'], applies: takesIdempotencyKey },
  {
    codes: ['missing_idempotency_key'],
    applies: (route) => idempotencyModeOf({ method: route.method, url: route.pattern }) === 'required',
  },
  // The rate limits count each caller's requests under /v1 (RATE_LIMITS, on under `npm start`), and the token
  // endpoints count requests per network and per client (attempt-limits.ts).
  { codes: ['limit_reached'], applies: (route) => underV1(route) || route.kind === 'form' },
  // A request whose headers or body arrive slower than the server's timeouts (faultlineServerOptions).
  { codes: ['request_timeout'], applies: () => true, beforeRateLimit: true, evenOnPages: true },
  // Whatever fails unexpectedly.
  { codes: ['internal_error'], applies: () => true },
  // Load shedding and the per-address cap refuse a request before its route runs (OVERLOAD_*, MAX_CONNECTIONS_PER_CLIENT),
  // and a database that does not answer within its bounds fails it (DATABASE_*_TIMEOUT_MS).
  { codes: ['service_unavailable'], applies: () => true, beforeRateLimit: true, evenOnPages: true },
];

/**
 * The codes the shared mechanisms can answer `route` with, in rule order.
 * The OAuth pages turn the others into pages of their own, which they declare.
 */
export function sharedErrors(route: RouteFacts): BuiltinCode[] {
  return sharedRules
    .filter((rule) => (route.kind !== 'page' || rule.evenOnPages === true) && rule.applies(route))
    .flatMap((rule) => rule.codes);
}

/**
 * What a request no route matches can be answered: its body is read before
 * Fastify finds no route for it, so it meets body parsing first, then 404 for
 * a path nothing serves, or 405 for a method the path does not list.
 */
export const noRouteErrors: readonly BuiltinCode[] = [
  'invalid_request',
  'not_found',
  'method_not_allowed',
  'request_timeout',
  'request_too_large',
  'invalid_content_type',
  'internal_error',
  'service_unavailable',
];

/** The codes answered before the /v1 rate-limit hook (load shedding, authentication), so without its fields. */
export const codesBeforeRateLimit: ReadonlySet<string> = new Set(
  sharedRules.filter((rule) => rule.beforeRateLimit === true).flatMap((rule) => rule.codes),
);
