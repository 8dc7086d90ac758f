import type { Kysely } from 'kysely';
import type { Database } from '../database/schema.js';
import type { CookieSigner } from './login-cookie.js';

/** What every route of the authorization server is given. */
export interface OAuthContext {
  readonly db: Kysely<Database>;
  readonly now: () => number;
  /** This server's issuer identifier (RFC 9207), e.g. `https://api.example.com`: sent as `iss`. */
  readonly issuer: string;
  /** The realm of the `invalid_client` challenge. */
  readonly realm: string;
  readonly signer: CookieSigner;
}
