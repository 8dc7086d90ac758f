import type { ProfileName } from '@faultline/core';
import { faultline, faultlineServerOptions, loadShedding, rateLimitHook, type RateLimitPolicy } from '@faultline/fastify';
import type { RateLimitStore } from '@faultline/fastify';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Kysely } from 'kysely';
import { findPrincipal, readApiKey, type Principal } from './authentication/authenticate.js';
import type { Database } from './database/schema.js';
import { campaignRoutes } from './routes/campaign-routes.js';
import { docsRoutes } from './routes/docs-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { meRoutes } from './routes/me-routes.js';
import { registerApiReference, registerOpenApi } from './openapi/openapi-plugin.js';
import { recipientRoutes } from './routes/recipient-routes.js';
import type { OverloadLimits } from './overload.js';

export interface AppOptions {
  readonly db: Kysely<Database>;
  /** The error format; `problem` by default. */
  readonly profile?: ProfileName;
  readonly logger?: FastifyServerOptions['logger'];
  /** Rate-limit policies per API key; none by default (`npm start` applies `RATE_LIMITS`). */
  readonly rateLimits?: readonly RateLimitPolicy[];
  /** Where the rate limits are counted; in this process's memory by default, Redis to share them between processes. */
  readonly rateLimitStore?: RateLimitStore;
  /** When to shed load with 503s before any work; off by default (`npm start` applies `OVERLOAD_*`). */
  readonly overload?: OverloadLimits;
}

/** The realm named in authentication challenges. */
export const realm = 'faultline';

/** Builds the reference API on an open database. The caller listens and closes. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { db } = options;
  const profile = options.profile ?? 'problem';
  const app = Fastify({ ...faultlineServerOptions({ bodyLimit: 1024 * 1024 }), logger: options.logger ?? false });
  await app.register(faultline, { profile, realm, docsUrl: '/docs/errors' });
  if (options.overload?.maxInFlight !== undefined || options.overload?.maxEventLoopDelayMs !== undefined) {
    // The first onRequest hook: a refused request costs no authentication or database query.
    // /healthz stays served, so a load balancer does not take an overloaded process out of rotation.
    await app.register(loadShedding, { ...options.overload, exemptRoutes: ['/healthz'] });
  }
  app.decorateRequest('principal', null as unknown as Principal);
  // Before the routes: @fastify/swagger documents the routes added after it.
  await registerOpenApi(app, { catalog: app.faultline.catalog, profile, docsUrl: app.faultline.docsUrl });

  await app.register(healthRoutes, { db });
  await app.register(docsRoutes, { profile });
  await registerApiReference(app);
  await app.register(
    async (v1) => {
      // Authentication runs before the body is read, so an unauthenticated caller costs no parsing.
      v1.addHook('onRequest', (request, _reply, done) => {
        let key: string;
        try {
          key = readApiKey(request.headers.authorization, realm);
        } catch (error) {
          done(error as Error);
          return;
        }
        findPrincipal(db, key, realm).then((principal) => {
          request.principal = principal;
          done();
        }, done);
      });
      if (options.rateLimits !== undefined && options.rateLimits.length > 0) {
        // After authentication, so each API key spends its own allowance.
        v1.addHook(
          'onRequest',
          rateLimitHook({
            catalog: app.faultline.catalog,
            policies: options.rateLimits,
            ...(options.rateLimitStore === undefined ? {} : { store: options.rateLimitStore }),
            key: (request) => `key:${request.principal.apiKeyId}`,
          }),
        );
      }
      await v1.register(meRoutes, { db });
      await v1.register(campaignRoutes, { db });
      await v1.register(recipientRoutes, { db });
    },
    { prefix: '/v1' },
  );
  return app;
}
