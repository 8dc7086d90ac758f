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

/**
 * Write operations whose answers hold no secret, only what the database keeps
 * in the clear anyway (a campaign, a user, a recipients count): their stored
 * answers are plain, which spares each such request the cipher (about 10 µs
 * of CPU, a tenth of what a key costs it). Every other answer is
 * sealed, above all those that show a secret once: a new API key
 * (`POST /v1/api-keys`), a session token (`POST /v1/sessions`), a client
 * secret (`POST /v1/oauth-apps`). A route missing here is sealed, so the
 * mistake this list allows is a slower key, never a readable secret; the
 * every-write test holds each answer's secrets out of the records.
 */
const answersWithoutSecrets = new Set([
  'POST /v1/users',
  'PATCH /v1/users/:id',
  'POST /v1/campaigns',
  'PATCH /v1/campaigns/:id',
  'POST /v1/campaigns/:id/pause',
  'POST /v1/campaigns/:id/resume',
  'POST /v1/campaigns/:id/recipients',
]);

/** Whether a route's stored answers are sealed: all but {@link answersWithoutSecrets}. */
export function sealsAnswerOf(route: { readonly method: string; readonly url: string }): boolean {
  return !answersWithoutSecrets.has(`${route.method.toUpperCase()} ${route.url}`);
}
