import { isProfileName, type ProfileName } from '@faultline/core';
import type { LegacyRateLimitHeaders, RateLimitPolicy } from '@faultline/fastify';
import { parseAttemptBudgets, type AttemptBudgets } from './attempt-limits.js';
import { parseDatabaseTimeouts, type DatabaseTimeouts } from './database/database-timeouts.js';
import { parseDatabaseUrl, type DatabaseLocation } from './database/open-database.js';
import { defaultRateLimits, defaultTeamRateLimits, parseRateLimitLegacyHeaders, parseRateLimits } from './rate-limits.js';
import { readRedisConfig, type RedisConfig } from './redis-config.js';
import { parseOverloadLimits, type OverloadLimits } from './overload.js';
import { parseServerLimits, type ServerLimits } from './server-limits.js';

/** The reference API's settings, all from the environment, all with defaults. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly database: DatabaseLocation;
  /** From `DATABASE_*_TIMEOUT_MS` and `DATABASE_POOL_SIZE`: how long a request waits for the database before 503. */
  readonly databaseTimeouts: DatabaseTimeouts;
  readonly profile: ProfileName;
  /** From `CLASSIC_FIELD_ERRORS=on`: classic bodies also carry `errors[]`; off, they are exactly `{code, error, time}`. */
  readonly classicFieldErrors: boolean;
  readonly logLevel: string;
  /** Per API key; empty when rate limiting is off. */
  readonly rateLimits: readonly RateLimitPolicy[];
  /** From `RATE_LIMIT_LEGACY_HEADERS`: older header forms sent besides the draft-10 fields; none by default. */
  readonly rateLimitLegacyHeaders: readonly LegacyRateLimitHeaders[];
  /** Per team, over all its credentials; empty when off. */
  readonly teamRateLimits: readonly RateLimitPolicy[];
  /** The limits on guessing and minting (`AUTH_FAILURES_PER_MINUTE`, `LOGINS_PER_MINUTE`, ...); always on. */
  readonly attemptBudgets: AttemptBudgets;
  /** From `REDIS_URL`: rate limits shared by every process; unset, each process counts alone. */
  readonly redis?: RedisConfig;
  /** When to shed load with 503s; a limit left out is off. */
  readonly overload: OverloadLimits;
  /** Timeouts for slow clients and the per-address cap on requests in flight (`*_TIMEOUT_MS`, `MAX_CONNECTIONS_PER_CLIENT`). */
  readonly serverLimits: ServerLimits;
  /** From `PUBLIC_URL`: the address clients reach the API at; the OAuth issuer (`iss`). */
  readonly publicUrl: string;
  /** Signs the OAuth login cookie; random per process when unset. */
  readonly oauthCookieSecret?: string;
}

/** Reads the environment; throws an Error that names the bad variable and what it accepts. */
export function readConfig(environment: NodeJS.ProcessEnv = process.env): Config {
  const rawPort = environment['PORT'];
  const port = rawPort === undefined || rawPort === '' ? 3000 : /^\d{1,5}$/.test(rawPort) ? Number(rawPort) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number (0-65535), not "${environment['PORT']}".`);
  const profile =
    environment['ERROR_FORMAT'] === undefined || environment['ERROR_FORMAT'] === '' ? 'problem' : environment['ERROR_FORMAT'];
  if (!isProfileName(profile)) throw new Error(`ERROR_FORMAT must be one of problem, classic, message, oauth; not "${profile}".`);
  return {
    port,
    host: environment['HOST'] || '127.0.0.1',
    database: parseDatabaseUrl(environment['DATABASE_URL']),
    databaseTimeouts: parseDatabaseTimeouts(environment),
    profile,
    classicFieldErrors: readSwitch(environment, 'CLASSIC_FIELD_ERRORS'),
    logLevel: environment['LOG_LEVEL'] || 'info',
    rateLimits: parseRateLimits(environment['RATE_LIMITS'] || defaultRateLimits),
    rateLimitLegacyHeaders: parseRateLimitLegacyHeaders(environment['RATE_LIMIT_LEGACY_HEADERS']),
    teamRateLimits: parseRateLimits(environment['TEAM_RATE_LIMITS'] || defaultTeamRateLimits, 'TEAM_RATE_LIMITS'),
    attemptBudgets: parseAttemptBudgets(environment),
    ...readRedisConfig(environment),
    overload: parseOverloadLimits(environment),
    serverLimits: parseServerLimits(environment),
    publicUrl: readPublicUrl(environment['PUBLIC_URL'], port),
    ...readOAuthCookieSecret(environment['OAUTH_COOKIE_SECRET']),
  };
}

/** An on/off variable, off when unset or empty. */
function readSwitch(environment: NodeJS.ProcessEnv, name: string): boolean {
  const raw = environment[name];
  if (raw === undefined || raw === '' || raw === 'off') return false;
  if (raw === 'on') return true;
  throw new Error(`${name} must be on or off, not "${raw}".`);
}

/**
 * The secret the OAuth login cookie and CSRF tokens are signed with. Unset,
 * each process makes a random one, which is right for one process; processes
 * behind one address must share it, or a login on one fails on the next.
 */
function readOAuthCookieSecret(raw: string | undefined): { oauthCookieSecret?: string } {
  if (raw === undefined || raw === '') return {};
  if (raw.length < 32)
    throw new Error('OAUTH_COOKIE_SECRET must be at least 32 characters, e.g. the output of "openssl rand -base64 32".');
  return { oauthCookieSecret: raw };
}

/** An absolute http(s) URL without query or fragment; `http://localhost:<PORT>` by default. */
function readPublicUrl(raw: string | undefined, port: number): string {
  if (raw === undefined || raw === '') return `http://localhost:${port}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`PUBLIC_URL must be an absolute http or https URL, not "${raw}".`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search !== '' || url.hash !== '' || raw.includes('#'))
    throw new Error(`PUBLIC_URL must be an absolute http or https URL without query or fragment, not "${raw}".`);
  return raw.replace(/\/+$/, '');
}
