import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  type SqliteDialectConfig,
} from 'kysely';
import { databaseUnavailable } from './database-unavailable.js';

/**
 * How long SQLite itself may wait for a lock (`busy_timeout`). better-sqlite3
 * runs queries synchronously, so this wait holds the whole event loop: it is
 * kept to a few milliseconds, enough for another process's short write, and
 * anything longer is retried asynchronously.
 */
export const sqliteBusyWaitMs = 5;
/** The first pause between asynchronous retries; it doubles up to {@link longestRetryPauseMs}. */
const firstRetryPauseMs = 5;
const longestRetryPauseMs = 100;

/**
 * better-sqlite3 through Kysely, without blocking the event loop on a locked
 * database. A query that finds the database busy (another process holds the
 * write lock) is retried asynchronously, with growing pauses, until
 * `busyTimeoutMs` after it asked for the connection; then it fails with 503
 * `service_unavailable`. Waiting for this process's one connection counts
 * towards the same deadline, so queued requests do not wait one deadline each.
 *
 * Transactions start with `BEGIN IMMEDIATE`: they take the write lock first, so
 * a busy database is met at the start, where retrying is safe, and never by a
 * statement halfway through (which holds a snapshot a retry could not fix).
 *
 * @example
 * const sqlite = new SqliteDatabase('data/faultline.db');
 * sqlite.pragma(`busy_timeout = ${sqliteBusyWaitMs}`);
 * const db = new Kysely<Database>({ dialect: new BusyRetryingSqliteDialect({ database: sqlite }, 2000) });
 */
export class BusyRetryingSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  readonly #busyTimeoutMs: number;

  constructor(config: SqliteDialectConfig & { database: SqliteDatabase.Database }, busyTimeoutMs: number) {
    super(config);
    this.#config = config;
    this.#busyTimeoutMs = busyTimeoutMs;
  }

  override createDriver(): Driver {
    return new BusyRetryingSqliteDriver(this.#config, this.#config.database as SqliteDatabase.Database, this.#busyTimeoutMs);
  }
}

class BusyRetryingSqliteDriver extends SqliteDriver {
  readonly #lock = new DeadlineLock();
  readonly #connection: RetryingConnection;
  readonly #busyTimeoutMs: number;
  readonly #sqlite: SqliteDatabase.Database;

  constructor(config: SqliteDialectConfig, sqlite: SqliteDatabase.Database, busyTimeoutMs: number) {
    super(config);
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#sqlite = sqlite;
    this.#connection = new RetryingConnection(sqlite, busyTimeoutMs);
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const deadline = performance.now() + this.#busyTimeoutMs;
    await this.#lock.acquire(deadline, () =>
      databaseUnavailable(`was busy with other requests for ${this.#busyTimeoutMs} ms`, undefined),
    );
    try {
      this.#connection.use(await super.acquireConnection(), deadline);
    } catch (error) {
      this.#lock.release();
      throw error;
    }
    return this.#connection;
  }

  override async releaseConnection(): Promise<void> {
    await super.releaseConnection();
    this.#lock.release();
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // SQLite ends a transaction by itself after some errors; a second rollback would fail and hide the first error.
    if (this.#sqlite.inTransaction) await super.rollbackTransaction(connection);
  }
}

/** How many prepared statements the connection keeps; the API's queries are far fewer, batch inserts aside. */
const maxCachedStatements = 500;

/**
 * The one connection, retrying a busy database until the deadline of whoever
 * holds it now. It runs queries itself, as Kysely's SQLite connection does,
 * but keeps each prepared statement by its SQL: preparing costs more than
 * running most of the API's statements, which repeat request after request.
 */
class RetryingConnection implements DatabaseConnection {
  #inner: DatabaseConnection | undefined;
  #deadline = 0;
  readonly #statements = new Map<string, SqliteDatabase.Statement>();

  constructor(
    private readonly sqlite: SqliteDatabase.Database,
    private readonly busyTimeoutMs: number,
  ) {}

  use(inner: DatabaseConnection, deadline: number): void {
    this.#inner = inner;
    this.#deadline = deadline;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    let pause = firstRetryPauseMs;
    for (;;) {
      try {
        return this.#run<R>(query);
      } catch (error) {
        if (!isBusy(error)) throw error;
        // Inside a transaction the statement cannot simply run again; the transaction rolls back.
        const remaining = this.#deadline - performance.now();
        if (this.sqlite.inTransaction) throw databaseUnavailable('is locked by another writer', error);
        if (remaining <= 0) {
          throw databaseUnavailable(`is locked by another writer and stayed locked for ${this.busyTimeoutMs} ms`, error);
        }
        // Jittered, so processes that met the same lock do not retry in step.
        await sleep(Math.min(remaining, pause * (0.5 + Math.random())));
        pause = Math.min(pause * 2, longestRetryPauseMs);
      }
    }
  }

  /** What Kysely's SQLite connection does, with the statement prepared once per SQL text. */
  #run<R>(query: CompiledQuery): QueryResult<R> {
    let statement = this.#statements.get(query.sql);
    if (statement === undefined) {
      statement = this.sqlite.prepare(query.sql);
      // The oldest goes first when full: Map keeps insertion order.
      if (this.#statements.size >= maxCachedStatements) this.#statements.delete(this.#statements.keys().next().value as string);
      this.#statements.set(query.sql, statement);
    }
    const parameters = query.parameters as unknown[];
    if (statement.reader) return { rows: statement.all(parameters) as R[] };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  streamQuery<R>(query: CompiledQuery, chunkSize: number): AsyncIterableIterator<QueryResult<R>> {
    return (this.#inner as DatabaseConnection).streamQuery<R>(query, chunkSize);
  }
}

/** `SQLITE_BUSY` and its extended codes (`SQLITE_BUSY_RECOVERY`, `SQLITE_BUSY_SNAPSHOT`, …). */
function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/** A first-come lock whose waiters give up at their deadline. */
class DeadlineLock {
  #held = false;
  readonly #waiters: (() => void)[] = [];

  /** Resolves once held; rejects with `timedOut()` if still waiting at `deadline` (a `performance.now()` time). */
  acquire(deadline: number, timedOut: () => Error): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(
        () => {
          const index = this.#waiters.indexOf(grant);
          if (index !== -1) this.#waiters.splice(index, 1);
          reject(timedOut());
        },
        Math.max(0, deadline - performance.now()),
      );
      this.#waiters.push(grant);
    });
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next === undefined) this.#held = false;
    else next();
  }
}
