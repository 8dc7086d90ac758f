import { builtinCatalog, isProfileName, type Catalog, type ErrorContext, type ProfileName } from '@faultline/core';

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
  /** The realm named in `WWW-Authenticate` challenges. Default: `api`. */
  readonly realm?: string;
  /** At most this many failing fields are listed in one validation error. Default: 100. */
  readonly maxFieldErrors?: number;
  /**
   * The classic profile's body is exactly `{code, error, time}`, the failing
   * fields named in `error`; `true` also writes the `errors[]` member (each
   * field by JSON pointer) as the other profiles do. Default: false.
   */
  readonly classicFieldErrors?: boolean;
}

/** Per-route settings, under `config.faultline` of a route. */
export interface FaultlineRouteConfig {
  /** Forces a profile on this route whatever the client accepts (OAuth2 endpoints always speak `oauth`). */
  readonly profile?: ProfileName;
  /** Where the route sits, which can change a code's status (see the catalog's variants). */
  readonly context?: ErrorContext;
}

/** The plugin's options with every default filled in. */
export interface FaultlineSettings {
  readonly catalog: Catalog;
  readonly profile: ProfileName;
  readonly docsUrl: string;
  readonly contentTypes: readonly string[];
  readonly realm: string;
  readonly maxFieldErrors: number;
  readonly classicFieldErrors: boolean;
}

export function resolveSettings(options: FaultlineOptions = {}): FaultlineSettings {
  const profile = options.profile ?? 'problem';
  if (!isProfileName(profile))
    throw new TypeError(`Unknown error profile "${String(profile)}": use problem, classic, message or oauth.`);
  const realm = options.realm ?? 'api';
  if (!/^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(realm))
    throw new TypeError('The realm must be printable ASCII without quotes or backslashes.');
  return {
    catalog: options.catalog ?? builtinCatalog,
    profile,
    docsUrl: options.docsUrl ?? '/docs/errors',
    contentTypes: options.contentTypes ?? ['application/json'],
    realm,
    maxFieldErrors: options.maxFieldErrors ?? 100,
    classicFieldErrors: options.classicFieldErrors === true,
  };
}
