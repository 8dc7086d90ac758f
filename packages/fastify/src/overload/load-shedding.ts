import type { FastifyPluginCallback, FastifyReply } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { performance } from 'node:perf_hooks';
import { sendApiError } from '../send-api-error.js';

export interface LoadSheddingOptions {
  /**
   * The most requests handled at once; a request that arrives while this
   * many are in flight is refused. Default: no limit.
   */
  readonly maxInFlight?: number;
  /**
   * The event-loop delay, in milliseconds, past which new requests are
   * refused until the delay falls back under it. Default: not watched.
   */
  readonly maxEventLoopDelayMs?: number;
  /** How often the event-loop delay is sampled, in milliseconds. Default 100. */
  readonly sampleIntervalMs?: number;
  /** The `Retry-After` a refused request is given, in seconds. Default 2. */
  readonly retryAfterSeconds?: number;
  /** Route URLs, as declared (e.g. `/healthz`), that are always served and not counted in flight. */
  readonly exemptRoutes?: readonly string[];
}

/** What the shedder sees now: for a health route, logs or metrics. */
export interface LoadSheddingState {
  /** Requests admitted and not yet answered (0 when `maxInFlight` is not set). */
  readonly inFlight: number;
  /** The event-loop delay of the last sample, in milliseconds (0 when not watched). */
  readonly eventLoopDelayMs: number;
  /** Whether new requests are being refused now. */
  readonly shedding: boolean;
  /** Requests refused since the server started. */
  readonly shed: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The load shedder's state, when the `loadShedding` plugin is registered. */
    loadShedding: LoadSheddingState;
  }
}

const kProgress = Symbol('faultline.loadShedding.progress');
const closed = 1;
const answered = 2;
/** The request holds one of the `maxInFlight` slots. */
const holding = 4;
/** A response the shedder counts: how far it got (closed, answered, holding a slot). */
type Tracked = { [kProgress]?: number };

const positive = (value: number | undefined, name: string, fallback: number): number => {
  if (value === undefined) return fallback;
  if (!(value > 0)) throw new TypeError(`loadShedding: ${name} must be a positive number, not ${value}.`);
  return value;
};

