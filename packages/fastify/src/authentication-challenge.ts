import { toOAuthText } from '@faultline/core';

/** Codes that say the credentials sent are bad, which RFC 6750 reports as `error="invalid_token"`. */
const invalidCredentials: ReadonlySet<string> = new Set(['invalid_token', 'invalid_api_key', 'session_expired']);

/**
 * The `WWW-Authenticate` value for a 401 that did not set its own. A request
 * without credentials gets a bare challenge (RFC 6750 section 3.1: no error
 * attribute); bad credentials get `error="invalid_token"`.
 */
export function authenticationChallenge(realm: string, code: string, detail: string): string {
  if (!invalidCredentials.has(code)) return `Bearer realm="${realm}"`;
  return `Bearer realm="${realm}", error="invalid_token", error_description="${toOAuthText(detail).slice(0, 200)}"`;
}
