import { builtinCatalog } from '@faultline/core';
import { basicChallenge, wwwAuthenticate } from '@faultline/fastify';
import type { Kysely } from 'kysely';
import { absentKeyHash, secretMatches } from '../authentication/api-keys.js';
import type { Database } from '../database/schema.js';
import { parameter } from './form-body.js';
import { findApp, type OAuthApp } from './oauth-apps.js';

/** The client authentication methods {@link authenticateClient} accepts, by their RFC 7591 names. */
export const clientAuthenticationMethods = ['client_secret_basic', 'client_secret_post', 'none'] as const;

/**
 * The challenge on every `invalid_client`. RFC 6749 §5.2 demands a 401 with a
 * challenge of the scheme used when the client sent `Authorization`, and
 * allows the 401 otherwise; we always answer 401 with the Basic challenge, since
 * a 401 must carry a challenge (RFC 9110 §15.5.2) and Basic is the scheme a
 * client should use here — a Bearer challenge would point it the wrong way.
 */
export function clientChallenge(realm: string): string {
  return wwwAuthenticate([basicChallenge(realm)]);
}

function invalidClient(realm: string, detail: string): Error {
  return builtinCatalog.error('invalid_client', { detail, headers: { 'WWW-Authenticate': clientChallenge(realm) } });
}

/** Basic credentials: RFC 6749 §2.3.1 form-encodes the id and secret before base64. */
function readBasic(header: string): { clientId: string; secret: string } | undefined {
  const match = /^Basic[ ]+([A-Za-z0-9+/]+={0,2})[ ]*$/i.exec(header);
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  try {
    const formDecode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
    return { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

/**
 * Authenticates the client of a token or revocation request: HTTP Basic
 * (client_secret_basic), `client_id` and `client_secret` in the body
 * (client_secret_post), or for a public client `client_id` alone. Using two
 * methods at once is `invalid_request` (RFC 6749 §2.3); an unknown client, a
 * wrong secret, a confidential client without one, or a public client with
 * one is `invalid_client`.
 */
export async function authenticateClient(
  db: Kysely<Database>,
  authorization: string | undefined,
  form: URLSearchParams,
  realm: string,
): Promise<OAuthApp> {
  const formId = parameter(form, 'client_id');
  const formSecret = parameter(form, 'client_secret');
  let clientId: string | undefined;
  let secret: string | undefined;
  if (authorization !== undefined && authorization !== '') {
    if (formSecret !== undefined) {
      throw builtinCatalog.error('invalid_request', {
        detail: 'The client authenticated twice, by HTTP Basic and by client_secret in the body; use one method.',
      });
    }
    const basic = readBasic(authorization);
    if (basic === undefined) throw invalidClient(realm, 'The Authorization header is not HTTP Basic client credentials.');
    if (formId !== undefined && formId !== basic.clientId) {
      throw builtinCatalog.error('invalid_request', {
        detail: 'The client_id in the body is not the one in the Authorization header.',
      });
    }
    clientId = basic.clientId;
    secret = basic.secret === '' ? undefined : basic.secret;
  } else {
    clientId = formId;
    secret = formSecret;
  }
  if (clientId === undefined) {
    throw invalidClient(realm, 'No client authentication: send HTTP Basic credentials, or client_id (and client_secret).');
  }
  const app = await findApp(db, clientId);
  const hash = app?.clientSecretHash ?? absentKeyHash;
  // Compared even for an unknown client, so the time taken does not tell which ids exist.
  const matches = secret !== undefined && secretMatches(secret, hash);
  if (app === undefined) throw invalidClient(realm, 'No OAuth client has this client_id, or the secret is wrong.');
  if (app.clientType === 'public') {
    if (secret !== undefined) throw invalidClient(realm, 'This is a public client, which has no secret; send client_id alone.');
    return app;
  }
  if (!matches) throw invalidClient(realm, 'No OAuth client has this client_id, or the secret is wrong.');
  return app;
}
