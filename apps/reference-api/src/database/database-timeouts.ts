import { readWholeNumber } from '../environment-numbers.js';

/** How long the reference API waits for its database before answering 503 `service_unavailable`. */
export interface DatabaseTimeouts {
  /**
   * SQLite: how long a query waits, in milliseconds, for the write lock another
   * process holds. SQLite itself waits only a few milliseconds at a time
   * (better-sqlite3 waits synchronously, holding the event loop); the rest of
   * the wait is asynchronous retries.
   */
  readonly busyTimeoutMs: number;
  /** PostgreSQL: the longest wait for a connection from the pool, in milliseconds. */
  readonly connectTimeoutMs: number;
  /** PostgreSQL: the longest a query may take, in milliseconds, whether the server is slow or gone. */
  readonly queryTimeoutMs: number;
  /** PostgreSQL: the most connections the pool opens. */
  readonly poolSize: number;
}

/**
 * What applies unless `DATABASE_BUSY_TIMEOUT_MS`, `DATABASE_CONNECT_TIMEOUT_MS`,
 * `DATABASE_QUERY_TIMEOUT_MS` and `DATABASE_POOL_SIZE` say otherwise. The
 * slowest legitimate query (adding 10,000 recipients in one transaction) takes
 * well under a second; waits past these mean the database is stuck, and the
 * client is better told to retry than held.
 */
export const defaultDatabaseTimeouts: DatabaseTimeouts = {
  busyTimeoutMs: 2_000,
  connectTimeoutMs: 2_000,
  queryTimeoutMs: 5_000,
  poolSize: 10,
};

function readPositive(environment: NodeJS.ProcessEnv, name: string, fallback: number, max: number): number {
  return readWholeNumber(environment, name, { max }) ?? fallback;
}

/** Reads the `DATABASE_*` timeouts; throws an Error naming a bad one. */
export function parseDatabaseTimeouts(environment: NodeJS.ProcessEnv): DatabaseTimeouts {
  const hour = 3_600_000;
  return {
    busyTimeoutMs: readPositive(environment, 'DATABASE_BUSY_TIMEOUT_MS', defaultDatabaseTimeouts.busyTimeoutMs, hour),
    connectTimeoutMs: readPositive(environment, 'DATABASE_CONNECT_TIMEOUT_MS', defaultDatabaseTimeouts.connectTimeoutMs, hour),
    queryTimeoutMs: readPositive(environment, 'DATABASE_QUERY_TIMEOUT_MS', defaultDatabaseTimeouts.queryTimeoutMs, hour),
    poolSize: readPositive(environment, 'DATABASE_POOL_SIZE', defaultDatabaseTimeouts.poolSize, 1_000),
  };
}
