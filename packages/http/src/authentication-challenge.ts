import { toOAuthText } from '@faultline/core';

/**
 * One challenge of a `WWW-Authenticate` header (RFC 9110 section 11.6.1): an
 * auth-scheme and its parameters, written in order.
 */
export interface AuthenticationChallenge {
  /** The auth-scheme, a token such as `Bearer` or `Basic`. */
  readonly scheme: string;
  /** Each parameter's value is sent as a quoted-string; an undefined value is left out. */
  readonly parameters?: Readonly<Record<string, string | undefined>>;
}

/** The RFC 6750 section 3.1 error codes of a Bearer challenge. */
export type BearerError = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

export interface BearerChallengeOptions {
  readonly realm: string;
  readonly error?: BearerError;
  /**
   * Free text for `error_description`. RFC 6750 allows only printable ASCII
   * without `"` and `\` there, so other characters are replaced (see
   * `toOAuthText`) and the text is cut at 200 characters.
   */
  readonly description?: string;
  /** The scopes that would do, for `insufficient_scope` (RFC 6750 section 3). */
  readonly scope?: readonly string[];
}

const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What a quoted-string carries here: tab, space and printable ASCII (obs-text is left out: clients read it differently). */
const quotable = /^[\t\x20-\x7e]*$/;
/** RFC 6750 section 3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const scopeToken = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const maxDescription = 200;

/** Whether {@link quotedString} can carry `value`: tabs, spaces and printable ASCII only. */
export function canQuote(value: string): boolean {
  return quotable.test(value);
}

/**
 * `value` as an RFC 9110 quoted-string (section 5.6.4): in double quotes, with
 * `"` and `\` escaped by a backslash. Throws a TypeError for a value a
 * quoted-string cannot carry (a control character, a line break, non-ASCII),
 * rather than send a header a client would misread.
 *
 * @example
 * quotedString('say "hi"'); // => '"say \\"hi\\""'
 */
export function quotedString(value: string): string {
  if (!canQuote(value)) {
    throw new TypeError(
      `A quoted-string cannot carry ${JSON.stringify(value.slice(0, 100))}: only tabs, spaces and printable ASCII.`,
    );
  }
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * The value of a `WWW-Authenticate` header offering each challenge in turn.
 * The one builder of that header: every value is a quoted-string (see
 * {@link quotedString}), every scheme and parameter name must be a token.
 *
 * @example
 * wwwAuthenticate([
 *   bearerChallenge({ realm: 'api', error: 'insufficient_scope', scope: ['campaigns:write'] }),
 *   basicChallenge('api'),
 * ]);
 * // => 'Bearer realm="api", error="insufficient_scope", scope="campaigns:write", Basic realm="api", charset="UTF-8"'
 */
export function wwwAuthenticate(challenges: readonly AuthenticationChallenge[]): string {
  if (challenges.length === 0) throw new TypeError('A WWW-Authenticate header needs at least one challenge.');
  return challenges.map(formatChallenge).join(', ');
}

function formatChallenge({ scheme, parameters = {} }: AuthenticationChallenge): string {
  if (!token.test(scheme)) throw new TypeError(`The auth-scheme ${JSON.stringify(scheme)} is not an HTTP token.`);
  const written = Object.entries(parameters)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => {
      if (!token.test(name)) throw new TypeError(`The parameter name ${JSON.stringify(name)} is not an HTTP token.`);
      return `${name}=${quotedString(value)}`;
    });
  return written.length === 0 ? scheme : `${scheme} ${written.join(', ')}`;
}

/**
 * An RFC 6750 Bearer challenge: `realm`, then `error`, `error_description` and
 * `scope` when given. Without `error` it is the bare challenge a request with
 * no credentials gets (section 3.1).
 *
 * @example
 * wwwAuthenticate([bearerChallenge({ realm: 'api', error: 'invalid_token', description: 'The token expired.' })]);
 * // => 'Bearer realm="api", error="invalid_token", error_description="The token expired."'
 */
export function bearerChallenge(options: BearerChallengeOptions): AuthenticationChallenge {
  const { realm, error, description, scope } = options;
  for (const each of scope ?? []) {
    if (!scopeToken.test(each)) throw new TypeError(`The scope ${JSON.stringify(each)} is not an RFC 6750 scope-token.`);
  }
  return {
    scheme: 'Bearer',
    parameters: {
      realm,
      error,
      error_description: description === undefined ? undefined : toOAuthText(description).slice(0, maxDescription),
      scope: scope === undefined || scope.length === 0 ? undefined : scope.join(' '),
    },
  };
}

/**
 * An RFC 7617 Basic challenge, which says credentials are encoded as UTF-8.
 *
 * @example
 * wwwAuthenticate([basicChallenge('api')]); // => 'Basic realm="api", charset="UTF-8"'
 */
export function basicChallenge(realm: string): AuthenticationChallenge {
  return { scheme: 'Basic', parameters: { realm, charset: 'UTF-8' } };
}

/** Codes that say the credentials sent are bad, which RFC 6750 reports as `error="invalid_token"`. */
const invalidCredentials: ReadonlySet<string> = new Set(['invalid_token', 'invalid_api_key', 'session_expired']);
/** Codes that say the token lacks a scope, which RFC 6750 reports as `error="insufficient_scope"`. */
const scopeCodes: ReadonlySet<string> = new Set(['insufficient_scope', 'missing_scope']);

/**
 * The `WWW-Authenticate` value for an error that did not set its own, or
 * undefined when it needs none. A 401 without credentials gets a bare
 * challenge (RFC 6750 section 3.1: no error attribute), bad credentials get
 * `error="invalid_token"`; a 403 `insufficient_scope` gets
 * `error="insufficient_scope"`, with the scope its `scope` extension names.
 */
export function defaultChallenge(
  realm: string,
  status: number,
  codes: readonly string[],
  detail: string,
  scope: unknown,
): string | undefined {
  if (status === 401) {
    if (!codes.some((code) => invalidCredentials.has(code))) return wwwAuthenticate([bearerChallenge({ realm })]);
    return wwwAuthenticate([bearerChallenge({ realm, error: 'invalid_token', description: detail })]);
  }
  if (status === 403 && codes.some((code) => scopeCodes.has(code))) {
    const named = typeof scope === 'string' ? scope.split(' ') : [];
    const scopes = named.every((each) => scopeToken.test(each)) ? named : [];
    return wwwAuthenticate([bearerChallenge({ realm, error: 'insufficient_scope', description: detail, scope: scopes })]);
  }
  return undefined;
}
