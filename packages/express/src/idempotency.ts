import type { ServerResponse } from 'node:http';
import {
  answerHeaders,
  checkIdempotencyKey,
  Idempotency,
  idempotencyKeyHeader,
  replayedHeader,
  type Claim,
  type IdempotencyOptions,
  type StoredAnswer,
} from '@faultline/idempotency';
import { contractOf, type ExpressRequest, type Middleware } from './request-state.js';

export interface IdempotencyMiddlewareOptions extends IdempotencyOptions {
  /** An engine of your own (shared with other code); otherwise one is built from the other options. */
  readonly idempotency?: Idempotency;
  /**
   * Whose keys a request uses: the tenant of its credential (an account, a
   * team, an API key), so one tenant never meets another's key or answer.
   * Runs when the middleware does, so put it after authentication.
   */
  readonly scope: (request: ExpressRequest) => string;
}

/** The two middlewares a route picks from, and the engine behind them. */
export interface IdempotencyMiddleware {
  /** A route that takes an `Idempotency-Key` when one is sent. */
  readonly optional: Middleware;
  /** A route that refuses a request without one (400 `missing_idempotency_key`). */
  readonly required: Middleware;
  readonly engine: Idempotency;
}

/**
 * Makes POSTs and PATCHes safe to retry: a request with an `Idempotency-Key`
 * claims it, runs once, and its answer (status, headers, body, errors
 * included) is stored; a repeat gets that answer again with
 * `Idempotent-Replayed: true` without running the handler; the key reused for
 * another request is a 422 `idempotency_key_reused`, a repeat while the first
 * still runs a 409 `idempotency_key_in_use` with `Retry-After`. The rules and
 * stores (memory, Redis, your database) are those of `@faultline/idempotency`.
 *
 * Put the route's middleware after authentication and body parsing: the key
 * is scoped to the caller and the request's fingerprint includes its body.
 *
 * @example
 * ```js
 * const keys = idempotency({ scope: (req) => req.apiKey });
 * app.post('/v1/payments', contract.json(), keys.required, createPayment);
 * app.patch('/v1/payments/:id', contract.json(), keys.optional, updatePayment);
 * ```
 */
export function idempotency(options: IdempotencyMiddlewareOptions): IdempotencyMiddleware {
  const engine = options.idempotency ?? new Idempotency(options);
  const { scope } = options;

  const admitFor =
    (required: boolean): Middleware =>
    (request, response, next) => {
      const { catalog, logger } = contractOf(request);
      const check = checkIdempotencyKey(request.headers[idempotencyKeyHeader], required, catalog, request.method ?? 'request');
      if (check.kind !== 'key') {
        next(check.kind === 'error' ? check.error : undefined);
        return;
      }
      const identity = {
        key: check.key,
        scope: scope(request),
        method: request.method ?? 'GET',
        path: request.originalUrl ?? request.url ?? '/',
        body: request.body,
      };
      engine.admitRequest(identity, catalog).then((admission) => {
        switch (admission.kind) {
          case 'execute':
            keepAnswer(engine, admission.claim, request, response);
            next();
            return;
          case 'replay':
            replay(response, admission.answer);
            return;
          default:
            if (admission.storeFailure !== undefined)
              logger(request).error({ err: admission.storeFailure.error, reqId: request.id }, admission.storeFailure.message);
            next(admission.error);
        }
      }, next);
    };
  return { optional: admitFor(false), required: admitFor(true), engine };
}

type End = ServerResponse['end'];
type Write = ServerResponse['write'];

/**
 * Holds the response's last write until its answer is stored, so a retry
 * that arrives the moment the client has its answer finds it. A response
 * written in parts (a stream) cannot be kept: its key is released, and a
 * retry runs the request again.
 */
function keepAnswer(engine: Idempotency, claim: Claim, request: ExpressRequest, response: ServerResponse): void {
  const end = response.end as (...args: unknown[]) => ServerResponse;
  const write = response.write as (...args: unknown[]) => boolean;
  let streamed = false;
  response.write = function writePart(this: ServerResponse, ...args: unknown[]): boolean {
    if (!streamed) {
      streamed = true;
      contractOf(request)
        .logger(request)
        .warn(
          { reqId: request.id },
          'An idempotent route answered with a stream, which cannot be replayed; its key was released',
        );
      engine.abandon(claim).catch(() => undefined);
    }
    return write.apply(this, args);
  } as Write;
  response.end = function endAnswer(this: ServerResponse, ...args: unknown[]): ServerResponse {
    if (streamed || claim.settled) return end.apply(this, args);
    const [chunk, encoding] = args;
    const answer = storedAnswer(response, chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : undefined);
    engine.finish(claim, answer).then(
      (outcome) => {
        if (outcome === 'lost')
          contractOf(request)
            .logger(request)
            .warn({ reqId: request.id }, 'The idempotency claim expired before the request finished; its answer was not stored');
        end.apply(this, args);
      },
      (error: unknown) => {
        contractOf(request)
          .logger(request)
          .error({ err: error, reqId: request.id }, 'Storing the answer of an idempotent request failed');
        end.apply(this, args);
      },
    );
    return this;
  } as End;
}

function storedAnswer(response: ServerResponse, chunk: unknown, encoding: BufferEncoding | undefined): StoredAnswer {
  const status = response.statusCode;
  const headers = answerHeaders(response.getHeaders());
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return { status, headers, body: '' };
  if (typeof chunk === 'string') {
    if (encoding === undefined || encoding === 'utf8' || encoding === 'utf-8') return { status, headers, body: chunk };
    return { status, headers, body: Buffer.from(chunk, encoding).toString('base64'), base64: true };
  }
  const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
  return { status, headers, body: bytes.toString('base64'), base64: true };
}

/**
 * Sends a stored answer again, marked `Idempotent-Replayed: true`: what the
 * middleware does for a repeated key, for a route that claims its keys itself.
 *
 * @example
 * ```js
 * const admission = await keys.engine.admit({ key, scope: req.apiKey, method: req.method, path: req.originalUrl, body: req.body });
 * if (admission.kind === 'replay') return replay(res, admission.answer);
 * ```
 */
export function replay(response: ServerResponse, answer: StoredAnswer): void {
  response.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) response.setHeader(name, value as string | string[]);
  response.setHeader(replayedHeader, 'true');
  if (answer.body === '' && answer.base64 !== true) {
    response.end();
    return;
  }
  response.end(answer.base64 === true ? Buffer.from(answer.body, 'base64') : answer.body);
}
