import {
  answerHeaders,
  checkIdempotencyKey,
  Idempotency,
  idempotencyKeyHeader,
  replayedHeader,
  type AdmitOptions,
  type Claim,
  type IdempotencyMode,
  type IdempotencyOptions,
  type StoredAnswer,
} from '@faultline/idempotency';
import type {
  FastifyPluginCallback,
  FastifyReply,
  FastifyRequest,
  onSendHookHandler,
  preHandlerAsyncHookHandler,
  RouteOptions,
} from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { FaultlineRouteConfig } from '../settings.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The claim this request holds on its `Idempotency-Key` while it runs, on
     * routes that take keys; undefined otherwise. A handler that records the
     * answer in its own database transaction takes `claim.completion(answer)`
     * there and calls `claim.markRecorded()`.
     */
    idempotencyClaim: Claim | undefined;
  }
}

/** A route as the plugin sees it when it is added. */
export interface IdempotentRoute {
  /** Upper case. */
  readonly method: string;
  /** The route pattern with its prefix, e.g. `/v1/campaigns/:id`. */
  readonly url: string;
}

export interface IdempotencyPluginOptions extends Omit<IdempotencyOptions, 'sealAnswers'> {
  /** An engine of your own (shared with other code); otherwise one is built from the other options. */
  readonly idempotency?: Idempotency;
  /**
   * Whose keys a request uses: the tenant of its credential (a team, an
   * account), so one tenant never meets another's key or answer. Runs after
   * the `onRequest` and validation hooks, so authentication has run.
   */
  readonly scope: (request: FastifyRequest) => string;
  /**
   * The mode of a route that does not set `config.faultline.idempotency`:
   * one for all, or chosen from the route. Default: `off`.
   */
  readonly defaultMode?: IdempotencyMode | ((route: IdempotentRoute) => IdempotencyMode);
  /**
   * Where keys are claimed. `hook` (default): before the handler, in the
   * store. `handler`: the handler claims the key itself, in the transaction of
   * its work, so the claim, the work and the answer commit together (and a
   * crash leaves no claim to wait out); the plugin only checks the key and
   * puts an untaken `request.idempotencyClaim` on the request.
   */
  readonly claimIn?: 'hook' | 'handler';
  /**
   * Whether answers are stored sealed, for all routes or chosen per route.
   * Default: sealed (see `IdempotencyOptions.sealAnswers`). Leave it sealed
   * for any route whose answer holds a secret (a new API key, a token).
   */
  readonly sealAnswers?: boolean | ((route: IdempotentRoute) => boolean);
}

const modes: readonly IdempotencyMode[] = ['off', 'optional', 'required'];
const asIs = (body: unknown): string => body as string;

