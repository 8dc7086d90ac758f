import type { CatalogEntryDefinition, ExtensionValues } from './catalog-entry.js';
import { defineCatalog } from './define-catalog.js';

/*
 * The built-in catalog: every code the seed pages name, plus one entry for
 * each error status of their status tables that no named code covers.
 *
 * Where two seeds name the same failure differently (seed 000 says
 * `internal_error` and `limit_reached`, seed 002 says `server_error` and
 * `usage_limit_exceeded`), both codes are entries of their own and a variant
 * tells which one a profile writes. A server throws whichever code it likes;
 * the profile translates.
 */

const authenticate = ['WWW-Authenticate'] as const;
const retryLater = ['Retry-After'] as const;
const rateLimited = ['Retry-After', 'RateLimit-Policy', 'RateLimit'] as const;
const tokenEndpoint = ['Cache-Control'] as const;

/** What the built-in catalog is made of; its types give each code's extension members (see {@link BuiltinExtensions}). */
const builtinDefinitions = {
  // --- The request itself -------------------------------------------------
  invalid_request: {
    status: 400,
    title: 'Invalid request',
    description:
      'The request could not be understood: the body is not valid JSON, it is cut short, or a parameter is missing, repeated or malformed.',
    action: 'Read the detail, which names the part at fault, correct the request and send it again.',
    category: 'invalid_request',
    retry: 'never',
    occursIn: ['api', 'oauth-authorization', 'oauth-token'],
    variants: [
      {
        profile: 'classic',
        code: 'invalid_parameter',
        note: 'The classic vocabulary calls a malformed request an invalid parameter.',
      },
    ],
  },
  missing_parameter: {
    status: 400,
    title: 'Missing parameter',
    description: 'A parameter the operation requires was not sent.',
    action: 'Add every parameter listed in `errors` (each is named by a JSON pointer) and send the request again.',
    category: 'invalid_request',
    retry: 'never',
    variants: [{ profile: 'oauth', code: 'invalid_request', note: 'RFC 6749 has one code for every malformed request.' }],
  },
  invalid_parameter: {
    status: 400,
    title: 'Invalid parameter',
    description: 'A parameter has the wrong type, format or range, or the operation does not accept it at all.',
    action: 'Fix each field listed in `errors` (each is named by a JSON pointer) and send the request again.',
    category: 'invalid_request',
    retry: 'never',
    variants: [{ profile: 'oauth', code: 'invalid_request', note: 'RFC 6749 has one code for every malformed request.' }],
  },
  unspecified_error: {
    status: 400,
    title: 'Request rejected',
    description:
      'The request is well formed, but a business rule refuses it, such as resuming an archived campaign or scheduling one in the past.',
    action: 'Read the detail for the rule that refused the request; change the request or the state of the resource first.',
    category: 'invalid_request',
    retry: 'never',
    variants: [{ profile: 'oauth', code: 'invalid_request', note: 'RFC 6749 has one code for every refused request.' }],
  },
  invalid_content_type: {
    status: 415,
    title: 'Unsupported content type',
    description: 'The body was sent with a `Content-Type` this endpoint does not read.',
    action: 'Send the body in one of the media types the detail lists, usually `application/json`, and say so in `Content-Type`.',
    category: 'invalid_request',
    retry: 'never',
  },
  request_too_large: {
    status: 413,
    title: 'Request too large',
    description: 'The body is larger than this endpoint accepts.',
    action: 'Send less in one request, for example by splitting a batch into several smaller ones.',
    category: 'invalid_request',
    retry: 'never',
  },
  method_not_allowed: {
    status: 405,
    title: 'Method not allowed',
    description: 'The path exists, but not with this HTTP method.',
    action: 'Use one of the methods listed in the `Allow` header.',
    category: 'invalid_request',
    retry: 'never',
    headers: ['Allow'],
  },
  request_timeout: {
    status: 408,
    title: 'Request timeout',
    description: 'The server gave up waiting for the rest of the request.',
    action: 'Send the request again, with the whole body sent promptly.',
    category: 'timeout',
    retry: 'backoff',
  },

  // --- Who is calling -----------------------------------------------------
  unauthorized_request: {
    status: 401,
    title: 'Authentication required',
    description: 'The request carries no credentials: no API key and no access token.',
    action:
      'Send an API key or an OAuth2 access token in the `Authorization` header, as the `WWW-Authenticate` header describes.',
    category: 'authentication',
    retry: 'never',
    headers: authenticate,
  },
  invalid_api_key: {
    status: 401,
    title: 'Invalid API key',
    description: 'The API key sent is not one we issued, or it has been revoked.',
    action: 'Check that the whole key was sent; if it was revoked, create a new one and update your application.',
    category: 'authentication',
    retry: 'never',
    headers: authenticate,
  },
  invalid_token: {
    status: 401,
    title: 'Invalid access token',
    description: 'The access token has expired, has been revoked, or was never valid.',
    action: 'Use your refresh token to obtain a new access token, then send the request again once.',
    category: 'authentication',
    retry: 'reauthenticate',
    headers: authenticate,
  },
  session_expired: {
    status: 401,
    title: 'Session expired',
    description: 'The session token was valid once, but its session has ended.',
    action: 'Sign in again to start a new session, then repeat the request.',
    category: 'authentication',
    retry: 'reauthenticate',
    headers: authenticate,
  },
  invalid_credentials: {
    status: 401,
    title: 'Wrong email or password',
    description: 'Logging in failed: no user has this email, or the password is not theirs. Which one is not said.',
    action: 'Check the email and password and try again; after repeated failures, wait before the next attempt.',
    category: 'authentication',
    retry: 'never',
    headers: authenticate,
  },
  invalid_client: {
    status: 401,
    title: 'Invalid OAuth client',
    description: 'The `client_id` is unknown, or the client secret does not match it.',
    action: 'Check the client id and secret of your OAuth app, and how you send them (HTTP Basic or the request body).',
    category: 'authentication',
    retry: 'never',
    headers: [...authenticate, ...tokenEndpoint],
    occursIn: ['oauth-token'],
  },
  unauthorized_client: {
    status: 401,
    title: 'Client not authorized',
    description: 'The client is known, but it may not use this grant type or perform this action.',
    action: 'Enable the grant type for your OAuth app, or use a client that holds the permission.',
    category: 'authentication',
    retry: 'never',
    headers: authenticate,
    occursIn: ['api', 'oauth-token'],
    variants: [
      {
        context: 'oauth-token',
        status: 400,
        note: 'RFC 6749 section 5.2 answers a token request from an unauthorized client with 400.',
      },
    ],
  },

  // --- What the caller may do ----------------------------------------------
  not_authorized: {
    status: 403,
    title: 'Not authorized',
    description: 'Your credentials are valid but do not allow this operation, for example a read-only key attempting a write.',
    action: 'Use credentials that hold the permission, or ask a team administrator to grant it.',
    category: 'permission',
    retry: 'never',
    variants: [{ profile: 'oauth', code: 'access_denied', note: 'The OAuth-style vocabulary calls a refusal `access_denied`.' }],
  },
  access_denied: {
    status: 403,
    title: 'Access denied',
    description: 'The request was understood and refused: the resource owner or the server denied it.',
    action:
      'At the authorization step, the user declined: ask again only if they choose to. Elsewhere, use credentials with the needed permission.',
    category: 'permission',
    retry: 'never',
    occursIn: ['api', 'oauth-authorization'],
    variants: [{ profile: 'classic', code: 'not_authorized', note: 'The classic vocabulary calls a refusal `not_authorized`.' }],
  },
  insufficient_scope: {
    status: 403,
    title: 'Insufficient scope',
    description: 'The access token is valid but was not granted the scope this operation needs.',
    action: 'Request a token with the scope named in the `WWW-Authenticate` header, which may need the user to consent again.',
    category: 'permission',
    retry: 'never',
    headers: authenticate,
    extensions: {
      scope: {
        schema: { type: 'string', maxLength: 100 },
        description: 'The scope the operation needs, as in `WWW-Authenticate`.',
      },
    },
    variants: [
      { profile: 'classic', code: 'missing_scope', note: 'The classic vocabulary calls a missing scope `missing_scope`.' },
    ],
  },
  missing_scope: {
    status: 403,
    title: 'Missing scope',
    description: 'The token or authorization request does not carry a scope this operation needs.',
    action: 'Ask for the needed scopes when the user authorizes your app, then use the new token.',
    category: 'permission',
    retry: 'never',
    headers: authenticate,
    variants: [{ profile: 'oauth', code: 'insufficient_scope', note: 'RFC 6750 names this `insufficient_scope`.' }],
  },
  user_not_admin: {
    status: 403,
    title: 'Administrator required',
    description: 'This operation is reserved to team administrators, and the user behind these credentials is a member.',
    action: 'Use credentials of a team administrator, or ask one to promote this user.',
    category: 'permission',
    retry: 'never',
  },
  user_is_disabled: {
    status: 403,
    title: 'User disabled',
    description: 'The user behind these credentials has been disabled, so their keys and tokens no longer act.',
    action: 'Ask a team administrator to enable the user again, or use credentials of an active user.',
    category: 'permission',
    retry: 'never',
  },
  missing_team_admin: {
    status: 403,
    title: 'No active team administrator',
    description: 'The team has no active administrator, for example because its only administrator was disabled.',
    action: 'Have the account owner restore an administrator, and check that billing is up to date.',
    category: 'permission',
    retry: 'never',
  },
  missing_subscription: {
    status: 403,
    title: 'Subscription required',
    description: 'The team has no active, paid subscription.',
    action: 'Start or renew the team subscription, then send the request again.',
    category: 'permission',
    retry: 'never',
  },
  team_blocked: {
    status: 403,
    title: 'Team blocked',
    description: 'The team is suspended while our compliance team reviews how the platform is used.',
    action: 'Contact support; requests will fail until the review is over.',
    category: 'permission',
    retry: 'never',
  },

  // --- What the request is about -------------------------------------------
  not_found: {
    status: 404,
    title: 'Not found',
    description:
      'Nothing exists at this path, or the resource belongs to a team you cannot see: the two are answered alike on purpose.',
    action: 'Check the path and the id. If a listing showed the resource a moment ago, it was removed; note it and carry on.',
    category: 'not_found',
    retry: 'never',
  },
  missing_dependent_data: {
    status: 404,
    title: 'Target not found',
    description:
      'The object the operation acts on does not exist or is not yours, for example pausing a campaign whose id matches none of your campaigns.',
    action: 'Stop and check the id you act on: the operation cannot go ahead without it.',
    category: 'not_found',
    retry: 'never',
  },
  conflict: {
    status: 409,
    title: 'Conflict',
    description:
      'The request clashes with the current state of the resource, for example creating something that already exists.',
    action: 'Fetch the current state, decide whether your change still applies, and send it again if so.',
    category: 'conflict',
    retry: 'never',
    extensions: {
      existing_campaign: {
        schema: { type: 'string', format: 'uri-reference', maxLength: 100 },
        description: 'When a campaign of your team already has the `external_id` you sent: that campaign’s URL.',
        always: false,
      },
    },
  },
  precondition_failed: {
    status: 412,
    title: 'Precondition failed',
    description:
      'The `If-Match` header names a version of the resource that is no longer current: someone changed it since you read it.',
    action:
      'Fetch the resource again (the `ETag` header of this response is the current version), reapply your change and retry with the new ETag.',
    category: 'precondition',
    retry: 'never',
    headers: ['ETag'],
  },

  // --- Retries made safe by an Idempotency-Key --------------------------------
  missing_idempotency_key: {
    status: 400,
    title: 'Idempotency key required',
    description:
      'This operation must carry an `Idempotency-Key` header, so that repeating it after a lost answer cannot do the work twice.',
    action: 'Send a new, unique `Idempotency-Key` (a UUID, say) with the request, and the same one again on every retry of it.',
    category: 'invalid_request',
    retry: 'never',
  },
  invalid_idempotency_key: {
    status: 400,
    title: 'Malformed idempotency key',
    description:
      'The `Idempotency-Key` header is empty, longer than 255 characters, sent more than once, or holds a character other than visible ASCII.',
    action: 'Send one `Idempotency-Key` of 1 to 255 visible ASCII characters; a UUID is a good choice.',
    category: 'invalid_request',
    retry: 'never',
  },
  idempotency_key_reused: {
    status: 422,
    title: 'Idempotency key reused',
    description:
      'This `Idempotency-Key` was already used for a different request (another method, path or body), so this one was not run and the first one is not repeated.',
    action:
      'Use a new key for a new request. A retry must repeat the first request exactly, with the same key; check that your retry does not rebuild the body differently.',
    category: 'invalid_request',
    retry: 'never',
  },
  idempotency_key_in_use: {
    status: 409,
    title: 'Request still in progress',
    description:
      'A request with this `Idempotency-Key` is still being processed, so this repeat of it was not run. Its answer will be stored once it finishes.',
    action:
      'Wait the `Retry-After` seconds, then send the same request with the same key: you will get the first request’s answer.',
    category: 'conflict',
    retry: 'retry-after',
    headers: retryLater,
  },

  // --- How much ----------------------------------------------------------
  limit_reached: {
    status: 429,
    title: 'Rate limit reached',
    description: 'Too many requests in too short a time.',
    action:
      'Wait until the time in the message (or the `Retry-After` seconds), then try again; pace your requests by the `RateLimit` header.',
    category: 'rate_limit',
    retry: 'retry-after',
    headers: rateLimited,
    extensions: {
      policy: {
        schema: { type: 'string', maxLength: 100 },
        description: 'The name of the rate-limit policy that refused the request, as named in `RateLimit-Policy`.',
      },
    },
    variants: [
      { profile: 'oauth', code: 'usage_limit_exceeded', note: 'The OAuth-style vocabulary calls this `usage_limit_exceeded`.' },
    ],
  },
  usage_limit_exceeded: {
    status: 429,
    title: 'Usage limit exceeded',
    description: 'Your usage went over the limit allowed for this period.',
    action: 'Wait for the `Retry-After` seconds before the next request and keep to the `RateLimit` header afterwards.',
    category: 'rate_limit',
    retry: 'retry-after',
    headers: rateLimited,
    variants: [{ profile: 'classic', code: 'limit_reached', note: 'The classic vocabulary calls this `limit_reached`.' }],
  },
  exceeds_monthly_recipients: {
    status: 429,
    title: 'Monthly recipient quota exceeded',
    description: 'Adding these recipients would take the team past its monthly quota, so none of them were added.',
    action: 'Add fewer recipients, wait for the quota to reset at the start of next month (UTC), or ask us for a larger quota.',
    category: 'quota',
    retry: 'quota-reset',
    extensions: {
      quota: {
        schema: { type: 'integer', minimum: 0, maximum: 2 ** 31 - 1 },
        description: 'How many recipients the team may add each month.',
      },
      used: { schema: { type: 'integer', minimum: 0, maximum: 2 ** 31 - 1 }, description: 'How many it has added this month.' },
      remaining: {
        schema: { type: 'integer', minimum: 0, maximum: 2 ** 31 - 1 },
        description: 'How many it may still add this month.',
      },
      requested: {
        schema: { type: 'integer', minimum: 1, maximum: 2 ** 31 - 1 },
        description: 'How many new recipients this request would have added.',
      },
      resets_at: {
        schema: { type: 'string', format: 'date-time', maxLength: 30 },
        description: 'When the quota resets: the start of next month, UTC.',
      },
    },
    headers: retryLater,
  },

  // --- Our side ------------------------------------------------------------
  internal_error: {
    status: 500,
    title: 'Internal error',
    description: 'Something failed on our side. It may be temporary, or it may be a bug.',
    action: 'Retry idempotent requests with backoff. If it persists, contact support and quote the request id.',
    category: 'server',
    retry: 'backoff',
    variants: [{ profile: 'oauth', code: 'server_error', note: 'RFC 6749 calls an unexpected failure `server_error`.' }],
  },
  server_error: {
    status: 500,
    title: 'Server error',
    description: 'The server met an unexpected condition and could not finish the request.',
    action: 'Retry idempotent requests with backoff. If it persists, contact support and quote the request id.',
    category: 'server',
    retry: 'backoff',
    occursIn: ['api', 'oauth-authorization', 'oauth-token'],
    variants: [{ profile: 'classic', code: 'internal_error', note: 'The classic vocabulary calls this `internal_error`.' }],
  },
  bad_gateway: {
    status: 502,
    title: 'Bad gateway',
    description: 'A proxy in front of the API got an invalid answer from the server behind it.',
    action: 'Retry with backoff; the fault is usually brief.',
    category: 'server',
    retry: 'backoff',
  },
  service_unavailable: {
    status: 503,
    title: 'Service unavailable',
    description: 'The server is overloaded or down for maintenance and is shedding requests.',
    action: 'Wait for the `Retry-After` seconds, then try again.',
    category: 'server',
    retry: 'retry-after',
    headers: retryLater,
  },
  gateway_timeout: {
    status: 504,
    title: 'Gateway timeout',
    description: 'A proxy in front of the API did not hear back from the server behind it in time.',
    action:
      'Retry idempotent requests with backoff; for others, check whether the first attempt took effect before repeating it.',
    category: 'server',
    retry: 'backoff',
  },

  // --- OAuth2 authorization ----------------------------------------------------
  unsupported_response_type: {
    status: 400,
    title: 'Unsupported response type',
    description: 'The authorization request asks for a `response_type` this server does not issue.',
    action: 'Use `response_type=code`.',
    category: 'invalid_request',
    retry: 'never',
    occursIn: ['oauth-authorization'],
  },
  invalid_scope: {
    status: 400,
    title: 'Invalid scope',
    description: 'A requested scope does not exist, is malformed, or goes beyond what was granted before.',
    action: 'Request only scopes listed in the API reference, and no more than the original grant when refreshing.',
    category: 'invalid_request',
    retry: 'never',
    occursIn: ['oauth-authorization', 'oauth-token'],
  },
  forbidden_scope: {
    status: 400,
    title: 'Forbidden scope',
    description: 'The scope exists, but this app is not allowed to ask for it.',
    action: 'Add the scope to your app settings (it may need review), or stop requesting it.',
    category: 'invalid_request',
    retry: 'never',
    occursIn: ['oauth-authorization'],
  },
  app_not_approved: {
    status: 403,
    title: 'App not approved',
    description: 'This OAuth app may only be used by its own team until it is approved for others.',
    action: 'Authorize with a user of the team that owns the app, or submit the app for approval.',
    category: 'permission',
    retry: 'never',
    occursIn: ['oauth-authorization'],
  },
  invalid_grant: {
    status: 400,
    title: 'Invalid grant',
    description:
      'The authorization code or refresh token is expired, revoked, already used, issued to another client, or does not match the redirect URI or PKCE verifier.',
    action: 'Start the authorization again to get a new code; do not retry the same code or token.',
    category: 'invalid_request',
    retry: 'never',
    headers: tokenEndpoint,
    occursIn: ['oauth-token'],
  },
  unsupported_grant_type: {
    status: 400,
    title: 'Unsupported grant type',
    description: 'The token request uses a `grant_type` this server does not support.',
    action: 'Use `authorization_code`, `refresh_token` or `client_credentials`.',
    category: 'invalid_request',
    retry: 'never',
    headers: tokenEndpoint,
    occursIn: ['oauth-token'],
  },
} as const satisfies Record<string, CatalogEntryDefinition>;

/** The codes every Faultline server and client understands. */
export const builtinCatalog = defineCatalog(builtinDefinitions);

/**
 * The extension members of each built-in code, typed from their schemas.
 *
 * @example
 * const quota: BuiltinExtensions['exceeds_monthly_recipients']['remaining'] = 0; // number | undefined
 */
export type BuiltinExtensions = { [C in BuiltinCode]: ExtensionValues<(typeof builtinDefinitions)[C]> };

/** A code of the built-in catalog. */
export type BuiltinCode = (typeof builtinCatalog.codes)[number];
