// The servers of the Hono benchmark (hono.js), each in its own process (see child-server.js), served by
// @hono/node-server. Each pair is the same small app, one answering through @faultline/hono, the other the way a
// Hono app usually does: HTTPException and its getResponse() in app.onError, Hono's own notFound, and
// hono-rate-limiter for limits. The limits are ones the benchmark never reaches.
//   hono:               Hono's defaults: /no/such/route is its 404, /throws throws HTTPException(404).
//   faultline:          faultline(app): /no/such/route is not_found, /throws throws the catalog's not_found.
//   hono-limiter:       the faultline app with hono-rate-limiter (memory, draft-7 headers) in front of /items/42.
//   faultline-limiter:  the same app with rateLimit() of @faultline/hono (memory) instead.
import { serve } from '@hono/node-server';
import { builtinCatalog } from '@faultline/core';
import { faultline } from '@faultline/hono';
import { rateLimit } from '@faultline/hono/rate-limit';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { rateLimiter } from 'hono-rate-limiter';

const [kind] = process.argv.slice(2);
const item = { id: 42, name: 'Spring launch', status: 'draft' };
const roomy = { name: 'hourly', limit: 1_000_000_000, windowMs: 3_600_000 };
const quiet = { error: () => undefined, warn: () => undefined, debug: () => undefined };

function honoApp() {
  const app = new Hono();
  app.onError((error, c) => (error instanceof HTTPException ? error.getResponse() : c.text('Internal Server Error', 500)));
  app.get('/items/42', (c) => c.json(item));
  app.get('/throws', () => {
    throw new HTTPException(404, { message: 'No item 7.' });
  });
  return app;
}

/** The Faultline app; `limiter` goes in front of its routes. */
function faultlineApp(limiter) {
  const app = new Hono();
  faultline(app, { logger: quiet });
  if (limiter !== undefined) app.use('*', limiter);
  app.get('/items/42', (c) => c.json(item));
  app.get('/throws', () => {
    throw builtinCatalog.error('not_found', { detail: 'No item 7.' });
  });
  return app;
}

function start() {
  switch (kind) {
    case 'hono':
      return honoApp();
    case 'faultline':
      return faultlineApp();
    case 'hono-limiter':
      return faultlineApp(
        rateLimiter({ windowMs: roomy.windowMs, limit: roomy.limit, standardHeaders: 'draft-7', keyGenerator: () => 'bench' }),
      );
    case 'faultline-limiter':
      return faultlineApp(rateLimit({ policies: [roomy], key: () => 'bench' }));
    default:
      throw new Error(`Unknown server kind "${kind}".`);
  }
}

const server = serve({ fetch: start().fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`${info.port}\n`);
});
process.on('message', (message) => {
  if (message === 'cpu-usage') process.send?.(process.cpuUsage());
  if (message === 'close') server.close(() => process.send?.('closed'));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
