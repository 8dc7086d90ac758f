// The servers the rate-limit benchmark loads, each in its own process (see
// child-server.js). Every kind but `static-429` is the same app: Faultline and
// one JSON route; the kinds differ only by the limiter in front of the route.
//   plain:              no limiter.
//   memory:             our rateLimitHook, in-memory store, a limit never reached.
//   redis URL:          our rateLimitHook with RedisStore, a limit never reached.
//   fastify-redis URL:  @fastify/rate-limit with its Redis store, a limit never reached.
//   shedding:           our loadShedding plugin, healthy (the reference API's npm start limits).
//   limited:            our rateLimitHook with a key already over its limit: every request is a 429.
//   static-429:         bare Fastify, a route that hand-writes a static 429, nothing else.
import Fastify from 'fastify';
import fastifyRateLimit from '@fastify/rate-limit';
import { Redis } from 'ioredis';
import { faultline, faultlineServerOptions, loadShedding, MemoryStore, RedisStore, rateLimitHook } from '@faultline/fastify';

const [kind, redisUrl] = process.argv.slice(2);
// Never reached in the allowed cases: every decision is the full work of admitting a request.
const roomy = { name: 'hourly', limit: 1_000_000_000, windowMs: 3_600_000 };
const item = { id: 42, name: 'Spring launch', status: 'draft' };
/** How many times our RedisStore moved to its local limiter (kind `redis`). */
let fallbacks = 0;

/** The ioredis settings both Redis limiters get (as in rate-limit.js): fail fast rather than queue while disconnected. */
const redisClientOptions = { enableOfflineQueue: false, maxRetriesPerRequest: 1 };

async function connect() {
  const client = new Redis(redisUrl, redisClientOptions);
  await new Promise((resolve, reject) => {
    client.once('ready', resolve);
    client.once('error', reject);
  });
  return client;
}

async function faultlineApp(addLimiter) {
  const app = Fastify({ ...faultlineServerOptions(), logger: false });
  await app.register(faultline, { profile: 'problem' });
  await addLimiter?.(app);
  app.get('/items/42', async () => item);
  return app;
}

async function start() {
  switch (kind) {
    case 'plain':
      return faultlineApp();
    case 'memory':
      return faultlineApp((app) =>
        app.addHook('onRequest', rateLimitHook({ catalog: app.faultline.catalog, policies: [roomy], store: new MemoryStore() })),
      );
    case 'redis': {
      const client = await connect();
      // A second's wait, as in rate-limit.js: a stall of this noisy machine must not hand decisions to the local
      // limiter, which would be faster than Redis; rate-limit.js asks how often it happened and refuses the figures.
      const store = new RedisStore({
        client,
        prefix: `bench:${process.pid}:`,
        timeoutMs: 1000,
        fallback: { onStateChange: (state) => void (state === 'fallback' && fallbacks++) },
      });
      const app = await faultlineApp((app) =>
        app.addHook('onRequest', rateLimitHook({ catalog: app.faultline.catalog, policies: [roomy], store })),
      );
      app.addHook('onClose', async () => void (await client.quit()));
      return app;
    }
    case 'fastify-redis': {
      const client = await connect();
      const app = await faultlineApp((app) =>
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
    case 'shedding':
      return faultlineApp((app) => app.register(loadShedding, { maxInFlight: 1000, maxEventLoopDelayMs: 200 }));
    case 'limited': {
      const app = await faultlineApp((app) =>
        app.addHook(
          'onRequest',
          rateLimitHook({ catalog: app.faultline.catalog, policies: [{ name: 'hourly', limit: 1, windowMs: 3_600_000 }] }),
        ),
      );
      // Spend the only unit, so every request the benchmark sends is refused.
      const first = await app.inject({ url: '/items/42' });
      if (first.statusCode !== 200) throw new Error(`The first request was answered ${first.statusCode}`);
      return app;
    }
    case 'static-429': {
      const app = Fastify({ logger: false });
      const body =
        '{"type":"/docs/errors#limit_reached","title":"Rate limit reached","status":429,"detail":"Rate limit reached.","code":"limit_reached"}';
      app.get('/items/42', (_request, reply) => {
        reply.code(429).header('retry-after', '3600').type('application/problem+json; charset=utf-8').send(body);
      });
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
