import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import pg from 'pg';
import type { DatabaseTimeouts } from './database-timeouts.js';
import { databaseUnavailable, isPostgresUnavailable } from './database-unavailable.js';

/**
 * A node-postgres pool for Kysely where every wait is bounded: a connection
 * comes within `connectTimeoutMs`, a query answers within `queryTimeoutMs`
 * (the server cancels it at that point; the client stops waiting shortly
 * after, for a server that cannot even cancel, such as one frozen with
 * SIGSTOP). Past either, the query fails with 503 `service_unavailable`.
 *
 * A connection that failed that way is closed rather than reused: the server
 * may still answer the abandoned query on it later.
 *
 * @example
 * const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: boundedPostgresPool(url, defaultDatabaseTimeouts) }) });
 */
export function boundedPostgresPool(url: string, timeouts: DatabaseTimeouts): PostgresPool {
  const pool = new pg.Pool({
    connectionString: url,
    max: timeouts.poolSize,
    connectionTimeoutMillis: timeouts.connectTimeoutMs,
    statement_timeout: timeouts.queryTimeoutMs,
    // The server's own cancel comes first when it can; this catches a server that cannot answer at all.
    query_timeout: timeouts.queryTimeoutMs + clientTimeoutMarginMs,
    idle_in_transaction_session_timeout: timeouts.queryTimeoutMs * 3,
  });
  // An idle client that loses its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const clients = new WeakMap<pg.PoolClient, BoundedClient>();
  return {
    async connect() {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw databaseUnavailable(`did not give a connection within ${timeouts.connectTimeoutMs} ms`, error);
      }
      let bounded = clients.get(client);
      if (bounded === undefined) {
        bounded = new BoundedClient(client, timeouts.queryTimeoutMs);
        clients.set(client, bounded);
      }
      return bounded;
    },
    end: () => pool.end(),
  };
}

/** How much longer than the server's `statement_timeout` the client waits for an answer. */
const clientTimeoutMarginMs = 500;

class BoundedClient implements PostgresPoolClient {
  /** The failure that made this connection unusable, if any. */
  #broken: unknown;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly queryTimeoutMs: number,
  ) {}

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(
    sqlOrCursor: string | PostgresCursor<R>,
    parameters?: ReadonlyArray<unknown>,
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    if (typeof sqlOrCursor !== 'string') return this.client.query(sqlOrCursor as never) as PostgresCursor<R>;
    // A rollback after a timeout would queue behind the abandoned query: fail it at once instead.
    if (this.#broken !== undefined) return Promise.reject(this.#unavailable(this.#broken));
    return (this.client.query(sqlOrCursor, [...(parameters ?? [])]) as unknown as Promise<PostgresQueryResult<R>>).catch(
      (error: unknown) => {
        if (!isPostgresUnavailable(error)) throw error;
        this.#broken = error;
        throw this.#unavailable(error);
      },
    );
  }

  #unavailable(error: unknown) {
    return databaseUnavailable(`did not answer within ${this.queryTimeoutMs} ms`, error);
  }

  release(): void {
    const broken = this.#broken;
    this.#broken = undefined;
    // `release(error)` closes the connection instead of returning it to the pool.
    this.client.release(broken === undefined ? undefined : broken instanceof Error ? broken : true);
  }
}