const plugin: FastifyPluginCallback<IdempotencyPluginOptions> = (fastify, options, done) => {
  // The faultline plugin's decoration, seen from every context under it (settings-store knows only the root).
  if (!fastify.hasDecorator('faultline')) {
    done(new Error('Register the faultline plugin before the idempotency plugin: its errors come from the catalog.'));
    return;
  }
  let engine: Idempotency;
  try {
    // A choice per route is made in onRoute; the engine then keeps its default.
    const { sealAnswers: _perRoute, ...engineOptions } = options;
    engine =
      options.idempotency ??
      new Idempotency(
        typeof options.sealAnswers === 'boolean' ? { ...engineOptions, sealAnswers: options.sealAnswers } : engineOptions,
      );
  } catch (error) {
    done(error as Error);
    return;
  }
  const { catalog } = fastify.faultline;
  const { scope, defaultMode = 'off', sealAnswers } = options;
  const claimInHandler = options.claimIn === 'handler';
  fastify.decorateRequest('idempotencyClaim', undefined);

  const admitFor =
    (required: boolean, admitOptions: AdmitOptions): preHandlerAsyncHookHandler =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const check = checkIdempotencyKey(request.headers[idempotencyKeyHeader], required, catalog, request.method);
      if (check.kind === 'skip') return;
      if (check.kind === 'error') throw check.error;
      const identity = { key: check.key, scope: scope(request), method: request.method, path: request.url, body: request.body };
      if (claimInHandler) {
        request.idempotencyClaim = engine.prepare(identity, admitOptions);
        return;
      }
      const admission = await engine.admitRequest(identity, catalog, admitOptions);
      switch (admission.kind) {
        case 'execute':
          request.idempotencyClaim = admission.claim;
          return;
        case 'replay':
          return sendReplay(reply, admission.answer);
        default:
          if (admission.storeFailure !== undefined)
            request.log.error({ err: admission.storeFailure.error }, admission.storeFailure.message);
          throw admission.error;
      }
    };

  const storeAnswer: onSendHookHandler = (request, reply, payload, next) => {
    const claim = request.idempotencyClaim;
    if (claim !== undefined && !claim.taken && !claim.settled && reply.statusCode < 300) {
      // The handler was to record this answer in its own transaction and did not: a retry would run the work again.
      request.log.error(
        `${request.method} ${request.routeOptions.url ?? request.url} takes an Idempotency-Key, but its handler answered ${reply.statusCode} without recording the answer for the key (claimIn: 'handler'); a retry with this key will run the work again`,
      );
    }
    // An untaken claim was the handler's to record; a handler that never took it did nothing worth keeping.
    if (claim === undefined || claim.settled || !claim.taken) {
      next(null, payload);
      return;
    }
    let answer: StoredAnswer;
    const headers = answerHeaders(reply.getHeaders());
    if (payload === null || payload === undefined) answer = { status: reply.statusCode, headers, body: '' };
    else if (typeof payload === 'string') answer = { status: reply.statusCode, headers, body: payload };
    else if (Buffer.isBuffer(payload))
      answer = { status: reply.statusCode, headers, body: payload.toString('base64'), base64: true };
    else {
      // A stream cannot be kept: the key is released, and a retry runs the request again.
      request.log.warn('An idempotent route answered with a stream, which cannot be replayed; its key was released');
      engine.abandon(claim).then(
        () => next(null, payload),
        () => next(null, payload),
      );
      return;
    }
    engine.finish(claim, answer).then(
      (outcome) => {
        if (outcome === 'lost')
          request.log.warn('The idempotency claim expired before the request finished; its answer was not stored');
        next(null, payload);
      },
      (error: unknown) => {
        request.log.error({ err: error }, 'Storing the answer of an idempotent request failed');
        next(null, payload);
      },
    );
  };

  // Only routes that take keys get hooks: the others pay nothing.
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const methods = [route.method].flat().map((method) => method.toUpperCase());
    const configured = (route.config as { faultline?: FaultlineRouteConfig } | undefined)?.faultline?.idempotency;
    const mode =
      configured ??
      (typeof defaultMode === 'function' ? defaultMode({ method: methods[0] ?? 'GET', url: route.url }) : defaultMode);
    if (!modes.includes(mode))
      throw new TypeError(`Route ${route.url}: idempotency must be off, optional or required, not "${String(mode)}".`);
    if (mode === 'off') return;
    const sealAnswer =
      typeof sealAnswers === 'function' ? sealAnswers({ method: methods[0] ?? 'GET', url: route.url }) : sealAnswers;
    const admit = admitFor(mode === 'required', sealAnswer === undefined ? {} : { sealAnswer });
    route.preHandler = [...[route.preHandler ?? []].flat(), admit];
    route.onSend = [...[route.onSend ?? []].flat(), storeAnswer];
  });
  done();
};

/** Sends a stored answer again, marked `Idempotent-Replayed: true`. */
export function sendReplay(reply: FastifyReply, answer: StoredAnswer): FastifyReply {
  reply.code(answer.status);
  for (const [name, value] of Object.entries(answer.headers)) reply.header(name, value);
  reply.header(replayedHeader, 'true');
  if (answer.body === '' && answer.base64 !== true) return reply.send();
  return reply.serializer(asIs).send(answer.base64 === true ? Buffer.from(answer.body, 'base64') : answer.body);
}

/**
 * Makes POSTs and PATCHes safe to retry: a request with an `Idempotency-Key`
 * claims it, runs once, and its answer is stored; a repeat gets that answer
 * again with `Idempotent-Replayed: true`; the key reused for another request
 * is a 422 `idempotency_key_reused`, and a repeat while the first still runs a
 * 409 `idempotency_key_in_use` with `Retry-After`. The framework-neutral rules
 * and stores are those of `@faultline/idempotency`.
 *
 * Register after the `faultline` plugin and the authentication hooks. Each
 * route picks its mode in `config.faultline.idempotency`, or gets `defaultMode`.
 *
 * @example
 * await app.register(idempotency, {
 *   scope: (request) => String(request.user.accountId),
 *   defaultMode: ({ method }) => (method === 'POST' || method === 'PATCH' ? 'optional' : 'off'),
 * });
 * app.post('/payments', { config: { faultline: { idempotency: 'required' } } }, handler);
 */
export const idempotency = fastifyPlugin(plugin, { fastify: '5.x', name: '@faultline/fastify/idempotency' });
