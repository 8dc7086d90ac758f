import { RedisStore } from '@faultline/fastify';
import type { FastifyBaseLogger } from 'fastify';
import { Redis } from 'ioredis';
import type { RedisConfig } from './redis-config.js';

/** The rate-limit store on Redis and the client it owns. */
export interface RedisRateLimits {
  readonly store: RedisStore;
  readonly client: Redis;
  /** Where the moves to the local limiter and back are logged (once per move, never per request). */
  logTo(log: FastifyBaseLogger): void;
  /** Quits the client. */
  close(): Promise<void>;
}

/**
 * Connects to Redis for the rate limits. Nothing here can hang a request or
 * stop the API from starting: the offline queue is off (a command sent while
 * disconnected fails at once), commands and connects are bounded, the client
 * reconnects in the background, and while Redis is away each process decides
 * alone on `fallbackShare` of every limit.
 */
export async function openRedisRateLimits(config: RedisConfig): Promise<RedisRateLimits> {
  let log: FastifyBaseLogger | undefined;
  const client = new Redis(config.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    // A backstop for commands the store stopped waiting for; the store's own timeout bounds each request.
    commandTimeout: Math.max(1000, config.timeoutMs),
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
  });
  // Connection errors come back on every reconnect attempt; the store's state changes are what is logged.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch {
    // Not reachable yet: the client keeps trying and the local limiter decides meanwhile.
  }
  const store = new RedisStore({
    client,
    timeoutMs: config.timeoutMs,
    fallback: {
      share: config.fallbackShare,
      onStateChange: (state, error) => {
        if (state === 'fallback')
          log?.warn(
            { err: error },
            `Rate limits: Redis unavailable, each process now allows ${config.fallbackShare} of each limit`,
          );
        else log?.info('Rate limits: back on Redis');
      },
    },
  });
  return {
    store,
    client,
    logTo(logger) {
      log = logger;
    },
    async close() {
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}
