import { LoadShedder, type LoadSheddingOptions, type LoadSheddingState } from '@faultline/http';
import type { FastifyPluginCallback, FastifyReply } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { sendApiError } from '../send-api-error.js';

export type { LoadSheddingOptions, LoadSheddingState } from '@faultline/http';

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

const plugin: FastifyPluginCallback<LoadSheddingOptions> = (fastify, options, done) => {
  let shedder: LoadShedder;
  try {
    shedder = new LoadShedder(options, fastify.log);
  } catch (error) {
    done(error as Error);
    return;
  }
  const settings = fastify.faultline;
  const counting = shedder.counting;
  // Fastify builds `routeOptions` anew on each access: read only when some route is exempt.
  const isExempt = (request: { routeOptions: { url?: string | undefined } }): boolean =>
    shedder.hasExemptRoutes && shedder.isExempt(request.routeOptions.url);

  // Sampling starts once the app is ready: loading plugins and routes blocks the loop for a moment,
  // and counting that as overload would refuse the first requests a fresh process gets.
  fastify.addHook('onReady', (next) => {
    shedder.start();
    next();
  });
  fastify.addHook('onClose', (_instance, next) => {
    shedder.stop();
    next();
  });
  fastify.decorate('loadShedding', shedder.state);

  // A request leaves the count once its response has closed AND its handler has answered: a client
  // that gives up does not stop the work it started. One listener for every response, so admitting
  // a request allocates nothing; the progress rides on the response object.
  const advance = (raw: Tracked, step: number): void => {
    const before = raw[kProgress];
    if (before === undefined) return;
    const after = before | step;
    if ((before & holding) !== 0 && (after & (closed | answered)) === (closed | answered)) {
      shedder.give();
      raw[kProgress] = after & ~holding;
      return;
    }
    raw[kProgress] = after;
  };
  function onClose(this: Tracked): void {
    advance(this, closed);
  }
  const take = (raw: Tracked): void => {
    shedder.take();
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
        shedder.give();
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
      if (!shedder.admits()) {
        if (!isExempt(request)) {
          refuse(reply);
          return;
        }
      }
      take(raw);
      next();
    });
  }

  function refuse(reply: FastifyReply): void {
    // Sent here, not passed to `done`: the error handler would log every refusal, and under overload that is the last thing to do.
    sendApiError(reply, shedder.refusal(settings.catalog), settings);
  }

  // The first onRequest hook: a refused request costs no authentication, body parsing or handler.
  fastify.addHook('onRequest', function loadShedding(request, reply, done) {
    // Exempt routes (health probes) are always served and take no slot: a probe must not see itself as load.
    if (isExempt(request)) {
      done();
      return;
    }
    if (shedder.admits()) {
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
