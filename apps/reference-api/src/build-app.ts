import { isApiError, type ProfileName } from '@faultline/core';
import {
  faultline,
  faultlineServerOptions,
  idempotency,
  loadShedding,
  sendApiError,
  rateLimitHook,
  type LegacyRateLimitHeaders,
  type RateLimitPolicy,
} from '@faultline/fastify';
import type { RateLimitStore } from '@faultline/fastify';
import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { Kysely } from 'kysely';
import { checkAccess } from './authentication/account-checks.js';
import { findPrincipal, type Principal } from './authentication/authenticate.js';
import { readCredential } from './authentication/credentials.js';
import type { Database } from './database/schema.js';
import { campaignRoutes } from './routes/campaign-routes.js';
import { docsRoutes } from './routes/docs-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { meRoutes } from './routes/me-routes.js';
import { apiKeyRoutes } from './routes/api-key-routes.js';
import { sessionRoutes } from './routes/session-routes.js';
import { userRoutes } from './routes/user-routes.js';
import { longestRetryAfterSeconds, registerApiReference, registerOpenApi } from './openapi/openapi-plugin.js';
import { recipientRoutes } from './routes/recipient-routes.js';
import { withRequestRedaction } from './request-log.js';
import { observedAnswersVariable, recordAnswers } from './contract/observed-answers.js';
import { refuseNulCharacters } from './routes/refuse-nul-characters.js';
import { oauthAppRoutes } from './oauth/app-routes.js';
import { oauthServer } from './oauth/oauth-plugin.js';
import type { OverloadLimits } from './overload.js';
import type { ServerLimits } from './server-limits.js';
import { attemptLimits, failureBudget, networkKey, type AttemptBudgets } from './attempt-limits.js';
import { DatabaseIdempotencyStore } from './idempotency/database-idempotency-store.js';
import { claimTtlMs, idempotencyModeOf, sealsAnswerOf } from './idempotency/idempotent-routes.js';

export interface AppOptions {
  readonly db: Kysely<Database>;
  /** The error format; `problem` by default. */
  readonly profile?: ProfileName;
  /** Classic format: also write `errors[]` for field errors (off: exactly `{code, error, time}`). */
  readonly classicFieldErrors?: boolean;
  readonly logger?: FastifyServerOptions['logger'];
  /** Rate-limit policies per API key; none by default (`npm start` applies `RATE_LIMITS`). */
  readonly rateLimits?: readonly RateLimitPolicy[];
  /** Rate-limit policies per team, over all its credentials; none by default (`npm start` applies `TEAM_RATE_LIMITS`). */
  readonly teamRateLimits?: readonly RateLimitPolicy[];
  /**
   * Where the rate limits are counted; in this process's memory by default, Redis to share them between
   * processes. The limits on guessing and minting (see attempt-limits.ts) count here too.
   */
  readonly rateLimitStore?: RateLimitStore;
  /** The budgets of the limits on guessing and minting (attempt-limits.ts); the defaults where left out. */
  readonly attemptBudgets?: Partial<AttemptBudgets>;
  /** Older rate-limit header forms to send besides the draft-10 fields; none by default. */
  readonly rateLimitLegacyHeaders?: readonly LegacyRateLimitHeaders[];
  /** The clock sessions expire by; tests move it. */
  readonly now?: () => number;
  /** How long a session lasts; 12 hours by default. */
  readonly sessionTtlMs?: number;
  /** When to shed load with 503s before any work; off by default (`npm start` applies `OVERLOAD_*`). */
  readonly overload?: OverloadLimits;
  /** Timeouts for slow clients and the per-address cap on requests in flight; the `@faultline/fastify` defaults otherwise. */
  readonly serverLimits?: ServerLimits;
  /** Where to record every answer for the observed-answers check; `FAULTLINE_OBSERVED_ANSWERS` by default, unset in production. */
  readonly recordAnswersTo?: string;
  /** The OAuth issuer (RFC 9207): the public URL of this server; `http://localhost:3000` by default. */
  readonly issuer?: string;
  /** Signs the OAuth login cookie and CSRF tokens; random per app when unset, so share one across processes. */
  readonly oauthCookieKey?: Buffer;
}

