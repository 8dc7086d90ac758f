import type { ApiError, Catalog } from '@faultline/core';
import type { Admission } from './idempotency.js';

/**
 * The catalog errors of idempotent requests, worded once for every adapter.
 * The catalog must hold the built-in codes `missing_idempotency_key`,
 * `invalid_idempotency_key`, `idempotency_key_reused`, `idempotency_key_in_use`
 * and `service_unavailable`.
 */
export const idempotencyErrors = {
  /** 400: the operation demands a key and none came. */
  missing(catalog: Catalog, method: string): ApiError {
    return catalog.error('missing_idempotency_key', {
      detail: `This ${method} needs an Idempotency-Key header: send a new unique key (a UUID, say) and the same one on every retry.`,
    });
  },
  /** 400: the header is not one key of 1 to 255 visible ASCII characters; `problem` as `readIdempotencyKey` words it. */
  malformed(catalog: Catalog, problem: string): ApiError {
    return catalog.error('invalid_idempotency_key', {
      detail: `The Idempotency-Key header ${problem}. Send one key of 1 to 255 visible ASCII characters, such as a UUID.`,
    });
  },
  /** 422 or 409, for an admission that does not run the request. */
  refused(catalog: Catalog, admission: Extract<Admission, { kind: 'reused' | 'in_progress' }>, now = Date.now()): ApiError {
    if (admission.kind === 'reused') {
      return catalog.error('idempotency_key_reused', {
        detail:
          'This Idempotency-Key was already used with a different request (method, path or body), so nothing was done. Use a new key for a new request; a retry must repeat the first request exactly.',
      });
    }
    return catalog.error('idempotency_key_in_use', {
      detail: `A request with this Idempotency-Key is still in progress, so this one was not run. Retry the same request after ${admission.retryAfterSeconds} s to get its answer.`,
      retryAt: new Date(now + admission.retryAfterSeconds * 1000),
    });
  },
  /** 503: the store could not be asked, so the request was refused before any work; a retry with the key is safe. */
  unavailable(catalog: Catalog, now = Date.now()): ApiError {
    return catalog.error('service_unavailable', {
      detail: 'Idempotency keys cannot be checked right now, so nothing was done. Try again shortly with the same key.',
      retryAt: new Date(now + 2000),
    });
  },
};
