// The example API (examples/README.md) on Fastify 5 with @faultline/fastify: notes kept in memory,
// one API key, a rate limit per key, idempotent writes. Start it with `npm run example -- fastify`.
import { createHash, timingSafeEqual } from 'node:crypto';
import { builtinCatalog, isProfileName } from '@faultline/core';
import { errorReferenceContentSecurityPolicy, errorReferencePage } from '@faultline/docs';
import {
  bearerChallenge,
  faultline,
  faultlineServerOptions,
  idempotency,
  loadShedding,
  rateLimitHook,
  wwwAuthenticate,
} from '@faultline/fastify';
import { MemoryIdempotencyStore } from '@faultline/idempotency';
import Fastify from 'fastify';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const apiKey = process.env.EXAMPLE_API_KEY ?? 'example-key';
const perMinute = Number(process.env.EXAMPLE_RATE_LIMIT ?? 100);
const profile = process.env.FAULTLINE_PROFILE ?? 'problem';
if (!isProfileName(profile)) {
  console.error(`FAULTLINE_PROFILE must be problem, classic, message or oauth, not "${profile}".`);
  process.exit(1);
}
if (!(Number.isInteger(perMinute) && perMinute > 0)) {
  console.error(
    `EXAMPLE_RATE_LIMIT must be a whole number of requests per minute, 1 or more, not "${process.env.EXAMPLE_RATE_LIMIT}".`,
  );
  process.exit(1);
}
const realm = 'example';

// The log goes to stderr (warnings and errors: a crash's full error), stdout has the one line that says it is ready.
const app = Fastify({ ...faultlineServerOptions({ bodyLimit: 64 * 1024 }), logger: { level: 'warn', stream: process.stderr } });
await app.register(faultline, { profile, realm });
// 503 with Retry-After while the event loop lags more than a second behind.
await app.register(loadShedding, { maxEventLoopDelayMs: 1000 });

// Keys are compared as SHA-256 digests in constant time: neither the content nor the length of the key leaks.
const digest = (text) => createHash('sha256').update(text).digest();
const expectedKey = digest(apiKey);
const missingKey = builtinCatalog.error('unauthorized_request', {
  detail: 'Send an API key in the Authorization header: Bearer <key>.',
  headers: { 'www-authenticate': wwwAuthenticate([bearerChallenge({ realm })]) },
});
const wrongKey = builtinCatalog.error('invalid_api_key', {
  detail: 'The API key is not valid.',
  headers: { 'www-authenticate': wwwAuthenticate([bearerChallenge({ realm, error: 'invalid_token' })]) },
});

function authenticate(request, _reply, done) {
  const match = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '');
  if (match === null) return done(missingKey);
  done(timingSafeEqual(digest(match[1]), expectedKey) ? undefined : wrongKey);
}

const note = {
  type: 'object',
  additionalProperties: false,
  properties: { title: { type: 'string', minLength: 1, maxLength: 200 }, body: { type: 'string', maxLength: 5000 } },
};
// Every error's `type` links here: the reference of every code, generated from the catalog.
const errorReference = errorReferencePage(builtinCatalog, { profile, docsUrl: '/docs/errors' });
app.get('/docs/errors', (_request, reply) =>
  reply
    .type('text/html; charset=utf-8')
    .header('content-security-policy', errorReferenceContentSecurityPolicy)
    .send(errorReference),
);

const notes = new Map();
let lastId = 0;

function findNote(id) {
  const found = notes.get(id);
  if (found === undefined) throw builtinCatalog.error('not_found', { detail: `No note has the id "${id}".` });
  return found;
}

await app.register(
  async (v1) => {
    // Authentication first, so the limit counts per key (there is one key here; a real app returns the key's id).
    v1.addHook('onRequest', authenticate);
    v1.addHook(
      'onRequest',
      rateLimitHook({
        catalog: builtinCatalog,
        policies: [{ name: 'per-key', limit: perMinute, windowMs: 60_000 }],
        key: () => 'example-key',
      }),
    );
    await v1.register(idempotency, {
      store: new MemoryIdempotencyStore(),
      scope: () => 'example-key',
      defaultMode: ({ method }) => (method === 'POST' || method === 'PATCH' ? 'optional' : 'off'),
    });

    v1.get('/notes', async () => ({ data: [...notes.values()] }));
    v1.post('/notes', { schema: { body: { ...note, required: ['title'] } } }, async (request, reply) => {
      const created = { id: `note_${++lastId}`, title: request.body.title, body: request.body.body ?? '' };
      notes.set(created.id, created);
      return reply.code(201).header('location', `/v1/notes/${created.id}`).send(created);
    });
    v1.get('/notes/:id', async (request) => findNote(request.params.id));
    v1.patch('/notes/:id', { schema: { body: { ...note, minProperties: 1 } } }, async (request) =>
      Object.assign(findNote(request.params.id), request.body),
    );
    v1.delete('/notes/:id', async (request, reply) => {
      findNote(request.params.id);
      notes.delete(request.params.id);
      return reply.code(204).send();
    });
    v1.get('/crash', async () => {
      throw new Error('example crash');
    });
  },
  { prefix: '/v1' },
);

const address = await app.listen({ port, host });
console.log(`Listening on ${address}`);
// Closing finishes the requests in flight; a second signal while it does is the same request, not a new one.
let closing;
const close = () => (closing ??= app.close().then(() => process.exit(0)));
process.on('SIGTERM', close);
process.on('SIGINT', close);
