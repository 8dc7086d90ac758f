import { isProfileName, type ProfileName } from '@faultline/core';
import type { RateLimitPolicy } from '@faultline/fastify';
import { parseDatabaseUrl, type DatabaseLocation } from './database/open-database.js';
import { defaultRateLimits, defaultTeamRateLimits, parseRateLimits } from './rate-limits.js';
import { readRedisConfig, type RedisConfig } from './redis-config.js';
import { parseOverloadLimits, type OverloadLimits } from './overload.js';

/** The reference API's settings, all from the environment, all with defaults. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly database: DatabaseLocation;
  readonly profile: ProfileName;
  readonly logLevel: string;
  /** Per API key; empty when rate limiting is off. */
  readonly rateLimits: readonly RateLimitPolicy[];
  /** Per team, over all its credentials; empty when off. */
  readonly teamRateLimits: readonly RateLimitPolicy[];
  /** From `REDIS_URL`: rate limits shared by every process; unset, each process counts alone. */
  readonly redis?: RedisConfig;
  /** When to shed load with 503s; a limit left out is off. */
  readonly overload: OverloadLimits;
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
    profile,
    logLevel: environment['LOG_LEVEL'] || 'info',
    rateLimits: parseRateLimits(environment['RATE_LIMITS'] || defaultRateLimits),
    teamRateLimits: parseRateLimits(environment['TEAM_RATE_LIMITS'] || defaultTeamRateLimits, 'TEAM_RATE_LIMITS'),
    ...readRedisConfig(environment),
    overload: parseOverloadLimits(environment),
    publicUrl: readPublicUrl(environment['PUBLIC_URL'], port),
    ...readOAuthCookieSecret(environment['OAUTH_COOKIE_SECRET']),
  };
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
