import type { IdempotencyMode } from '@faultline/idempotency';

/**
 * Which operations take an `Idempotency-Key`, in ONE place: every POST and
 * PATCH under /v1, optionally. The app's plugin, the shared errors and the
 * OpenAPI document all ask this.
 */
export function idempotencyModeOf(route: { readonly method: string; readonly url: string }): IdempotencyMode {
  const method = route.method.toUpperCase();
  return route.url.startsWith('/v1/') && (method === 'POST' || method === 'PATCH') ? 'optional' : 'off';
}

/** The longest a request may hold its key before the claim is presumed dead (the process was killed): 30 s. */
export const claimTtlMs = 30_000;
