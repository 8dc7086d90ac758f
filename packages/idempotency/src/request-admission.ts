import type { ApiError, Catalog } from '@faultline/core';
import type { Claim } from './idempotency.js';
import { idempotencyErrors } from './idempotency-errors.js';
import { readIdempotencyKey } from './idempotency-key.js';
import type { StoredAnswer } from './stored-answer.js';

/** What a request's `Idempotency-Key` header means for its route; see {@link checkIdempotencyKey}. */
export type KeyCheck =
  /** No key, and the route does not demand one: run the request as usual. */
  | { readonly kind: 'skip' }
  /** A well-formed key: build the request's identity with it and admit it. */
  | { readonly kind: 'key'; readonly key: string }
  /** 400 `missing_idempotency_key` or `invalid_idempotency_key`: answer it, run nothing. */
  | { readonly kind: 'error'; readonly error: ApiError };

/** What to do with a request that carries a key; see `Idempotency.admitRequest`. */
export type RequestAdmission =
  /** The request holds the key: run it, then `Idempotency.finish` (or `abandon`). */
  | { readonly kind: 'execute'; readonly claim: Claim }
  /** The same request ran before: send this answer, marked `Idempotent-Replayed: true`, and run nothing. */
  | { readonly kind: 'replay'; readonly answer: StoredAnswer }
  /**
   * Answer with `error` and run nothing: 422 `idempotency_key_reused`, 409
   * `idempotency_key_in_use`, or 503 `service_unavailable` when the store
   * failed, which only the log can tell an operator: `storeFailure` says what
   * to log then.
   */
  | { readonly kind: 'error'; readonly error: ApiError; readonly storeFailure?: StoreFailure };

/** A store that failed while admitting a request: log `error` with `message`. */
export interface StoreFailure {
  readonly error: unknown;
  readonly message: string;
}

const skip: KeyCheck = Object.freeze({ kind: 'skip' });

/**
 * The first step of admitting a request, before anything else about it is
 * read: its `Idempotency-Key` header against its route's demand. A key sent
 * malformed is refused even where keys are optional (a client that sends one
 * means to be safe to retry). `method` names the request in the
 * `missing_idempotency_key` message. The second step, with a key, is
 * `Idempotency.admitRequest`.
 *
 * @example
 * const check = checkIdempotencyKey(request.headers['idempotency-key'], true, catalog, request.method);
 * if (check.kind === 'error') throw check.error; // 400
 * if (check.kind === 'key') {
 *   const identity = { key: check.key, scope: request.accountId, method: request.method, path: request.url, body: request.body };
 *   const admission = await idempotency.admitRequest(identity, catalog);
 * }
 */
export function checkIdempotencyKey(
  header: string | readonly string[] | undefined,
  required: boolean,
  catalog: Catalog,
  method: string,
): KeyCheck {
  const reading = readIdempotencyKey(header);
  if (reading.kind === 'key') return reading;
  if (reading.kind === 'malformed') return { kind: 'error', error: idempotencyErrors.malformed(catalog, reading.problem) };
  return required ? { kind: 'error', error: idempotencyErrors.missing(catalog, method) } : skip;
}

/** What an admission whose store failed answers, and says to the log. */
export function storeFailed(catalog: Catalog, error: unknown): RequestAdmission {
  return {
    kind: 'error',
    error: idempotencyErrors.unavailable(catalog),
    storeFailure: { error, message: 'The idempotency store failed; the request was refused before any work' },
  };
}
