import { builtinCatalog, isProfileName, type Catalog, type ErrorContext, type ProfileName } from '@faultline/core';
import type { IdempotencyMode } from '@faultline/idempotency';
import { canQuote } from './authentication-challenge.js';

/** Options of the Faultline plugin. Every one has a sensible default. */
export interface FaultlineOptions {
  /** The catalog every code must come from. Default: the built-in catalog. */
  readonly catalog?: Catalog;
  /** The wire format of error bodies. Default: `problem`. */
  readonly profile?: ProfileName;
  /** Base URL of the error reference; a code's docs are at `${docsUrl}#${code}`. Default: `/docs/errors`. */
  readonly docsUrl?: string;
  /** The body media types the app reads; a body of any other type gets 415. Default: `application/json`. */
  readonly contentTypes?: readonly string[];
  /**
   * The realm named in `WWW-Authenticate` challenges: printable ASCII, quotes and backslashes
   * included (they are escaped). Default: `api`.
   */
  readonly realm?: string;
  /** At most this many failing fields are listed in one validation error. Default: 100. */
  readonly maxFieldErrors?: number;
  /**
   * The most connections one client address may hold open (requests pipelined
   * on a connection behind another count as one more each); past it, that
   * address alone gets 503 with `Retry-After`. Behind a trusted proxy (see
   * `trustProxy`), the most requests one forwarded address may have in flight.
   * `Infinity` turns the limit off. Default: 256, far above a browser's 6
   * connections to a host or a load generator's pool of 50 to 100.
   */
  readonly maxConnectionsPerClient?: number;
  /**
   * Set it when Fastify's own `trustProxy` is set: every connection then comes
   * from the proxy, so `maxConnectionsPerClient` counts the requests of each
   * forwarded client address (`request.ip`) instead of connections, at a small
   * cost per request. Default: false.
   */
  readonly trustProxy?: boolean;
  /** Structural limits on JSON bodies, checked before parsing; see {@link JsonLimits}. */
  readonly jsonLimits?: Partial<JsonLimits>;
  /**
   * The classic profile's body is exactly `{code, error, time}`, the failing
   * fields named in `error`; `true` also writes the `errors[]` member (each
   * field by JSON pointer) as the other profiles do. Default: false.
   */
  readonly classicFieldErrors?: boolean;
}

/**
 * What a JSON body may hold, checked in one pass over its bytes before it is
 * parsed, so a body built to be slow (a million keys, an array nested a
 * million deep) is refused with 413 before it costs a parse or a validation.
 */
export interface JsonLimits {
  /** How deep objects and arrays may nest. Default: 32. */
  readonly maxDepth: number;
  /** The most keys one object may have. Default: 1,000. */
  readonly maxKeys: number;
  /** The most items one array may have. Default: 20,000. */
  readonly maxItems: number;
  /** The most values (keys, items and nested values) the whole body may have. Default: 100,000. */
  readonly maxMembers: number;
}

/** The defaults of {@link JsonLimits}. */
export const defaultJsonLimits: JsonLimits = { maxDepth: 32, maxKeys: 1000, maxItems: 20_000, maxMembers: 100_000 };

/** Per-route settings, under `config.faultline` of a route. */
export interface FaultlineRouteConfig {
  /** Forces a profile on this route whatever the client accepts (OAuth2 endpoints always speak `oauth`). */
  readonly profile?: ProfileName;
  /** Where the route sits, which can change a code's status (see the catalog's variants). */
  readonly context?: ErrorContext;
  /** Whether the route takes `Idempotency-Key`s, with the `idempotency` plugin registered: off, optional or required. */
  readonly idempotency?: IdempotencyMode;
}

/** The default of {@link FaultlineOptions.maxConnectionsPerClient}. */
const defaultMaxConnectionsPerClient = 256;

/** The plugin's options with every default filled in. */
export interface FaultlineSettings {
  readonly catalog: Catalog;
  readonly profile: ProfileName;
  readonly docsUrl: string;
  readonly contentTypes: readonly string[];
  readonly realm: string;
  readonly maxFieldErrors: number;
  readonly maxConnectionsPerClient: number;
  readonly trustProxy: boolean;
  readonly jsonLimits: JsonLimits;
  readonly classicFieldErrors: boolean;
}

export function resolveSettings(options: FaultlineOptions = {}): FaultlineSettings {
  const profile = options.profile ?? 'problem';
  if (!isProfileName(profile))
    throw new TypeError(`Unknown error profile "${String(profile)}": use problem, classic, message or oauth.`);
  const realm = options.realm ?? 'api';
  // Quotes and backslashes are escaped in the challenge; anything else outside printable ASCII cannot be sent.
  if (!canQuote(realm))
    throw new TypeError('The realm must be printable ASCII: no control characters, line breaks or non-ASCII.');
  return {
    catalog: options.catalog ?? builtinCatalog,
    profile,
    docsUrl: options.docsUrl ?? '/docs/errors',
    contentTypes: options.contentTypes ?? ['application/json'],
    realm,
    maxFieldErrors: positive('maxFieldErrors', options.maxFieldErrors ?? 100),
    classicFieldErrors: options.classicFieldErrors === true,
    maxConnectionsPerClient: positive(
      'maxConnectionsPerClient',
      options.maxConnectionsPerClient ?? defaultMaxConnectionsPerClient,
    ),
    trustProxy: options.trustProxy === true,
    jsonLimits: {
      maxDepth: positive('jsonLimits.maxDepth', options.jsonLimits?.maxDepth ?? defaultJsonLimits.maxDepth),
      maxKeys: positive('jsonLimits.maxKeys', options.jsonLimits?.maxKeys ?? defaultJsonLimits.maxKeys),
      maxItems: positive('jsonLimits.maxItems', options.jsonLimits?.maxItems ?? defaultJsonLimits.maxItems),
      maxMembers: positive('jsonLimits.maxMembers', options.jsonLimits?.maxMembers ?? defaultJsonLimits.maxMembers),
    },
  };
}

/** A limit: a whole number from 1, or `Infinity` for none. */
function positive(name: string, value: number): number {
  if (value === Number.POSITIVE_INFINITY || (Number.isInteger(value) && value >= 1)) return value;
  throw new TypeError(`The Faultline option ${name} must be a whole number from 1, or Infinity, not ${value}.`);
}
