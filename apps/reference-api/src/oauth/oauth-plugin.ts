import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
import type { AttemptLimits } from '../attempt-limits.js';
import type { Database } from '../database/schema.js';
import { authorizeRoutes } from './authorize-routes.js';
import { cookieSigner } from './login-cookie.js';
import { metadataRoute } from './metadata-route.js';
import type { OAuthContext } from './oauth-context.js';
import { revokeRoute } from './revoke-route.js';
import { tokenRoutes } from './token-routes.js';

export interface OAuthServerOptions {
  readonly db: Kysely<Database>;
  readonly now: () => number;
  /** The issuer identifier (RFC 9207): this server's public URL, without a trailing slash. */
  readonly issuer: string;
  readonly realm: string;
  /** Where token and revocation requests are counted. */
  readonly limits: AttemptLimits;
  /** Where login attempts are counted: the same budgets as `POST /v1/sessions`. */
  readonly loginLimits: AttemptLimits;
  /**
   * Signs the login cookies of the authorization endpoint. A random key by
   * default, so a restart logs every browser out of it (which costs a login,
   * nothing more); several processes behind one address must share a key.
   */
  readonly cookieKey?: Buffer;
}

/**
 * The OAuth2 authorization server: `/oauth/authorize` (with its login and consent forms), `/oauth/token`,
 * `/oauth/revoke`, and its metadata at `/.well-known/oauth-authorization-server`.
 */
export const oauthServer: FastifyPluginAsync<OAuthServerOptions> = async (app, options) => {
  const context: OAuthContext = {
    db: options.db,
    now: options.now,
    issuer: options.issuer.replace(/\/+$/, ''),
    realm: options.realm,
    signer: cookieSigner(options.cookieKey ?? randomBytes(32)),
    limits: options.limits,
    loginLimits: options.loginLimits,
  };
  // Each in its own scope: the form body parsers and hooks stay with their routes.
  await app.register(authorizeRoutes, context);
  await app.register(tokenRoutes, context);
  await app.register(revokeRoute, context);
  await app.register(metadataRoute, context);
};
