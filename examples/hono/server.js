// The example API (examples/README.md) on Hono 4 with @faultline/hono, served on Node.js by @hono/node-server:
// notes kept in memory, one API key, a rate limit per key, idempotent writes. Start it with `npm run example -- hono`.
import { builtinCatalog, isProfileName } from '@faultline/core';
import { errorReferenceContentSecurityPolicy, errorReferencePage } from '@faultline/docs';
import { apiKeyAuth, faultline, loadShedding, validate } from '@faultline/hono';
import { jsonSchema } from '@faultline/hono/ajv';
import { guardServer } from '@faultline/hono/node';
import { idempotency } from '@faultline/hono/idempotency';
import { rateLimit } from '@faultline/hono/rate-limit';
import { MemoryIdempotencyStore } from '@faultline/idempotency';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOST ?? '127.0.0.1';
const apiKey = process.env.EXAMPLE_API_KEY ?? 'example-key';
const perMinute = Number(process.env.EXAMPLE_RATE_LIMIT ?? 100);
const profile = process.env.FAULTLINE_PROFILE ?? 'problem';
if (!isProfileName(profile)) {
  console.error(`FAULTLINE_PROFILE must be problem, classic, message or oauth, not "${profile}".`);
  process.exit(1);
}
const realm = 'example';

// Warnings and errors (a crash's full error) go to stderr; stdout has the one line that says it is ready.
const logger = {
  error: (fields, message) => console.error(message, fields),
  warn: (fields, message) => console.error(message, fields),
  debug: () => undefined,
};
const app = new Hono();
const settings = faultline(app, { profile, realm, bodyLimit: 64 * 1024, logger }); // before the routes
// 503 with Retry-After while the event loop lags more than a second behind.
app.use('*', loadShedding({ maxEventLoopDelayMs: 1000 }));

// 401 unauthorized_request without a key, invalid_api_key with a wrong one, each with its WWW-Authenticate challenge;
// keys are compared as SHA-256 digests in constant time: neither the content nor the length of the key leaks.
const authenticate = apiKeyAuth({ keys: [apiKey] });
// Authentication first, so the limit counts per key (there is one key here; a real app uses the key's id).
const limit = rateLimit({ policies: [{ name: 'per-key', limit: perMinute, windowMs: 60_000 }], key: () => 'example-key' });
// On the routes themselves, not on /v1/*: an unknown path or method is a 404 or 405 whoever asks.
const guarded = [authenticate, limit];
const keys = idempotency({ store: new MemoryIdempotencyStore(), scope: () => 'example-key' });

const note = {
  type: 'object',
  additionalProperties: false,
  properties: { title: { type: 'string', minLength: 1, maxLength: 200 }, body: { type: 'string', maxLength: 5000 } },
};
// Every error's `type` links here: the reference of every code, generated from the catalog.
const errorReference = errorReferencePage(builtinCatalog, { profile, docsUrl: '/docs/errors' });
app.get('/docs/errors', (c) =>
  c.body(errorReference, 200, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': errorReferenceContentSecurityPolicy,
  }),
);

const notes = new Map();
let lastId = 0;

function findNote(id) {
  const found = notes.get(id);
  if (found === undefined) throw builtinCatalog.error('not_found', { detail: `No note has the id "${id}".` });
  return found;
}

// JSON answers name their charset, as Fastify's and Express's do: the three examples answer byte for byte alike.
const json = (c, data, status = 200, headers = {}) =>
  c.json(data, status, { 'content-type': 'application/json; charset=utf-8', ...headers });

const v1 = new Hono();
v1.get('/notes', ...guarded, (c) => json(c, { data: [...notes.values()] }));
v1.post('/notes', ...guarded, validate('json', jsonSchema({ ...note, required: ['title'] })), keys, (c) => {
  const input = c.req.valid('json');
  const created = { id: `note_${++lastId}`, title: input.title, body: input.body ?? '' };
  notes.set(created.id, created);
  return json(c, created, 201, { location: `/v1/notes/${created.id}` });
});
v1.get('/notes/:id', ...guarded, (c) => json(c, findNote(c.req.param('id'))));
v1.patch('/notes/:id', ...guarded, validate('json', jsonSchema({ ...note, minProperties: 1 })), keys, (c) =>
  json(c, Object.assign(findNote(c.req.param('id')), c.req.valid('json'))),
);
v1.delete('/notes/:id', ...guarded, (c) => {
  findNote(c.req.param('id'));
  notes.delete(c.req.param('id'));
  return c.body(null, 204);
});
v1.get('/crash', ...guarded, () => {
  throw new Error('example crash');
});
app.route('/v1', v1);

const server = serve({ fetch: app.fetch, port, hostname }, (info) => {
  console.log(`Listening on http://${hostname}:${info.port}`);
});
// What never reaches Hono (headers too large, malformed HTTP, too many connections from one address) in the same format.
guardServer(server, settings);
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => server.close(() => process.exit(0)));
