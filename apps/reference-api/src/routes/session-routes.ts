import { builtinCatalog } from '@faultline/core';
import { createSessionBody, sessionResponse, type CreateSessionInput } from '@faultline/reference-contract';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { accountKey, networkKey, type AttemptLimits } from '../attempt-limits.js';
import { credentialNames } from '../authentication/credentials.js';
import { passwordMatches } from '../authentication/passwords.js';
import { issueSessionToken } from '../authentication/session-tokens.js';
import type { RouteContext } from './route-context.js';
import { answerInTransaction } from '../idempotency/answer-in-transaction.js';

export interface SessionRouteOptions extends RouteContext {
  readonly now: () => number;
  /** The login budgets, shared with the OAuth login form. */
  readonly limits: AttemptLimits;
  readonly sessionTtlMs: number;
}

/** `POST /v1/sessions` logs in with email and password; `DELETE /v1/sessions/current` logs out. */
export const sessionRoutes: FastifyPluginAsync<SessionRouteOptions> = async (app, { db, now, limits, sessionTtlMs }) => {
  // Password guesses draw on the same budgets as the OAuth login form (see attempt-limits.ts): per client
  // network, and per account from any address, so a botnet gets no more guesses at one password than one
  // client. The price: someone may spend a user's attempts and hold their password logins off for a while;
  // their API keys and open sessions keep working.
  const limitLogins = async (request: FastifyRequest) =>
    limits.spend(networkKey(request.ip), limits.policies.loginsPerAddress, 'Too many login attempts from your network');

  app.post<{ Body: CreateSessionInput }>(
    '/sessions',
    {
      config: { access: 'public', errors: ['invalid_credentials', 'user_is_disabled', 'limit_reached'] },
      // An email and a password fit in far less, even \u-escaped; anyone may call this route.
      bodyLimit: 4 * 1024,
      onRequest: limitLogins,
      schema: {
        operationId: 'createSession',
        summary: 'Log in with email and password',
        description:
          'Returns a session token that works like an API key until it expires or is logged out. An unknown email and a wrong password get the same answer, in the same time.',
        tags: ['sessions'],
        security: [],
        body: createSessionBody,
        response: { 201: { ...sessionResponse, description: 'The session.' } },
      },
    },
    async (request, reply) => {
      const email = request.body.email.toLowerCase();
      await limits.spend(accountKey(email), limits.policies.loginsPerAccount, 'Too many login attempts for this email');
      const user = await db
        .selectFrom('users')
        .select(['id', 'password_hash', 'disabled_at'])
        .where('email', '=', email)
        .executeTakeFirst();
      // Derived even for an unknown email, so the time taken does not tell which emails exist.
      const matches = await passwordMatches(request.body.password, user?.password_hash ?? null);
      if (user === undefined || !matches) {
        throw builtinCatalog.error('invalid_credentials', { detail: 'The email or the password is wrong.' });
      }
      // Told only to someone who knows the password.
      if (user.disabled_at !== null) {
        throw builtinCatalog.error('user_is_disabled', {
          detail: 'Your user is disabled. Ask an administrator of your team to enable it.',
        });
      }
      const { token, tokenHash } = issueSessionToken();
      const createdAt = now();
      const expiresAt = new Date(createdAt + sessionTtlMs).toISOString();
      return answerInTransaction(request, reply, db, async (transaction) => {
        await transaction
          .insertInto('sessions')
          .values({
            user_id: user.id,
            token_hash: tokenHash,
            created_at: new Date(createdAt).toISOString(),
            expires_at: expiresAt,
            ended_at: null,
          })
          .execute();
        return {
          status: 201,
          headers: { 'cache-control': 'no-store' },
          payload: { token, expires_at: expiresAt, user_id: user.id },
        };
      });
    },
  );

  app.delete(
    '/sessions/current',
    {
      config: { access: 'any', errors: ['unspecified_error'] },
      schema: {
        operationId: 'deleteCurrentSession',
        summary: 'Log out',
        description: 'Ends the session whose token authenticated this request; later requests with it get `session_expired`.',
        tags: ['sessions'],
        response: { 204: { type: 'null', description: 'Logged out.' } },
      },
    },
    async (request, reply) => {
      const { credential } = request.principal;
      if (credential.kind !== 'session') {
        const instead =
          credential.kind === 'oauth'
            ? 'an app ends its access with POST /oauth/revoke'
            : 'revoke a key with DELETE /v1/api-keys/{id}';
        throw builtinCatalog.error('unspecified_error', {
          detail: `This request was made with ${credentialNames[credential.kind]}, not a session token; ${instead}.`,
        });
      }
      await db
        .updateTable('sessions')
        .set({ ended_at: new Date(now()).toISOString() })
        .where('id', '=', credential.id)
        .where('ended_at', 'is', null)
        .execute();
      return reply.code(204).send();
    },
  );
};
