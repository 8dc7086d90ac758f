import { builtinCatalog, isProfileName, type Catalog, type ProfileName } from '@faultline/core';
import { canQuote } from './authentication-challenge.js';
import { defaultJsonLimits, type JsonLimits } from './json-limits.js';

/** The contract's options that no framework owns. Every one has a sensible default. */
export interface ContractOptions {
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
  /** Structural limits on JSON bodies, checked before parsing; see {@link JsonLimits}. */
  readonly jsonLimits?: Partial<JsonLimits>;
  /**
   * The classic profile's body is exactly `{code, error, time}`, the failing
   * fields named in `error`; `true` also writes the `errors[]` member (each
   * field by JSON pointer) as the other profiles do. Default: false.
   */
  readonly classicFieldErrors?: boolean;
}

/** {@link ContractOptions} with every default filled in. */
export interface ContractSettings {
  readonly catalog: Catalog;
  readonly profile: ProfileName;
  readonly docsUrl: string;
  readonly contentTypes: readonly string[];
  readonly realm: string;
  readonly maxFieldErrors: number;
  readonly jsonLimits: JsonLimits;
  readonly classicFieldErrors: boolean;
}

/**
 * Checks the options and fills in the defaults; a bad option throws a
 * `TypeError` that names it and says what it may be.
 *
 * @example
 * ```ts
 * const settings = resolveContractSettings({ profile: 'classic', contentTypes: ['application/json'] });
 * settings.realm; // 'api'
 * ```
 */
export function resolveContractSettings(options: ContractOptions = {}): ContractSettings {
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
    maxFieldErrors: wholeLimit('maxFieldErrors', options.maxFieldErrors ?? 100),
    classicFieldErrors: options.classicFieldErrors === true,
    jsonLimits: {
      maxDepth: wholeLimit('jsonLimits.maxDepth', options.jsonLimits?.maxDepth ?? defaultJsonLimits.maxDepth),
      maxKeys: wholeLimit('jsonLimits.maxKeys', options.jsonLimits?.maxKeys ?? defaultJsonLimits.maxKeys),
      maxItems: wholeLimit('jsonLimits.maxItems', options.jsonLimits?.maxItems ?? defaultJsonLimits.maxItems),
      maxMembers: wholeLimit('jsonLimits.maxMembers', options.jsonLimits?.maxMembers ?? defaultJsonLimits.maxMembers),
    },
  };
}

/**
 * A limit option: a whole number from 1, or `Infinity` for none; anything else
 * throws a `TypeError` naming the option.
 *
 * @example
 * ```ts
 * wholeLimit('maxConnectionsPerClient', options.maxConnectionsPerClient ?? 256);
 * ```
 */
export function wholeLimit(name: string, value: number): number {
  if (value === Number.POSITIVE_INFINITY || (Number.isInteger(value) && value >= 1)) return value;
  throw new TypeError(`The Faultline option ${name} must be a whole number from 1, or Infinity, not ${value}.`);
}
