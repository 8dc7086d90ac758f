import { builtinCatalog, type ApiError } from '@faultline/core';

/** The `Retry-After` given when the database did not answer in time: long enough for a lock or a restart to clear. */
export const retryAfterUnavailableMs = 2_000;

/**
 * The answer to a request the database could not serve in time: 503
 * `service_unavailable` with `Retry-After`. `reason` says what happened in
 * words for the client (never SQL or a driver message); `cause` keeps the
 * driver's error for the log.
 *
 * @example
 * throw databaseUnavailable('did not give a connection within 2000 ms', error);
 */
export function databaseUnavailable(reason: string, cause: unknown): ApiError {
  const retryAt = new Date(Date.now() + retryAfterUnavailableMs);
  return builtinCatalog.error('service_unavailable', {
    detail: `The database ${reason}. Try again after ${retryAt.toISOString()}.`,
    retryAt,
    cause,
  });
}

/** node-postgres' own messages for a connection or query it gave up on (they carry no SQLSTATE). */
const postgresClientFailures = [
  /^Query read timeout$/,
  /^timeout exceeded when trying to connect$/,
  /^Connection terminated/,
  /is not queryable$/,
];

/**
 * Whether a PostgreSQL failure means the database is unreachable, stalled or
 * refusing work for now (so 503 and a retry), rather than a fault in the query:
 * node-postgres timeouts, lost connections and socket errors, and the SQLSTATEs
 * of connection failures (class 08), too many connections (53300), shutdowns
 * (57P01 to 57P03) and statements cancelled by `statement_timeout` (57014).
 */
export function isPostgresUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (/^08|^53300$|^57P0[123]$|^57014$/.test(code)) return true;
    // Node's socket errors: ECONNREFUSED, ECONNRESET, EPIPE, ETIMEDOUT…
    if (/^E[A-Z]+$/.test(code)) return true;
  }
  return typeof message === 'string' && postgresClientFailures.some((pattern) => pattern.test(message));
}
