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
import type { Context, MiddlewareHandler } from 'hono';
import { readJsonBody } from '../json-body.js';
import { requestHeader } from '../request-header.js';
import { settingsOf } from '../send-error.js';

declare module 'hono' {
  interface ContextVariableMap {
    /**
     * The claim this request holds on its `Idempotency-Key` while the handler
     * runs, on routes with the {@link idempotency} middleware and a key;
     * undefined otherwise.
     */
    idempotencyClaim: Claim | undefined;
  }
}

/** Options of {@link idempotency}. */
export interface IdempotencyMiddlewareOptions extends IdempotencyOptions {
  /** An engine of your own (shared by several routes, or with other code); otherwise one is built from the other options. */
  readonly idempotency?: Idempotency;
  /**
   * Whose keys a request uses: the tenant of its credential (a team, an
   * account), so one tenant never meets another's key or answer. Runs after
   * the middleware before it, so authentication has run.
   */
  readonly scope: (c: Context) => string;
  /** `optional` (default): a request without a key runs as usual. `required`: it is refused with 400. */
  readonly mode?: 'optional' | 'required';
}

/**
 * Makes a POST or PATCH safe to retry: a request with an `Idempotency-Key`
 * claims it, runs once, and its answer is stored; a repeat gets that answer
 * again with `Idempotent-Replayed: true`, without running the handler; the
 * key reused for another request is a 422 `idempotency_key_reused`, and a
 * repeat while the first still runs a 409 `idempotency_key_in_use` with
 * `Retry-After`. The rules and stores are those of `@faultline/idempotency`.
 *
 * Put it on the routes that take keys, after authentication (the scope is the
 * caller's). The request's JSON body is part of its fingerprint: read with
 * the contract's limits if no middleware before it has read it. The answer
 * must have a finite body (not an endless stream): it is read to be stored.
 *
 * @example
 * ```ts
 * const keys = idempotency({ store: new MemoryIdempotencyStore(), scope: (c) => c.var.accountId });
 * app.post('/v1/payments', authenticate, validate('json', payment), keys, async (c) => {
 *   const payment = await charge(c.req.valid('json'));
 *   return c.json(payment, 201);
 * });
 * ```
 */
export function idempotency(options: IdempotencyMiddlewareOptions): MiddlewareHandler {
  const engine = options.idempotency ?? new Idempotency(options);
  const { scope } = options;
  const required = options.mode === 'required';
  if (options.mode !== undefined && options.mode !== 'optional' && !required)
    throw new TypeError(`idempotency: mode must be optional or required, not "${String(options.mode)}".`);

  return async function idempotencyKey(c, next) {
    const { catalog, logger } = settingsOf(c);
    const check = checkIdempotencyKey(requestHeader(c, idempotencyKeyHeader), required, catalog, c.req.method);
    if (check.kind === 'skip') return next();
    if (check.kind === 'error') throw check.error;
    const body = await readJsonBody(c);
    const identity = { key: check.key, scope: scope(c), method: c.req.method, path: pathAndQuery(c.req.url), body };
    const admission = await engine.admitRequest(identity, catalog);
    if (admission.kind === 'replay') return replay(c, admission.answer);
    if (admission.kind === 'error') {
      if (admission.storeFailure !== undefined)
        logger.error({ err: admission.storeFailure.error, requestId: c.get('requestId') }, admission.storeFailure.message);
      throw admission.error;
    }

    const claim = admission.claim;
    c.set('idempotencyClaim', claim);
    await next();
    if (claim.settled) return;
    try {
      const outcome = await engine.finish(claim, await storedAnswer(c.res));
      if (outcome === 'lost')
        logger.warn(
          { requestId: c.get('requestId') },
          'The idempotency claim expired before the request finished; its answer was not stored',
        );
    } catch (error) {
      logger.error({ err: error, requestId: c.get('requestId') }, 'Storing the answer of an idempotent request failed');
    }
  };
}

/** A stored answer sent again, marked `Idempotent-Replayed: true`, with this request's own id and rate-limit fields. */
function replay(c: Context, answer: StoredAnswer): Response {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer.headers))
    headers[name] = typeof value === 'string' ? value : value.join(', ');
  headers[replayedHeader] = 'true';
  const status = answer.status as 200;
  if (answer.base64 === true) return c.body(fromBase64(answer.body), status, headers);
  if (answer.body === '') return c.body(null, status, headers);
  return c.body(answer.body, status, headers);
}

/** The answer as it will be sent, read from a copy so the client still gets the original. */
async function storedAnswer(response: Response): Promise<StoredAnswer> {
  const record: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => (record[name] = value));
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) record['set-cookie'] = cookies;
  const headers = answerHeaders(record);
  const bytes = new Uint8Array(await response.clone().arrayBuffer());
  try {
    return { status: response.status, headers, body: utf8.decode(bytes) };
  } catch {
    return { status: response.status, headers, body: toBase64(bytes), base64: true };
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let at = 0; at < binary.length; at++) bytes[at] = binary.charCodeAt(at);
  return bytes;
}

/** `/v1/things?x=1` of `https://host/v1/things?x=1`: what the client sent, as the fingerprint takes it. */
function pathAndQuery(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  return start === -1 ? '/' : url.slice(start);
}
