import { builtinCatalog } from '@faultline/core';
import {
  createUserBody,
  idParams,
  updateUserBody,
  userListResponse,
  userResponse,
  type CreateUserInput,
  type UpdateUserInput,
} from '@faultline/reference-contract';
import type { FastifyPluginAsync } from 'fastify';
import type { Selectable } from 'kysely';
import { hashPassword } from '../authentication/passwords.js';
import type { UsersTable } from '../database/schema.js';
import { isUniqueViolation } from '../database/unique-violation.js';
import type { RouteContext } from './route-context.js';
import { locationHeader } from '../contract/route-contract.js';
import { answerInTransaction } from '../idempotency/answer-in-transaction.js';

/** The user as clients see it: never the password hash. */
export function presentUser(user: Selectable<UsersTable>) {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    disabled: user.disabled_at !== null,
    created_at: user.created_at,
  };
}

/** Team administrators manage the team's users: list, add, change role, disable, set a password. */
export const userRoutes: FastifyPluginAsync<RouteContext> = async (app, { db }) => {
  app.get(
    '/users',
    {
      config: { access: 'admin' },
      schema: {
        operationId: 'listUsers',
        summary: 'List the team’s users',
        tags: ['users'],
        response: { 200: { ...userListResponse, description: 'Every user of your team.' } },
      },
    },
    async (request) => {
      const users = await db
        .selectFrom('users')
        .selectAll()
        .where('team_id', '=', request.principal.teamId)
        .orderBy('id', 'asc')
        .limit(1000)
        .execute();
      return { data: users.map(presentUser) };
    },
  );

  app.post<{ Body: CreateUserInput }>(
    '/users',
    {
      config: { access: 'admin', errors: ['conflict'] },
      schema: {
        operationId: 'createUser',
        summary: 'Add a user to the team',
        description: 'Emails are unique across the whole service, since people log in by email: a used one is a `conflict`.',
        tags: ['users'],
        body: createUserBody,
        response: {
          201: { ...userResponse, description: 'The user; `Location` is its URL.', headers: { Location: locationHeader } },
        },
      },
    },
    async (request, reply) => {
      const { email, name, role, password } = request.body;
      const passwordHash = password === undefined ? null : await hashPassword(password);
      try {
        return await answerInTransaction(request, reply, db, async (transaction) => {
          const user = await transaction
            .insertInto('users')
            .values({
              team_id: request.principal.teamId,
              email: email.toLowerCase(),
              name,
              role,
              created_at: new Date().toISOString(),
              disabled_at: null,
              password_hash: passwordHash,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
          return { status: 201, headers: { location: `/v1/users/${user.id}` }, payload: presentUser(user) };
        });
      } catch (error) {
        // Which team has the address is not said: that would tell one team about another's people. That the
        // address exists somewhere is told, a known trade-off: people log in by email alone, so emails must be
        // unique across the service; unique per team would need a team in every login. Adding users is an
        // admin's act, metered by the key's and the team's rate limits.
        if (isUniqueViolation(error))
          throw builtinCatalog.error('conflict', { detail: `A user with the email ${email.toLowerCase()} already exists.` });
        throw error;
      }
    },
  );

  app.patch<{ Params: { id: number }; Body: UpdateUserInput }>(
    '/users/:id',
    {
      config: { access: 'admin', errors: ['not_found'] },
      schema: {
        operationId: 'updateUser',
        summary: 'Change a user: name, role, disabled, password',
        description:
          'Disabling a user stops their API keys and sessions at once. A new password ends their sessions and revokes the OAuth grants they gave. Disabling or demoting the last active administrator is allowed, and leaves the team answering `missing_team_admin` until support appoints one.',
        tags: ['users'],
        params: idParams,
        body: updateUserBody,
        response: { 200: { ...userResponse, description: 'The user as changed.' } },
      },
    },
    async (request, reply) => {
      const { name, role, disabled, password } = request.body;
      const changes = {
        ...(name === undefined ? {} : { name }),
        ...(role === undefined ? {} : { role }),
        ...(disabled === undefined ? {} : { disabled_at: disabled ? new Date().toISOString() : null }),
        ...(password === undefined ? {} : { password_hash: await hashPassword(password) }),
      };
      // A new password or disabling ends every browser login made before it (see oauth/login-cookie.ts).
      const endsLogins = password !== undefined || disabled === true;
      return answerInTransaction(request, reply, db, async (transaction) => {
        const changed = await transaction
          .updateTable('users')
          .set((eb) => ({
            ...changes,
            ...(endsLogins ? { credentials_version: eb('credentials_version', '+', 1) } : {}),
          }))
          .where('id', '=', request.params.id)
          .where('team_id', '=', request.principal.teamId)
          .returningAll()
          .executeTakeFirst();
        if (changed !== undefined && password !== undefined) {
          // A new password is often a response to a leaked one: what the old one opened is closed with it.
          const at = new Date().toISOString();
          await transaction
            .updateTable('sessions')
            .set({ ended_at: at })
            .where('user_id', '=', changed.id)
            .where('ended_at', 'is', null)
            .execute();
          await transaction
            .updateTable('oauth_grants')
            .set({ revoked_at: at })
            .where('user_id', '=', changed.id)
            .where('revoked_at', 'is', null)
            .execute();
        }
        if (changed === undefined)
          throw builtinCatalog.error('not_found', { detail: `No user of your team has id ${request.params.id}.` });
        return { status: 200, payload: presentUser(changed) };
      });
    },
  );
};
