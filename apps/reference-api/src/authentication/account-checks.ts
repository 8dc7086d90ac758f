import { builtinCatalog } from '@faultline/core';
import { bearerChallenge, wwwAuthenticate } from '@faultline/fastify';
import { requiredScope, userScopes } from '../oauth/scopes.js';
import type { Principal } from './authenticate.js';

/** What a route demands beyond a valid credential; set as `config.access` on the route. */
export type RouteAccess =
  /** Any user of a team in good standing (the default). */
  | 'member'
  /** Team administrators only: managing users, API keys and OAuth apps. */
  | 'admin'
  /** Any valid credential, whatever the account's state: ending a session must always work. */
  | 'any'
  /** No credential at all: logging in. */
  | 'public';

/** The request as the checks see it: its method, and its route's pattern and `access`. */
export interface RouteRequest {
  readonly method: string;
  readonly access: RouteAccess | undefined;
  /** The route as declared, e.g. `/v1/campaigns/:id`; it decides which OAuth scope is needed. */
  readonly pattern: string;
}

const readMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses a request the caller's account or credential does not allow. When
 * several reasons hold, the first in this order is reported, from the caller
 * outward and then to the operation:
 *
 * 1. `user_is_disabled`: the person behind the credential may not act at all;
 * 2. `team_blocked`: compliance stopped the whole team, whatever else is true;
 * 3. `missing_subscription`: the team has no active paid subscription;
 * 4. `missing_team_admin`: the team has no active administrator to answer for it;
 * 5. `not_authorized`: the credential is read-only and the request writes, or is
 *    an OAuth token no token of its grant could make this request with (see
 *    `checkScope`); `insufficient_scope`: an OAuth token without the operation's scope;
 * 6. `user_not_admin`: the operation is for team administrators.
 *
 * Each has a different remedy owned by a different person (an admin, support,
 * billing, the caller), so the one reported is the one to fix first.
 */
declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; see {@link checkAccess}. */
    access?: RouteAccess;
  }
}

export function checkAccess(principal: Principal, route: RouteRequest, realm: string): void {
  const { method, access = 'member', pattern } = route;
  if (access === 'any' || access === 'public') return;
  const { account } = principal;
  if (account.userDisabled) {
    throw builtinCatalog.error('user_is_disabled', {
      detail:
        'Your user is disabled, so its API keys, sessions and OAuth tokens cannot be used. Ask an administrator of your team to enable it.',
    });
  }
  if (account.teamBlocked) {
    throw builtinCatalog.error('team_blocked', {
      detail: 'Your team is blocked for a compliance review; no request is served until support lifts the block.',
    });
  }
  if (account.subscription !== 'active') {
    throw builtinCatalog.error('missing_subscription', {
      detail:
        account.subscription === 'lapsed'
          ? 'Your team’s paid subscription has lapsed. Renew it to use the API again.'
          : 'Your team has no paid subscription. Subscribe to use the API.',
    });
  }
  if (!account.teamHasActiveAdmin) {
    throw builtinCatalog.error('missing_team_admin', {
      detail: 'Your team has no active administrator. Ask support to appoint one, or re-enable a disabled administrator.',
    });
  }
  const { credential } = principal;
  if (credential.kind === 'oauth') checkScope(principal, credential.scope, method, pattern, realm);
  if (principal.access === 'read_only' && !readMethods.has(method)) {
    throw builtinCatalog.error('not_authorized', {
      detail: `This API key is read-only, so it cannot ${method} here. Use a key with read_write access.`,
    });
  }
  if (access === 'admin' && principal.role !== 'admin') {
    throw builtinCatalog.error('user_not_admin', {
      detail: 'Only administrators of your team may manage users and API keys.',
    });
  }
}

/**
 * An OAuth token may call only what its scope grants. Each refusal carries the
 * RFC 6750 section 3 challenge `error="insufficient_scope"`, with `scope` when
 * another token could succeed; when none ever could (account administration,
 * or a user's data with no user behind the token) it names no scope, so the
 * client does not send the user to consent for nothing.
 */
function checkScope(principal: Principal, granted: readonly string[], method: string, pattern: string, realm: string): void {
  const needed = requiredScope(method, pattern);
  const cannotSucceed = (detail: string) =>
    builtinCatalog.error('not_authorized', {
      detail,
      headers: {
        'www-authenticate': wwwAuthenticate([
          bearerChallenge({ realm, error: 'insufficient_scope', description: 'No scope grants this request to an OAuth token.' }),
        ]),
      },
    });
  if (needed === undefined) {
    throw cannotSucceed(
      'OAuth apps cannot manage users, API keys, sessions or OAuth apps. Use an API key of a team administrator.',
    );
  }
  if (principal.userId === null && userScopes.has(needed)) {
    throw cannotSucceed(
      `This access token was issued to an app for its own team (client credentials): no user is behind it, so no token of this grant can have "${needed}". Use the authorization code flow to act for a user.`,
    );
  }
  if (!granted.includes(needed)) {
    throw builtinCatalog.error('insufficient_scope', {
      detail: `This request needs the scope "${needed}", which the access token does not have. Ask the user to authorize it.`,
      headers: {
        'www-authenticate': wwwAuthenticate([bearerChallenge({ realm, error: 'insufficient_scope', scope: [needed] })]),
      },
      extensions: { scope: needed },
    });
  }
}
