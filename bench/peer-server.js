// The servers of the peer-stack benchmark (peers.js), each in its own process
// (see child-server.js). Each pair is the same small app, one built on
// Faultline, the other on the stack a user would install instead: Fastify
// with @fastify/sensible for errors, @fastify/rate-limit for limits and
// @fastify/bearer-auth for API keys. Every limit is one a benchmark never
// reaches, except in the `-429` kinds, whose only client is already over it.
//   floor:                 bare Fastify, a route that hand-writes a static 404 body, nothing else.
//   fastify:               Fastify + @fastify/sensible: /items/42, and /throws throwing httpErrors.notFound().
//   faultline:             Fastify + faultline: /items/42, and /throws throwing the catalog's not_found.
//   {fastify,faultline}-memory       the Faultline app with @fastify/rate-limit or rateLimitHook, counts in memory
//                                    (the same app, so only the limiter differs).
//   {fastify,faultline}-redis URL    the same, counts in Redis.
//   {fastify,faultline}-429          fastify or faultline plus a rate limiter whose only client has spent its allowance.
//   bearer-auth:           Fastify + @fastify/sensible + @fastify/bearer-auth in front of /v1/me.
import Fastify from 'fastify';
import fastifyBearerAuth from '@fastify/bearer-auth';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySensible from '@fastify/sensible';
import { Redis } from 'ioredis';
import { faultline, faultlineServerOptions, MemoryStore, RedisStore, rateLimitHook } from '@faultline/fastify';

const [kind, redisUrl] = process.argv.slice(2);
const item = { id: 42, name: 'Spring launch', status: 'draft' };
const roomy = { name: 'hourly', limit: 1_000_000_000, windowMs: 3_600_000 };
const spent = { name: 'hourly', limit: 1, windowMs: 3_600_000 };
/** How many times our RedisStore moved to its local limiter; peers.js refuses figures that are not Redis. */
let fallbacks = 0;

/** The ioredis settings both Redis limiters get (as in rate-limit.js): fail fast rather than queue while disconnected. */
async function connect() {
  const client = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  await new Promise((resolve, reject) => {
    client.once('ready', resolve);
    client.once('error', reject);
  });
  return client;
}

async function fastifyApp(addLimiter) {
  const app = Fastify({ logger: false });
  await app.register(fastifySensible);
  await addLimiter?.(app);
  app.get('/items/42', async () => item);
  app.get('/throws', async () => {
    throw app.httpErrors.notFound('No item 7.');
  });
  return app;
}

/** The Faultline app; `addLimiter` puts a peer's limiter in front of its routes instead of ours. */
async function faultlineApp(policy, store, addLimiter) {
  const app = Fastify({ ...faultlineServerOptions(), logger: false });
  await app.register(faultline);
  await addLimiter?.(app);
  if (policy !== undefined)
    app.addHook('onRequest', rateLimitHook({ catalog: app.faultline.catalog, policies: [policy], store }));
  app.get('/items/42', async () => item);
  app.get('/throws', async () => {
    throw app.faultline.catalog.error('not_found', { detail: 'No item 7.' });
  });
  return app;
}

/** Spends the only unit of a `-429` app, so every request the benchmark sends is refused. */
async function spend(app) {
  const first = await app.inject({ url: '/items/42', remoteAddress: '127.0.0.1' });
  if (first.statusCode !== 200) throw new Error(`The first request was answered ${first.statusCode}`);
  return app;
}

async function start() {
  switch (kind) {
    case 'floor': {
      const app = Fastify({ logger: false });
      const body = '{"statusCode":404,"error":"Not Found","message":"Route GET:/no/such/route not found"}';
      app.get('/no/such/route', (_request, reply) => {
        reply.code(404).type('application/json; charset=utf-8').send(body);
      });
      return app;
    }
    case 'fastify':
      return fastifyApp();
    case 'faultline':
      return faultlineApp();
    case 'fastify-memory':
      return faultlineApp(undefined, undefined, (app) =>
        app.register(fastifyRateLimit, { max: roomy.limit, timeWindow: roomy.windowMs }),
      );
    case 'faultline-memory':
      return faultlineApp(roomy, new MemoryStore());
    case 'fastify-429':
      return spend(await fastifyApp((app) => app.register(fastifyRateLimit, { max: spent.limit, timeWindow: spent.windowMs })));
    case 'faultline-429':
      return spend(await faultlineApp(spent, new MemoryStore()));
    case 'fastify-redis': {
      const client = await connect();
      const app = await faultlineApp(undefined, undefined, (app) =>
        app.register(fastifyRateLimit, {
          max: roomy.limit,
          timeWindow: roomy.windowMs,
          redis: client,
          nameSpace: `bench:${process.pid}:`,
        }),
      );
      app.addHook('onClose', async () => void (await client.quit()));
      return app;
    }
    case 'faultline-redis': {
      const client = await connect();
      // A second's wait, as in rate-limit.js: a stall of this noisy machine must not hand decisions to the local limiter.
      const store = new RedisStore({
        client,
        prefix: `bench:${process.pid}:`,
        timeoutMs: 1000,
        fallback: { onStateChange: (state) => void (state === 'fallback' && fallbacks++) },
      });
      const app = await faultlineApp(roomy, store);
      app.addHook('onClose', async () => void (await client.quit()));
      return app;
    }
    case 'bearer-auth': {
      const app = Fastify({ logger: false });
      await app.register(fastifySensible);
      await app.register(fastifyBearerAuth, { keys: new Set(['a-long-random-api-key-of-the-demo-team']) });
      app.get('/v1/me', async () => ({ id: 'usr_1' }));
      return app;
    }
    default:
      throw new Error(`Unknown server kind "${kind}".`);
  }
}

const app = await start();
await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${app.server.address().port}\n`);
process.on('message', (message) => {
  if (message === 'cpu-usage') process.send?.(process.cpuUsage());
  if (message === 'fallbacks') process.send?.(fallbacks);
  // Closed on request, so the Redis clients are gone before the benchmark stops redis-server.
  if (message === 'close') void app.close().then(() => process.send?.('closed'));
});
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
