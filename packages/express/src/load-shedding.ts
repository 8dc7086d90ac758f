import type { ServerResponse } from 'node:http';
import { createLoadShedder, type LoadShedderOptions, type LoadSheddingState } from './neutral.js';
import { contractOf, type Middleware } from './request-state.js';
import { sendApiError } from './send-api-error.js';

export interface LoadSheddingOptions extends LoadShedderOptions {
  /** Paths (`req.path` as the middleware sees it, e.g. `/healthz`) always served and not counted. */
  readonly exemptPaths?: readonly string[];
}

/** The middleware, with what the shedder sees and a way to stop its sampler. */
export interface LoadSheddingMiddleware extends Middleware {
  /** Requests in flight, the event-loop delay, whether it sheds now, how many it shed. */
  readonly state: LoadSheddingState;
  /** Stops the event-loop sampler (it never keeps the process alive, so this is for tests and hot reloads). */
  stop(): void;
}

/**
 * Refuses new requests with 503 `service_unavailable` and `Retry-After`
 * while the server is saturated: too many requests in flight, or an event
 * loop running late. Shedding the excess early keeps the answers to the
 * admitted requests fast instead of slowing every caller down together. Put
 * it right after the contract's `start`, before any work.
 *
 * @example
 * ```js
 * app.use(contract.start);
 * app.use(loadShedding({ maxEventLoopDelayMs: 1000, maxInFlight: 500, exemptPaths: ['/healthz'] }));
 * ```
 */
export function loadShedding(options: LoadSheddingOptions): LoadSheddingMiddleware {
  const shedder = createLoadShedder(options);
  const exempt = new Set(options.exemptPaths ?? []);
  function release(this: ServerResponse): void {
    shedder.release();
  }
  const middleware = function faultlineLoadShedding(request, response, next) {
    if (exempt.size > 0 && exempt.has((request as { path?: string }).path ?? '')) return next();
    const refusal = shedder.admit(contractOf(request).catalog);
    if (refusal !== undefined) return sendApiError(request, response, refusal);
    if (shedder.counting) response.once('close', release);
    next();
  } as Middleware;
  return Object.assign(middleware, { state: shedder.state, stop: () => shedder.stop() });
}
