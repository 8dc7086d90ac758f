import type { Server } from 'node:http';

/** How long a Node.js server waits for a client, each bound in milliseconds. */
export interface ServerTimeoutOptions {
  /** How long a client has to send the request line and headers, in ms; then 408. Default: 10 s. */
  readonly headersTimeoutMs?: number;
  /** How long a client has to send the whole request, body included, in ms; then 408. Default: 30 s. */
  readonly requestTimeoutMs?: number;
  /**
   * How long a connection may stay silent, in ms, while a request is being sent
   * or answered (a stalled body, a client that stops reading); then 408 when the
   * socket can still carry it, else the socket is closed. Default: 60 s.
   */
  readonly idleTimeoutMs?: number;
  /** How long an idle keep-alive connection is kept between requests, in ms. Default: 72 s (longer than the 60 s of common load balancers). */
  readonly keepAliveTimeoutMs?: number;
}

/** The defaults of {@link ServerTimeoutOptions}, in milliseconds. */
export const defaultServerTimeouts = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  keepAliveTimeoutMs: 72_000,
} as const;

/** {@link ServerTimeoutOptions} checked, with every default filled in, and how often Node looks for expired requests. */
export interface ServerTimeouts {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  /** Node's `connectionsCheckingInterval`: its default, 30 s, is too coarse for a 10 s timeout. */
  readonly connectionsCheckingIntervalMs: number;
}

function timeout(options: ServerTimeoutOptions, name: keyof typeof defaultServerTimeouts, caller: string): number {
  const value = options[name] ?? defaultServerTimeouts[name];
  if (!Number.isInteger(value) || value <= 0)
    throw new TypeError(`${caller}: ${name} must be a positive whole number of milliseconds, not ${value}.`);
  return value;
}

/**
 * Checks the timeouts and fills in the defaults; a bad one throws a
 * `TypeError` naming it (`caller` names the function the user called).
 *
 * @example
 * ```ts
 * const timeouts = resolveServerTimeouts({ requestTimeoutMs: 20_000 });
 * const server = http.createServer({ headersTimeout: timeouts.headersTimeoutMs, requestTimeout: timeouts.requestTimeoutMs, connectionsCheckingInterval: timeouts.connectionsCheckingIntervalMs }, app);
 * ```
 */
export function resolveServerTimeouts(options: ServerTimeoutOptions = {}, caller = 'serverTimeouts'): ServerTimeouts {
  const headersTimeoutMs = timeout(options, 'headersTimeoutMs', caller);
  const requestTimeoutMs = timeout(options, 'requestTimeoutMs', caller);
  if (headersTimeoutMs > requestTimeoutMs)
    throw new TypeError(
      `${caller}: headersTimeoutMs (${headersTimeoutMs}) cannot be longer than requestTimeoutMs (${requestTimeoutMs}), which includes the headers.`,
    );
  return {
    headersTimeoutMs,
    requestTimeoutMs,
    idleTimeoutMs: timeout(options, 'idleTimeoutMs', caller),
    keepAliveTimeoutMs: timeout(options, 'keepAliveTimeoutMs', caller),
    connectionsCheckingIntervalMs: Math.max(25, Math.min(1000, Math.floor(headersTimeoutMs / 4))),
  };
}

/**
 * Sets a `node:http` (or `node:https`) server's timeouts. Node reads
 * `connectionsCheckingInterval` only when the server is created: pass
 * `timeouts.connectionsCheckingIntervalMs` to `createServer` as well for
 * timeouts shorter than 30 s to be enforced on time.
 *
 * @example
 * ```ts
 * const server = app.listen(3000); // Express
 * applyServerTimeouts(server, resolveServerTimeouts());
 * ```
 */
export function applyServerTimeouts(server: Server, timeouts: ServerTimeouts): void {
  server.headersTimeout = timeouts.headersTimeoutMs;
  server.requestTimeout = timeouts.requestTimeoutMs;
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  server.setTimeout(timeouts.idleTimeoutMs);
}
