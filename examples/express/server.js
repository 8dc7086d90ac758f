// The example API (examples/README.md) on Express 5 with @faultline/express: notes kept in memory,
// one API key, a rate limit per key, idempotent writes. Start it with `npm run example -- express`.
import { builtinCatalog, isProfileName } from '@faultline/core';
import { errorReferenceContentSecurityPolicy, errorReferencePage } from '@faultline/docs';
import { apiKeyAuth, faultline, idempotency, loadShedding, rateLimit, validate } from '@faultline/express';
import { MemoryIdempotencyStore } from '@faultline/idempotency';
import express from 'express';

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

// Errors are logged as JSON lines on stderr (a crash's full error); stdout has the one line that says it is ready.
const contract = faultline({ profile, realm: 'example', bodyLimit: 64 * 1024 });
const app = express();
// The same headers as the other examples: no framework banner, no ETag on JSON answers.
app.disable('x-powered-by');
app.set('etag', false);
app.use(contract.start);
// 503 with Retry-After while the event loop lags more than a second behind.
app.use(loadShedding({ maxEventLoopDelayMs: 1000 }));

// The key is compared in constant time; the limit counts per key, so it runs after authentication.
const guard = [
  apiKeyAuth({
    keys: [apiKey],
    missing: 'Send an API key in the Authorization header: Bearer <key>.',
    invalid: 'The API key is not valid.',
  }),
  rateLimit({ policies: [{ name: 'per-key', limit: perMinute, windowMs: 60_000 }], key: () => 'example-key' }),
];
const keys = idempotency({ store: new MemoryIdempotencyStore(), scope: () => 'example-key' });

const note = {
  type: 'object',
  additionalProperties: false,
  properties: { title: { type: 'string', minLength: 1, maxLength: 200 }, body: { type: 'string', maxLength: 5000 } },
};
// Every error's `type` links here: the reference of every code, generated from the catalog.
const errorReference = errorReferencePage(builtinCatalog, { profile, docsUrl: '/docs/errors' });
app.get('/docs/errors', (_req, res) => {
  res.type('text/html; charset=utf-8').set('content-security-policy', errorReferenceContentSecurityPolicy).send(errorReference);
});

const notes = new Map();
let lastId = 0;

function findNote(id) {
  const found = notes.get(id);
  if (found === undefined) throw builtinCatalog.error('not_found', { detail: `No note has the id "${id}".` });
  return found;
}

// On the app rather than a Router: a Router answers OPTIONS itself (200 with Allow) before the contract's end.
app.get('/v1/notes', guard, (_req, res) => {
  res.json({ data: [...notes.values()] });
});
app.post('/v1/notes', guard, contract.json(), validate({ body: { ...note, required: ['title'] } }), keys.optional, (req, res) => {
  const created = { id: `note_${++lastId}`, title: req.body.title, body: req.body.body ?? '' };
  notes.set(created.id, created);
  res.status(201).location(`/v1/notes/${created.id}`).json(created);
});
app.get('/v1/notes/:id', guard, (req, res) => {
  res.json(findNote(req.params.id));
});
app.patch(
  '/v1/notes/:id',
  guard,
  contract.json(),
  validate({ body: { ...note, minProperties: 1 } }),
  keys.optional,
  (req, res) => {
    res.json(Object.assign(findNote(req.params.id), req.body));
  },
);
app.delete('/v1/notes/:id', guard, (req, res) => {
  findNote(req.params.id);
  notes.delete(req.params.id);
  res.status(204).end();
});
app.get('/v1/crash', guard, async () => {
  throw new Error('example crash');
});
app.use(contract.end);

const server = app.listen(port, host, () => {
  const { address, port: listening } = server.address();
  console.log(`Listening on http://${address}:${listening}`);
});
contract.attach(server);
// Closing finishes the requests in flight; a second signal while it does is the same request, not a new one.
let closing;
const close = () => (closing ??= new Promise((resolve) => server.close(resolve)).then(() => process.exit(0)));
process.on('SIGTERM', close);
process.on('SIGINT', close);
