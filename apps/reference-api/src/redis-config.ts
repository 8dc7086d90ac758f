import { readWholeNumber } from './environment-numbers.js';

/** Where the rate limits of all the API's processes are shared. */
export interface RedisConfig {
  /** `redis://` or `rediss://` (TLS). */
  readonly url: string;
  /** The share of each policy's limit a process grants on its own while Redis is away, in (0, 1]. */
  readonly fallbackShare: number;
  /** How long a decision waits for Redis before the local limiter takes it, in ms. */
  readonly timeoutMs: number;
}

/** The fallback share when `RATE_LIMIT_FALLBACK_SHARE` is unset: half of each limit per process. */
export const defaultFallbackShare = 0.5;

/** The wait for Redis when `RATE_LIMIT_REDIS_TIMEOUT_MS` is unset. */
export const defaultRedisTimeoutMs = 100;

/**
 * Reads `REDIS_URL` (unset: rate limits stay in each process's memory),
 * `RATE_LIMIT_FALLBACK_SHARE` and `RATE_LIMIT_REDIS_TIMEOUT_MS`; throws an
 * Error naming the bad variable.
 */
export function readRedisConfig(environment: NodeJS.ProcessEnv): { redis?: RedisConfig } {
  const rawShare = environment['RATE_LIMIT_FALLBACK_SHARE'];
  const fallbackShare = rawShare === undefined || rawShare.trim() === '' ? defaultFallbackShare : Number(rawShare);
  if (!(Number.isFinite(fallbackShare) && fallbackShare > 0 && fallbackShare <= 1))
    throw new Error(`RATE_LIMIT_FALLBACK_SHARE must be a number more than 0 and at most 1, e.g. 0.5; not "${rawShare}".`);
  const timeoutMs = readWholeNumber(environment, 'RATE_LIMIT_REDIS_TIMEOUT_MS', { max: 60_000 }) ?? defaultRedisTimeoutMs;
  const url = environment['REDIS_URL']?.trim();
  if (url === undefined || url === '') return {};
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') || parsed.hostname === '') {
    throw new Error(`REDIS_URL must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379; not "${url}".`);
  }
  return { redis: { url, fallbackShare, timeoutMs } };
}