const plugin: FastifyPluginCallback<LoadSheddingOptions> = (fastify, options, done) => {
  let maxInFlight: number, maxDelay: number, sampleIntervalMs: number, retryAfterSeconds: number;
  try {
    maxInFlight = positive(options.maxInFlight, 'maxInFlight', Number.POSITIVE_INFINITY);
    maxDelay = positive(options.maxEventLoopDelayMs, 'maxEventLoopDelayMs', Number.POSITIVE_INFINITY);
    sampleIntervalMs = positive(options.sampleIntervalMs, 'sampleIntervalMs', 100);
    retryAfterSeconds = positive(options.retryAfterSeconds, 'retryAfterSeconds', 2);
  } catch (error) {
    done(error as Error);
    return;
  }
  const settings = fastify.faultline;
  const exempt = new Set(options.exemptRoutes ?? []);
  const counting = Number.isFinite(maxInFlight);

  let inFlight = 0;
  let delay = 0;
  let lagging = false;
  let shed = 0;

  // A timer that should fire every `sampleIntervalMs`: how late it fires is the event-loop delay.
  // Unref'd, so it never keeps the process alive; stopped when the app closes.
  let sampler: NodeJS.Timeout | undefined;
  // Sampling starts once the app is ready: loading plugins and routes blocks the loop for a moment,
  // and counting that as overload would refuse the first requests a fresh process gets.
  const startSampling = () => {
    let last = performance.now();
    sampler = setInterval(() => {
      const now = performance.now();
      delay = Math.max(0, now - last - sampleIntervalMs);
      last = now;
      const wasLagging = lagging;
      lagging = delay > maxDelay;
      if (lagging && !wasLagging) {
        fastify.log.warn({ eventLoopDelayMs: Math.round(delay) }, 'Event loop delayed: shedding new requests');
      }
    }, sampleIntervalMs);
    sampler.unref();
  };
  if (Number.isFinite(maxDelay)) {
    fastify.addHook('onReady', (next) => {
      startSampling();
      next();
    });
  }
  fastify.addHook('onClose', (_instance, next) => {
    clearInterval(sampler);
    next();
  });

  const state: LoadSheddingState = {
    get inFlight() {
      return inFlight;
    },
    get eventLoopDelayMs() {
      return delay;
    },
    get shedding() {
      return lagging || inFlight >= maxInFlight;
    },
    get shed() {
      return shed;
    },
  };
  fastify.decorate('loadShedding', state);

  // A request leaves the count once its response has closed AND its handler has answered: a client
  // that gives up does not stop the work it started. One listener for every response, so admitting
  // a request allocates nothing; the progress rides on the response object.
  const advance = (raw: Tracked, step: number): void => {
    const before = raw[kProgress];
    if (before === undefined) return;
    const after = before | step;
    if ((before & holding) !== 0 && (after & (closed | answered)) === (closed | answered)) {
      inFlight--;
      raw[kProgress] = after & ~holding;
      return;
    }
    raw[kProgress] = after;
  };
  function onClose(this: Tracked): void {
    advance(this, closed);
  }
  const take = (raw: Tracked): void => {
    inFlight++;
    raw[kProgress] = (raw[kProgress] ?? 0) | holding;
  };
  if (counting) {
    // onSend covers every answer, errors included; onResponse any that reached the client another way.
    fastify.addHook('onSend', (_request, reply, payload, next) => {
      advance(reply.raw as Tracked, answered);
      next(null, payload);
    });
    fastify.addHook('onResponse', (_request, reply, next) => {
      advance(reply.raw as Tracked, answered);
      next();
    });
    // A body arrives at the client's pace: the slot is given back while it does, so a thousand
    // clients trickling bodies hold no slot, and taken again once the body is read.
    fastify.addHook('preParsing', (request, reply, payload, next) => {
      const raw = reply.raw as Tracked;
      const progress = raw[kProgress];
      const headers = request.headers;
      if (
        progress !== undefined &&
        (progress & holding) !== 0 &&
        (headers['transfer-encoding'] !== undefined || (headers['content-length'] ?? '0') !== '0')
      ) {
        inFlight--;
        raw[kProgress] = progress & ~holding;
      }
      next(null, payload);
    });
    fastify.addHook('preValidation', (request, reply, next) => {
      const raw = reply.raw as Tracked;
      const progress = raw[kProgress];
      if (progress === undefined || (progress & (holding | closed | answered)) !== 0) {
        next();
        return;
      }
      if (lagging || inFlight >= maxInFlight) {
        if (!(exempt.size > 0 && exempt.has(request.routeOptions.url as string))) {
          refuse(reply);
          return;
        }
      }
      take(raw);
      next();
    });
  }

  function refuse(reply: FastifyReply): void {
    shed++;
    const reason = lagging
      ? `its event loop is ${Math.round(delay)} ms behind`
      : `it is handling ${inFlight} requests, its limit`;
    const retryAt = new Date(Date.now() + retryAfterSeconds * 1000);
    // Sent here, not passed to `done`: the error handler would log every refusal, and under overload that is the last thing to do.
    sendApiError(
      reply,
      settings.catalog.error('service_unavailable', {
        detail: `The server is overloaded (${reason}) and refused this request before starting it; try again after ${retryAt.toISOString()}.`,
        retryAt,
      }),
      settings,
    );
  }

  // The first onRequest hook: a refused request costs no authentication, body parsing or handler.
  fastify.addHook('onRequest', function loadShedding(request, reply, done) {
    // Exempt routes (health probes) are always served and take no slot: a probe must not see itself as load.
    if (exempt.size > 0 && exempt.has(request.routeOptions.url as string)) {
      done();
      return;
    }
    if (!lagging && inFlight < maxInFlight) {
      if (counting) {
        take(reply.raw as Tracked);
        reply.raw.on('close', onClose);
      }
      done();
      return;
    }
    refuse(reply);
  });
  done();
};

/**
 * Refuses new requests with `service_unavailable` (503, `Retry-After`) while
 * the server is saturated: too many requests in flight, or an event loop
 * running late. Shedding the excess early keeps the answers to the admitted
 * requests fast, instead of slowing every caller down together.
 *
 * A request counts against `maxInFlight` while the server works on it, not
 * while its client sends the body: its slot is given back while the body
 * arrives and taken again once it is read (a 503 then, if none is free), so
 * clients trickling bodies cannot fill the server. How much one
 * address may hold is the `maxConnectionsPerClient` of {@link faultline}.
 *
 * Register it right after {@link faultline}, before any other `onRequest`
 * hook. Healthy, it costs a comparison per request (and a `close` listener
 * when `maxInFlight` is set); it adds no header. The delay sampler stops when
 * the app closes.
 */
export const loadShedding = fastifyPlugin(plugin, {
  fastify: '5.x',
  name: '@faultline/fastify/load-shedding',
  dependencies: ['@faultline/fastify'],
});
