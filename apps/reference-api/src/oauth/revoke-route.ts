import { builtinCatalog } from '@faultline/core';
import { networkKey } from '../attempt-limits.js';
import type { FastifyPluginAsync } from 'fastify';
import { hashSecret } from '../authentication/api-keys.js';
import { authenticateClient } from './client-authentication.js';
import { formOf, parameter, readFormBodies, repeatedNames } from './form-body.js';
import type { OAuthContext } from './oauth-context.js';
import { revokeGrants } from './oauth-apps.js';
import { tokenEndpointConfig } from './token-routes.js';
import { revokeOperation } from './oauth-operations.js';

/**
 * `POST /oauth/revoke` (RFC 7009). The client authenticates; revoking a
 * refresh token revokes its whole grant (§2.1: "SHOULD also invalidate all
 * access tokens based on the same authorization grant"), an access token only
 * itself. An unknown token, or one of another client, is answered 200 like
 * any other and left alone (§2.2), so the endpoint tells nobody which tokens
 * exist. `token_type_hint` only decides which kind is looked up first.
 */
export const revokeRoute: FastifyPluginAsync<OAuthContext> = async (app, { db, now, realm, limits }) => {
  readFormBodies(app);
  // Before the body is read: a flood from one network costs no parsing (see attempt-limits.ts).
  app.addHook('onRequest', async (request) =>
    limits.spend(networkKey(request.ip), limits.policies.oauthPerAddress, 'Too many token requests from your network'),
  );
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('cache-control', 'no-store');
    reply.header('pragma', 'no-cache');
    done(null, payload);
  });

  app.post(
    '/oauth/revoke',
    { config: { ...tokenEndpointConfig, operation: revokeOperation, errors: ['invalid_client'] } },
    async (request, reply) => {
      const form = formOf(request.body);
      const repeated = repeatedNames(form);
      if (repeated.length > 0) {
        throw builtinCatalog.error('invalid_request', { detail: `${repeated.join(', ')} must not be sent more than once.` });
      }
      const client = await authenticateClient(db, request.headers.authorization, form, realm);
      // Counted once the client is authenticated, so nobody can spend another client's budget by naming it.
      await limits.spend(`client:${client.id}`, limits.policies.oauthPerClient, 'Too many token requests from this client');
      const token = parameter(form, 'token');
      if (token === undefined) throw builtinCatalog.error('invalid_request', { detail: 'token is missing.' });
      const hint = parameter(form, 'token_type_hint');
      const kinds: ('access' | 'refresh')[] = hint === 'refresh_token' ? ['refresh', 'access'] : ['access', 'refresh'];
      // Longer than any token issued: unknown, nothing to look up.
      for (const kind of token.length > 200 ? [] : kinds) {
        const row = await db
          .selectFrom('oauth_tokens')
          .innerJoin('oauth_grants', 'oauth_grants.id', 'oauth_tokens.grant_id')
          .select(['oauth_tokens.id', 'oauth_tokens.grant_id', 'oauth_grants.app_id'])
          .where('oauth_tokens.token_hash', '=', hashSecret(token))
          .where('oauth_tokens.kind', '=', kind)
          .executeTakeFirst();
        if (row === undefined) continue;
        if (row.app_id !== client.id) break;
        if (kind === 'refresh') {
          await revokeGrants(db, [row.grant_id], now());
        } else {
          await db
            .updateTable('oauth_tokens')
            .set({ revoked_at: new Date(now()).toISOString() })
            .where('id', '=', row.id)
            .where('revoked_at', 'is', null)
            .execute();
        }
        break;
      }
      return reply.code(200).send();
    },
  );
};
