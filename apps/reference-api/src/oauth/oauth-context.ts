import type { Kysely } from 'kysely';
import type { Database } from '../database/schema.js';
import type { AttemptLimits } from '../attempt-limits.js';
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
  /** The limits on token and revocation requests. */
  readonly limits: AttemptLimits;
  /** The login budgets, shared with `POST /v1/sessions` (on the app's clock). */
  readonly loginLimits: AttemptLimits;
}
