import { LoadShedder, type LoadSheddingOptions, type LoadSheddingState } from '@faultline/http';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { answerError, settingsOf } from './send-error.js';

/** The {@link loadShedding} middleware, with what the shedder sees and a way to stop its timer. */
export interface LoadSheddingMiddleware extends MiddlewareHandler {
  /** Requests in flight, the event-loop delay, whether it sheds now, how many it refused: for a health route or metrics. */
  readonly state: LoadSheddingState;
  /** Stops sampling the event-loop delay (with the server, in tests). */
  stop(): void;
}

/**
 * Refuses new requests with 503 `service_unavailable` and `Retry-After`
 * while the server is overloaded: more than `maxInFlight` requests in flight,
 * or the event loop running more than `maxEventLoopDelayMs` late (sampled
 * with a timer from the first request on, on every runtime). A refused
 * request costs no handler, no database, no body read. Put it first, right
 * after {@link faultline}; `exemptRoutes` (route patterns as declared, e.g.
 * `/healthz`) are always served and never counted.
 *
 * @example
 * ```ts
 * const shedding = loadShedding({ maxEventLoopDelayMs: 1000, exemptRoutes: ['/healthz'] });
 * app.use('*', shedding);
 * app.get('/healthz', (c) => c.json(shedding.state));
 * ```
 */
export function loadShedding(options: LoadSheddingOptions = {}): LoadSheddingMiddleware {
  const shedder = new LoadShedder(options);
  let started = false;

  const middleware: MiddlewareHandler = async function shedLoad(c, next) {
    if (!started) {
      // Sampling starts with the first request, once the app is loaded: loading blocks the loop, and is no overload.
      started = true;
      shedder.start();
    }
    const exempt = shedder.isExempt(routePath(c, -1));
    if (!exempt && !shedder.admits()) {
      const settings = settingsOf(c);
      return answerError(c, shedder.refusal(settings.catalog), settings);
    }
    if (exempt || !shedder.counting) return next();
    shedder.take();
    try {
      await next();
    } finally {
      shedder.give();
    }
    return undefined;
  };
  return Object.assign(middleware, { state: shedder.state, stop: () => shedder.stop() });
}
