import type { SchemalessOperation } from '../contract/route-contract.js';
import { lifetimes } from './oauth-tokens.js';
import { scopeDescriptions } from './scopes.js';

/*
 * The OAuth endpoints in the OpenAPI document. They have no route schema (form
 * bodies are read by form-body.ts, and refused parameters are RFC 6749 errors,
 * not validation errors), so each route declares its operation with
 * `config.operation`; the catalog errors of the token endpoints are declared
 * in `config.errors` and written in the oauth format.
 */

const page = (description: string) => ({ description, content: { 'text/html': {} } });
const redirect = (description: string) => ({
  description,
  headers: {
    Location: {
      description: 'Where the browser goes next.',
      required: true,
      schema: { type: 'string', format: 'uri-reference', maxLength: 2000 },
    },
  },
});
const form = (properties: Record<string, unknown>, required: readonly string[]) => ({
  required: true,
  content: {
    'application/x-www-form-urlencoded': {
      schema: { type: 'object', required, properties },
    },
  },
});
const text = (description: string, maxLength = 2000) => ({ type: 'string', maxLength, description });
const clientCredentials = {
  client_id: text('The app’s client id, when it does not authenticate with HTTP Basic.', 100),
  client_secret: text('A confidential app’s secret, when it does not use HTTP Basic.', 200),
};
const scopeList = `Space-separated scopes: ${Object.keys(scopeDescriptions).join(', ')}.`;

const pageErrors = {
  400: page('The request or the form is not valid: a page saying what is wrong (nothing is redirected to an unverified client).'),
  500: page('Something failed on our side: a page with the request id.'),
};

/** The forms' errors: those of any page, and a body over the forms' limit. */
const formPageErrors = {
  ...pageErrors,
  413: page('The form body is larger than the forms accept (16 KiB): a page saying so.'),
};

export const authorizeOperation: SchemalessOperation = {
  operationId: 'authorize',
  summary: 'Ask the user to authorize an app (RFC 6749 section 4.1.1, with PKCE)',
  description:
    'A page for the user’s browser: the login page, or the consent page once logged in. A refused request from a verified client is redirected back to it with `error`, `state` and `iss`.',
  tags: ['oauth'],
  parameters: [
    { name: 'response_type', in: 'query', required: true, schema: { type: 'string', const: 'code' } },
    { name: 'client_id', in: 'query', required: true, schema: text('The app’s client id.', 100) },
    { name: 'redirect_uri', in: 'query', required: false, schema: text('One of the app’s redirect URIs, exactly.') },
    { name: 'scope', in: 'query', required: true, schema: text(scopeList, 500) },
    { name: 'state', in: 'query', required: false, schema: text('Returned unchanged on the redirect.', 500) },
    { name: 'code_challenge', in: 'query', required: true, schema: text('The PKCE challenge (S256).', 128) },
    { name: 'code_challenge_method', in: 'query', required: true, schema: { type: 'string', const: 'S256' } },
  ],
  responses: {
    200: page('The login page, or the consent page when the user is logged in.'),
    302: redirect('Back to the app with `error`, `error_description`, `state` and `iss`: the request was refused.'),
    ...pageErrors,
    403: page('The logged-in user is disabled.'),
  },
  errorPages: true,
};

export const loginOperation: SchemalessOperation = {
  operationId: 'oauthLogin',
  summary: 'Log in on the authorization page',
  tags: ['oauth'],
  requestBody: form(
    {
      email: text('The user’s email.', 254),
      password: text('The user’s password.', 1000),
      request: text('The authorization request, as the page received it.'),
      csrf: text('The token of the page’s form.', 200),
    },
    ['email', 'password', 'request', 'csrf'],
  ),
  responses: {
    200: page('The login page again: the email or the password is wrong, or the login expired.'),
    303: redirect('Logged in: back to the authorization request, which shows the consent page.'),
    302: redirect('Back to the app with `error`: the authorization request was refused.'),
    ...formPageErrors,
    403: page('The form was not sent from this page (its token does not match), or the user is disabled.'),
    429: {
      ...page('Too many login attempts for this address or this account.'),
      headers: {
        'Retry-After': { $ref: '#/components/headers/RetryAfter' },
        'RateLimit-Policy': { $ref: '#/components/headers/RateLimitPolicy' },
        RateLimit: { $ref: '#/components/headers/RateLimit' },
      },
    },
  },
  errorPages: true,
};

export const consentOperation: SchemalessOperation = {
  operationId: 'oauthConsent',
  summary: 'Allow or deny an app on the consent page',
  tags: ['oauth'],
  requestBody: form(
    {
      decision: { type: 'string', enum: ['allow', 'deny'] },
      request: text('The authorization request, as the page received it.'),
      csrf: text('The token of the page’s form.', 200),
    },
    ['decision', 'request', 'csrf'],
  ),
  responses: {
    303: redirect('Back to the app: with `code`, `state` and `iss` when allowed, with `error=access_denied` when denied.'),
    302: redirect('Back to the app with `error`: the authorization request was refused.'),
    200: page('The login page: the user is not logged in any more.'),
    ...formPageErrors,
    403: page('The form was not sent from this page, or the user is disabled.'),
  },
  errorPages: true,
};

export const tokenOperation: SchemalessOperation = {
  operationId: 'issueToken',
  summary: 'Issue an access token (RFC 6749 section 3.2)',
  description:
    'Exchanges an authorization code (with its PKCE verifier), a refresh token, or a confidential app’s own credentials for an access token. Errors are RFC 6749 bodies.',
  tags: ['oauth'],
  requestBody: form(
    {
      grant_type: { type: 'string', enum: ['authorization_code', 'refresh_token', 'client_credentials'] },
      code: text('The authorization code (authorization_code).', 200),
      redirect_uri: text('The redirect URI of the authorization request (authorization_code).'),
      code_verifier: text('The PKCE verifier (authorization_code).', 128),
      refresh_token: text('The refresh token (refresh_token).', 200),
      scope: text(scopeList, 500),
      ...clientCredentials,
    },
    ['grant_type'],
  ),
  responses: {
    200: {
      description: 'The token.',
      headers: {
        'Cache-Control': { $ref: '#/components/headers/CacheControl' },
      },
      content: {
        'application/json': {
          schema: {
            type: 'object',
            required: ['access_token', 'token_type', 'expires_in', 'scope'],
            properties: {
              access_token: text('Send it as `Authorization: Bearer …`.', 200),
              token_type: { type: 'string', const: 'Bearer' },
              expires_in: {
                type: 'integer',
                minimum: 1,
                maximum: lifetimes.accessTokenMs / 1000,
                description: 'Seconds until it expires.',
              },
              refresh_token: text('Exchange it for a new access token (not with client_credentials).', 200),
              scope: text('The scopes granted.', 500),
            },
          },
        },
      },
    },
  },
};

export const revokeOperation: SchemalessOperation = {
  operationId: 'revokeToken',
  summary: 'Revoke a token (RFC 7009)',
  description: 'Revokes an access or refresh token of the calling app; an unknown token is answered 200 as well.',
  tags: ['oauth'],
  requestBody: form(
    {
      token: text('The token to revoke.', 200),
      token_type_hint: { type: 'string', enum: ['access_token', 'refresh_token'] },
      ...clientCredentials,
    },
    ['token'],
  ),
  responses: { 200: { description: 'Revoked, or not a token of this app.' } },
};
