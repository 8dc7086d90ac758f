/**
 * The documented answers no test reaches, each with the reason: the one place
 * the observed-answers check (observed-answers.check.ts) reads them from. A
 * key is `status code` for a code of a shared mechanism, or
 * `METHOD /path status code` for a code a route's handler throws.
 */

// A write of a campaign that lost its race to another writer more times in a row than the
// route retries (campaign-routes.ts, maxAttempts): only more than 20 writers of one campaign
// at the same instant lose that often, which no test can arrange without slowing the database.
const lostRace =
  'Answered when a write loses its race to other writers of the same campaign 20 times in a row; no test can make that happen on a real database; racing writes are tested to succeed by retrying instead (campaign-conditional-requests.test.ts, racing PATCHes; hostile-input.test.ts, two pauses at once).';

export const unreachedAnswers: Readonly<Record<string, string>> = {
  '500 internal_error':
    'Every failure a test can cause on the reference API has a catalog code of its own; the 500 writer itself is tested in packages/fastify (unexpected-error.test.ts) with a route made to throw, which the reference API has no way to do short of breaking its own code.',
  '408 request_timeout':
    'Written on the socket by the HTTP server when headers or a body arrive too slowly, before any route or hook runs, so the recording onSend hook never sees it; real slow sockets get it in packages/fastify/test/slow-clients.test.ts and apps/reference-api/test/slow-clients.test.ts.',
  'DELETE /v1/campaigns/{id} 409 conflict': lostRace,
  'PATCH /v1/campaigns/{id} 409 conflict': lostRace,
  'POST /v1/campaigns/{id}/pause 409 conflict': lostRace,
  'POST /v1/campaigns/{id}/resume 409 conflict': lostRace,
};
