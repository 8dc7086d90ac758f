import { toOAuthText, type BuiltinCode } from '@faultline/core';
import type { Kysely } from 'kysely';
import type { Database } from '../database/schema.js';
import { parameter, repeatedNames } from './form-body.js';
import { findApp, type OAuthApp } from './oauth-apps.js';
import { codeChallengeMethods, isWellFormedChallenge } from './pkce.js';
import { isScope, parseScope } from './scopes.js';

/** The errors an authorization request is answered with by a redirect (RFC 6749 §4.1.2.1, and ours). */
export type AuthorizationErrorCode = Extract<
  BuiltinCode,
  | 'invalid_request'
  | 'unauthorized_client'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'forbidden_scope'
  | 'app_not_approved'
  | 'server_error'
>;

/** The response types the authorization endpoint answers: the code flow only (no implicit flow, RFC 9700 §2.1.2). */
export const responseTypes = ['code'] as const;

/** An authorization request whose client and redirect URI check out, and everything else too. */
export interface ValidRequest {
  readonly kind: 'valid';
  readonly app: OAuthApp;
  readonly redirectUri: string;
  readonly state: string | undefined;
  readonly scopes: readonly string[];
  readonly codeChallenge: string | undefined;
}

/** The client or redirect URI cannot be trusted: the user is told on a page, never redirected (RFC 6749 §4.1.2.1). */
export interface UntrustedRequest {
  readonly kind: 'untrusted';
  readonly message: string;
}

/** Anything else wrong: told to the client by a redirect to its (verified) redirect URI. */
export interface RefusedRequest {
  readonly kind: 'refused';
  /** Whether the client may be told by a redirect depends on the app too (see `mayRedirect`). */
  readonly app: OAuthApp;
  readonly redirectUri: string;
  readonly state: string | undefined;
  readonly error: AuthorizationErrorCode;
  readonly description: string;
}

export type CheckedRequest = ValidRequest | UntrustedRequest | RefusedRequest;

/** The query string of a request URL, without the `?`. */
export function queryOf(url: string): string {
  const mark = url.indexOf('?');
  return mark === -1 ? '' : url.slice(mark + 1);
}

/**
 * Checks an authorization request (its query string) in the order RFC 6749
 * §4.1.2.1 demands: the client and the redirect URI first, compared as whole
 * strings with a registered one (case, port, trailing slash and query all
 * count), then every other parameter.
 */
export async function checkAuthorizationRequest(db: Kysely<Database>, query: string): Promise<CheckedRequest> {
  const parameters = new URLSearchParams(query);
  const repeated = repeatedNames(parameters);
  if (repeated.includes('client_id')) return untrusted('The request names client_id more than once.');
  const clientId = parameter(parameters, 'client_id');
  if (clientId === undefined) return untrusted('The request names no client_id, so it cannot be told which app asks.');
  const app = await findApp(db, clientId);
  if (app === undefined) return untrusted('No app has this client_id. The link that brought you here is wrong or out of date.');
  if (repeated.includes('redirect_uri')) return untrusted('The request names redirect_uri more than once.');
  const requested = parameter(parameters, 'redirect_uri');
  let redirectUri: string;
  if (requested === undefined) {
    const [only, ...others] = app.redirectUris;
    if (only === undefined || others.length > 0) {
      return untrusted(`${app.name} has several redirect URIs, and the request does not say which one to use.`);
    }
    redirectUri = only;
  } else {
    if (!app.redirectUris.includes(requested)) {
      return untrusted(`The redirect URI is not one registered for ${app.name}, so you are not sent there.`);
    }
    redirectUri = requested;
  }

  const state = parameter(parameters, 'state');
  const refuse = (error: AuthorizationErrorCode, description: string): RefusedRequest => ({
    kind: 'refused',
    app,
    redirectUri,
    state,
    error,
    description: toOAuthText(description),
  });
  if (repeated.length > 0) return refuse('invalid_request', `${repeated.join(', ')} must not be sent more than once.`);
  const responseType = parameter(parameters, 'response_type');
  if (responseType === undefined) return refuse('invalid_request', 'response_type is missing; it must be code.');
  if (!(responseTypes as readonly string[]).includes(responseType)) {
    return refuse('unsupported_response_type', 'Only response_type=code is supported (the implicit flow is not).');
  }
  if (!app.grantTypes.includes('authorization_code')) {
    return refuse('unauthorized_client', 'This app may not use the authorization code grant.');
  }
  const scope = parameter(parameters, 'scope');
  if (scope === undefined) return refuse('invalid_scope', 'scope is missing; name the scopes the app needs.');
  const scopes = parseScope(scope);
  const unknown = scopes.filter((each) => !isScope(each));
  if (scopes.length === 0 || unknown.length > 0) {
    return refuse('invalid_scope', `Unknown scope: ${unknown.join(' ').slice(0, 200)}.`);
  }
  const forbidden = scopes.filter((each) => !app.allowedScopes.includes(each));
  if (forbidden.length > 0) return refuse('forbidden_scope', `This app may not ask for: ${forbidden.join(' ')}.`);

  const codeChallenge = parameter(parameters, 'code_challenge');
  const method = parameter(parameters, 'code_challenge_method');
  if (method !== undefined && !(codeChallengeMethods as readonly string[]).includes(method)) {
    return refuse('invalid_request', 'code_challenge_method must be S256; plain is not accepted.');
  }
  if (codeChallenge === undefined) {
    if (method !== undefined) return refuse('invalid_request', 'code_challenge_method is sent without code_challenge.');
    if (app.clientType === 'public') {
      return refuse('invalid_request', 'A public client must send a PKCE code_challenge with code_challenge_method=S256.');
    }
  } else {
    // RFC 7636 §4.3 defaults the method to plain, which is refused.
    if (method === undefined) return refuse('invalid_request', 'code_challenge_method must be S256; plain is not accepted.');
    if (!isWellFormedChallenge(codeChallenge)) {
      return refuse('invalid_request', 'code_challenge must be the base64url SHA-256 of the verifier: 43 characters.');
    }
  }
  return { kind: 'valid', app, redirectUri, state, scopes, codeChallenge };
}

function untrusted(message: string): UntrustedRequest {
  return { kind: 'untrusted', message };
}
