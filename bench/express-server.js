// The servers of the Express benchmark (express.js), each in its own process (see child-server.js).
// Each pair is the same small Express 5 app, one with @faultline/express, the other with what an
// Express app has without it: Express's own 404 and error handler, and express-rate-limit.
//   express:               bare Express 5: /items/42, and /throws passing an error with status 404 to next().
//   faultline:             the same app with the contract: /throws throws the catalog's not_found.
//   express-rate-limit:    the Faultline app with express-rate-limit in front of /items/42 (memory store).
//   faultline-rate-limit:  the Faultline app with rateLimit (MemoryStore) in front of /items/42.
//   {express,faultline}-429: the same two apps, whose only client has spent its allowance.
// The limiters sit in the same app, so only the limiter differs between them.
// Every limit is one a benchmark never reaches, except in the `-429` kinds.
import express from 'express';
import { rateLimit as expressRateLimit } from 'express-rate-limit';
import { faultline, rateLimit } from '@faultline/express';

const [kind] = process.argv.slice(2);
const item = { id: 42, name: 'Spring launch', status: 'draft' };
const roomy = { name: 'hourly', limit: 1_000_000_000, windowMs: 3_600_000 };
const spent = { name: 'hourly', limit: 1, windowMs: 3_600_000 };

/** Express's own error handling, as a production app runs it (no stack in the page). */
function expressApp() {
  // Express's handler also prints every error's stack to stderr, 404s included: silenced here, so the
  // table stays readable, which leaves Express's figures at their best.
  console.error = () => undefined;
  const app = express();
  app.set('env', 'production');
  app.get('/items/42', (_req, res) => void res.json(item));
  app.get('/throws', (_req, _res, next) => next(Object.assign(new Error('No item 7.'), { status: 404 })));
  return app;
}

function faultlineApp(limiter) {
  // Nothing is logged on these paths (404s and 429s are expected errors); the logger is never called.
  const contract = faultline({ logger: { error: () => undefined, warn: () => undefined } });
  const app = express();
  app.use(contract.start);
  if (limiter !== undefined) app.use('/items/42', limiter);
  app.get('/items/42', (_req, res) => void res.json(item));
  app.get('/throws', () => {
    throw contract.settings.catalog.error('not_found', { detail: 'No item 7.' });
  });
  app.use(contract.end);
  return { app, contract };
}

/** The express-rate-limit a user would add: draft-8 `RateLimit` headers, no legacy ones, one policy. */
const theirLimiter = (policy) =>
  expressRateLimit({ windowMs: policy.windowMs, limit: policy.limit, standardHeaders: 'draft-8', legacyHeaders: false });
const ourLimiter = (policy) => rateLimit({ policies: [policy] });

function start() {
  switch (kind) {
    case 'express':
      return { app: expressApp() };
    case 'faultline':
      return faultlineApp();
    case 'express-rate-limit':
      return faultlineApp(theirLimiter(roomy));
    case 'faultline-rate-limit':
      return faultlineApp(ourLimiter(roomy));
    case 'express-429':
      return { ...faultlineApp(theirLimiter(spent)), spend: true };
    case 'faultline-429':
      return { ...faultlineApp(ourLimiter(spent)), spend: true };
    default:
      throw new Error(`Unknown server kind "${kind}".`);
  }
}

const { app, contract, spend } = start();
const server = app.listen(0, '127.0.0.1', async () => {
  contract?.attach(server);
  const { port } = server.address();
  // A -429 server's only client (127.0.0.1) spends its one unit before the benchmark starts.
  if (spend) {
    const first = await fetch(`http://127.0.0.1:${port}/items/42`);
    if (first.status !== 200) throw new Error(`The first request was answered ${first.status}`);
  }
  process.stdout.write(`${port}\n`);
});
process.on('message', (message) => {
  if (message === 'cpu-usage') process.send?.(process.cpuUsage());
  if (message === 'close') server.close(() => process.send?.('closed'));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