/**
 * Whose allowance a request spends: an API key's own; a user's sessions share
 * one; an OAuth app one per team it acts for; unauthenticated logins count
 * per address.
 */
function rateLimitKey(request: FastifyRequest): string {
  const principal = request.principal as Principal | null;
  if (principal === null) return `ip:${request.ip}`;
  const { credential } = principal;
  if (credential.kind === 'api_key') return `key:${credential.id}`;
  if (credential.kind === 'oauth') return `client:${credential.appId}:team:${principal.teamId}`;
  return `user:${principal.userId}`;
}

/** The team whose ceiling a request spends; none for a request without credentials (logging in). */
function teamRateLimitKey(request: FastifyRequest): string | undefined {
  const principal = request.principal as Principal | null;
  return principal === null ? undefined : `team:${principal.teamId}`;
}

/** The realm named in authentication challenges. */
export const realm = 'faultline';

/** Builds the reference API on an open database. The caller listens and closes. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { db } = options;
  const now = options.now ?? Date.now;
  const profile = options.profile ?? 'problem';
  // Logins count on the app's clock, the one sessions expire by; the other limits on the wall clock, as the per-key ones.
  const loginLimits = attemptLimits(options.rateLimitStore, now, options.attemptBudgets);
  const limits = attemptLimits(options.rateLimitStore, Date.now, options.attemptBudgets);
  const authFailures = failureBudget(limits, limits.policies.authFailures);
  const serverLimits = options.serverLimits;
  const app = Fastify({
    ...faultlineServerOptions({ bodyLimit: 1024 * 1024, ...serverLimits?.timeouts }),
    logger: withRequestRedaction(options.logger),
  });
  const perClient =
    serverLimits?.maxConnectionsPerClient === undefined ? {} : { maxConnectionsPerClient: serverLimits.maxConnectionsPerClient };
  await app.register(faultline, {
    profile,
    realm,
    docsUrl: '/docs/errors',
    classicFieldErrors: options.classicFieldErrors === true,
    ...perClient,
  });
  const recordTo = options.recordAnswersTo ?? process.env[observedAnswersVariable];
  // First among the onSend hooks of the app, so it sees every answer, errors of the earliest hooks included.
  if (recordTo !== undefined && recordTo !== '') recordAnswers(app, recordTo, profile);
  if (options.overload?.maxInFlight !== undefined || options.overload?.maxEventLoopDelayMs !== undefined) {
    // The first onRequest hook: a refused request costs no authentication or database query.
    // /healthz stays served, so an overloaded process is not restarted; /readyz answers for itself, with the reason.
    await app.register(loadShedding, { ...options.overload, exemptRoutes: ['/healthz', '/readyz'] });
  }
  app.decorateRequest('principal', null as unknown as Principal);
  // Before the routes: @fastify/swagger documents the routes added after it.
  await registerOpenApi(app, {
    catalog: app.faultline.catalog,
    profile,
    docsUrl: app.faultline.docsUrl,
    longestRetryAfterSeconds: longestRetryAfterSeconds((options.rateLimits ?? []).map((policy) => policy.windowMs)),
  });

  await app.register(healthRoutes, { db });
  await app.register(docsRoutes, { profile });
  await registerApiReference(app);
  await app.register(oauthServer, {
    db,
    now,
    realm,
    issuer: options.issuer ?? 'http://localhost:3000',
    limits,
    loginLimits,
    ...(options.oauthCookieKey === undefined ? {} : { cookieKey: options.oauthCookieKey }),
  });
  await app.register(
    async (v1) => {
      // Authentication runs before the body is read, so an unauthenticated caller costs no parsing.
      v1.addHook('onRequest', (request, reply, done) => {
        // Logging in is the one /v1 operation that needs no credential.
        if (request.routeOptions.config.access === 'public') {
          done();
          return;
        }
        const credential = readCredential(
          request.headers.authorization,
          realm,
          (request.query as Record<string, unknown>)['access_token'],
        );
        if (isApiError(credential)) {
          // Answered here, as the rate limiter answers its 429s: a flood of requests without credentials
          // costs no trip through Fastify's error path (the error handler would not log a 401 anyway).
          sendApiError(reply, credential, app.faultline);
          return;
        }
        // Guessing credentials is metered per client network before the lookup: past the budget of
        // failures, even a good credential from that network waits (429) until the budget refills.
        const network = networkKey(request.ip);
        authFailures
          .guard(
            network,
            () => findPrincipal(db, credential, realm, now()),
            (error) => isApiError(error) && error.status === 401,
          )
          .then((principal) => {
            request.principal = principal;
            try {
              const { config, url } = request.routeOptions;
              checkAccess(principal, { method: request.method, access: config.access, pattern: url ?? '' }, realm);
            } catch (error) {
              done(error as Error);
              return;
            }
            done();
          }, done);
      });
      const keyPolicies = options.rateLimits ?? [];
      const teamPolicies = options.teamRateLimits ?? [];
      const shared = {
        catalog: app.faultline.catalog,
        ...(options.rateLimitLegacyHeaders === undefined ? {} : { legacyHeaders: options.rateLimitLegacyHeaders }),
        ...(options.rateLimitStore === undefined ? {} : { store: options.rateLimitStore }),
      };
      if (keyPolicies.length > 0) {
        // After authentication, so each API key spends its own allowance; then its team's ceiling over all
        // its credentials (per-key limits alone multiply with the number of keys), in the same fields.
        const team = teamPolicies.length > 0 ? [{ key: teamRateLimitKey, policies: teamPolicies }] : [];
        v1.addHook('onRequest', rateLimitHook({ ...shared, policies: keyPolicies, key: rateLimitKey, also: team }));
      } else if (teamPolicies.length > 0) {
        const teamCeiling = rateLimitHook({
          ...shared,
          policies: teamPolicies,
          key: (request) => teamRateLimitKey(request) ?? '',
        });
        // Logging in has no team to count against.
        v1.addHook('onRequest', function teamRateLimit(request, reply, done) {
          if (request.principal === null) done();
          else teamCeiling.call(this, request, reply, done);
        });
      }
      // Before schema validation, which would otherwise pass a NUL on to the database.
      v1.addHook('preValidation', refuseNulCharacters);
      // Every POST and PATCH takes an Idempotency-Key. Keys live in the database, shared by every process on it;
      // the write routes claim the key and record their answer in the transaction of their work
      // (answer-in-transaction.ts), so a 5xx means nothing was committed, and a retry runs again. Keys are the team's own.
      await v1.register(idempotency, {
        claimIn: 'handler',
        // For a route that does not claim in its handler: the same records, claimed before the handler.
        store: new DatabaseIdempotencyStore(db),
        claimTtlMs,
        keepServerErrors: false,
        scope: (request) => {
          const principal = request.principal as Principal | null;
          return principal === null ? 'public' : `team:${principal.teamId}`;
        },
        defaultMode: idempotencyModeOf,
        sealAnswers: sealsAnswerOf,
      });
      await v1.register(meRoutes, { db });
      await v1.register(sessionRoutes, {
        db,
        now,
        limits: loginLimits,
        sessionTtlMs: options.sessionTtlMs ?? 12 * 60 * 60 * 1000,
      });
      await v1.register(userRoutes, { db });
      await v1.register(apiKeyRoutes, { db });
      await v1.register(campaignRoutes, { db });
      await v1.register(recipientRoutes, { db });
      await v1.register(oauthAppRoutes, { db });
    },
    { prefix: '/v1' },
  );
  return app;
}
