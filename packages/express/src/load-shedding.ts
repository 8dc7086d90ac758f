import type { ServerResponse } from 'node:http';
import { LoadShedder, type LoadSheddingOptions as ShedderOptions, type LoadSheddingState } from '@faultline/http';
import { contractOf, type Middleware } from './request-state.js';
import { sendApiError } from './send-api-error.js';

export interface LoadSheddingOptions extends Omit<ShedderOptions, 'exemptRoutes'> {
  /** Paths as the middleware sees them (`req.path`, e.g. `/healthz`), always served and not counted. */
  readonly exemptPaths?: readonly string[];
}

/** The middleware, with what the shedder sees and a way to stop its sampler. */
export interface LoadSheddingMiddleware extends Middleware {
  /** Requests in flight, the event-loop delay, whether it sheds now, how many it shed. */
  readonly state: LoadSheddingState;
  /** Stops the event-loop sampler (it never keeps the process alive: this is for tests and hot reloads). */
  stop(): void;
}

/**
 * Refuses new requests with 503 `service_unavailable` and `Retry-After`
 * while the server is saturated: too many requests in flight, or an event
 * loop running late. Shedding the excess early keeps the answers to the
 * admitted requests fast instead of slowing every caller down together. Put
 * it right after the contract's `start`, before any work. The decision is
 * `@faultline/http`'s `LoadShedder`; a request leaves the count when its
 * response closes.
 *
 * @example
 * ```js
 * app.use(contract.start);
 * app.use(loadShedding({ maxEventLoopDelayMs: 1000, maxInFlight: 500, exemptPaths: ['/healthz'] }));
 * ```
 */
export function loadShedding(options: LoadSheddingOptions): LoadSheddingMiddleware {
  const { exemptPaths, ...shedderOptions } = options;
  const shedder = new LoadShedder({ ...shedderOptions, ...(exemptPaths === undefined ? {} : { exemptRoutes: exemptPaths }) });
  shedder.start();
  function release(this: ServerResponse): void {
    shedder.give();
  }
  const middleware: Middleware = function faultlineLoadShedding(request, response, next) {
    if (shedder.hasExemptRoutes && shedder.isExempt((request as { path?: string }).path)) return next();
    if (!shedder.admits()) return sendApiError(request, response, shedder.refusal(contractOf(request).catalog));
    if (shedder.counting) {
      shedder.take();
      response.once('close', release);
    }
    next();
  };
  return Object.assign(middleware, { state: shedder.state, stop: () => shedder.stop() });
}
