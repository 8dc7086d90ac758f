import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { buildApp } from './build-app.js';
import type { Config } from './config.js';
import { describeLocation, openDatabase } from './database/open-database.js';
import type { Database } from './database/schema.js';
import { ensureDemoData, type DemoCredentials } from './demo/demo-data.js';
import { openRedisRateLimits } from './redis-rate-limits.js';

/** Where the demo credentials are kept: beside the database file, or under `data/` for PostgreSQL or an in-memory one. */
export function credentialsFileFor(config: Config): string {
  const { database } = config;
  const directory = database.kind === 'postgres' || database.path === ':memory:' ? 'data' : dirname(database.path);
  mkdirSync(directory, { recursive: true });
  return join(directory, 'demo-credentials.json');
}

/** Opens the database and makes sure the demo account exists. */
export async function prepareData(config: Config): Promise<{ db: Kysely<Database>; demo: DemoCredentials; created: boolean }> {
  const db = await openDatabase(config.database, config.databaseTimeouts);
  const { credentials, created } = await ensureDemoData(db, credentialsFileFor(config));
  return { db, demo: credentials, created };
}

/** A reference API listening on a port, with its demo account. */
export interface RunningApi {
  readonly app: FastifyInstance;
  /** Where it listens, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  readonly demo: DemoCredentials;
  /** Whether the demo account was created by this start. */
  readonly created: boolean;
  /** Stops listening and closes the database. */
  close(): Promise<void>;
}

/** Prepares the data, builds the app and listens where the config says. */
export async function startReferenceApi(config: Config): Promise<RunningApi> {
  const { db, demo, created } = await prepareData(config);
  // Shared rate limits; an unreachable Redis does not stop the start (each process limits alone meanwhile).
  const redis = config.redis === undefined ? undefined : await openRedisRateLimits(config.redis);
  let app: FastifyInstance | undefined;
  try {
    app = await buildApp({
      db,
      profile: config.profile,
      classicFieldErrors: config.classicFieldErrors,
      logger: { level: config.logLevel },
      rateLimits: config.rateLimits,
      rateLimitLegacyHeaders: config.rateLimitLegacyHeaders,
      teamRateLimits: config.teamRateLimits,
      attemptBudgets: config.attemptBudgets,
      ...(redis === undefined ? {} : { rateLimitStore: redis.store }),
      overload: config.overload,
      serverLimits: config.serverLimits,
      issuer: config.publicUrl,
      ...(config.oauthCookieSecret === undefined
        ? {}
        : { oauthCookieKey: createHash('sha256').update(config.oauthCookieSecret).digest() }),
    });
    redis?.logTo(app.log);
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app?.close();
    await redis?.close();
    await db.destroy();
    throw error;
  }
  const listening = app;
  const address = listening.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  return {
    app: listening,
    url,
    demo,
    created,
    async close() {
      await listening.close();
      await redis?.close();
      await db.destroy();
    },
  };
}

/** What a started reference API prints: where it is, the demo key and a first request to try. */
export function startupBanner(config: Config, running: RunningApi): string {
  const { url, demo } = running;
  return [
    '',
    `Faultline reference API on ${url} (errors as ${config.profile}, data in ${describeLocation(config.database)})`,
    `${running.created ? 'Created the' : 'The'} demo API key: ${demo.apiKey}`,
    '',
    'See an error:',
    `  curl -i ${url}/v1/campaigns/999999 -H "Authorization: Bearer ${demo.apiKey}"`,
    `Error reference: ${url}/docs/errors`,
    '',
  ].join('\n');
}

/** Resolves on the first SIGINT or SIGTERM, with the signal's name. */
export function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
