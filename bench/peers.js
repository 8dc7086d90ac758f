// Faultline against the stack a user would install instead (issue #16):
// Fastify with @fastify/sensible, @fastify/rate-limit, @fastify/bearer-auth
// and rate-limiter-flexible, and against the floor, a hand-written static
// reply. Every figure is a ratio of two contenders measured side by side in
// one run: rounds interleave every server (the order reversed every other
// round) and each row keeps the median of its per-round ratios, with the
// lowest and highest, so the noise of a shared machine shows.
//   HTTP rows:   requests/s (ours / theirs) and server CPU per request (theirs / ours), 50 connections.
//   Redis:       decisions/s of RedisStore vs RateLimiterRedis, 100 in flight.
//   memory:      bytes per tracked key at 1 million keys, each store in a process of its own.
//   client:      @faultline/client's wall time per GET / plain fetch's, sequential and at concurrency 10.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pinned, startChildServer } from './child-server.js';
import { measureClientOverhead } from './client-overhead.js';
import { redisDecisions, startPinnedRedis } from './rate-limit.js';
import { connections, httpRows, median, printRows, rounds, seconds, spread } from './side-by-side.js';

const memoryKeys = Number(process.env.BENCH_MEMORY_KEYS ?? 1_000_000);
/** Bytes per key of one store at `memoryKeys` keys, measured in a fresh process (see store-memory.js). */
function bytesPerKey(kind) {
  const script = fileURLToPath(new URL('./store-memory.js', import.meta.url));
  const printed = execFileSync(process.execPath, ['--expose-gc', script, kind, String(memoryKeys)], { encoding: 'utf8' });
  const { bytesPerKey: bytes, tracked } = JSON.parse(printed);
  if (tracked !== memoryKeys) throw new Error(`The ${kind} store tracked ${tracked} keys, not ${memoryKeys}`);
  return bytes;
}

/** Prints the peer table; resolves with whether every target was met. */
export async function peers() {
  const started = [];
  const redis = await startPinnedRedis();
  const rows = [];
  try {
    const server = async (script, kind, path, status, name) => {
      const child = await startChildServer(script, kind, redis.url);
      started.push(child);
      return { name, url: `http://127.0.0.1:${child.port}${path}`, status, server: child };
    };
    const peer = (kind, path, status, name) => server('./peer-server.js', kind, path, status, name);
    const floor = await peer('floor', '/no/such/route', 404, 'hand-written static 404');
    const fastifyServer = await peer('fastify', '/no/such/route', 404, "Fastify's default 404");
    const faultlineServer = await peer('faultline', '/no/such/route', 404, 'Faultline 404');
    const sensibleThrow = {
      ...fastifyServer,
      url: fastifyServer.url.replace('/no/such/route', '/throws'),
      name: '@fastify/sensible thrown 404',
    };
    const faultlineThrow = {
      ...faultlineServer,
      url: faultlineServer.url.replace('/no/such/route', '/throws'),
      name: 'Faultline thrown 404',
    };
    const fastifyMemory = await peer('fastify-memory', '/items/42', 200, '@fastify/rate-limit (memory), same app');
    const faultlineMemory = await peer('faultline-memory', '/items/42', 200, 'rateLimitHook, MemoryStore');
    const fastifyRedis = await peer('fastify-redis', '/items/42', 200, '@fastify/rate-limit (Redis), same app');
    const faultlineRedis = await peer('faultline-redis', '/items/42', 200, 'rateLimitHook, RedisStore');
    const fastify429 = await peer('fastify-429', '/items/42', 429, "@fastify/rate-limit's 429");
    const faultline429 = await peer('faultline-429', '/items/42', 429, 'rateLimitHook 429');
    const bearer = await peer('bearer-auth', '/v1/me', 401, "@fastify/bearer-auth's 401");
    const referenceApi = await server('./target-server.js', 'reference-api', '/v1/me', 401, 'reference API 401');
    const pairs = [
      ['unknown route 404', faultlineServer, fastifyServer, 1.0],
      ['unknown route 404, vs the floor', faultlineServer, floor, 0.85],
      ['a thrown catalog error', faultlineThrow, sensibleThrow, 1.2],
      ['allowed through the limiter, memory', faultlineMemory, fastifyMemory, 1.1],
      ['allowed through the limiter, Redis', faultlineRedis, fastifyRedis, 1.5],
      ['429 flood', faultline429, fastify429, 1.2],
      ['401 without credentials', referenceApi, bearer, 1.0],
    ];
    rows.push(
      ...(await httpRows(pairs, async () => {
        if ((await faultlineRedis.server.ask('fallbacks')) !== 0) {
          throw new Error('RedisStore fell back to its local limiter during the HTTP runs: the figures are not Redis');
        }
      })),
    );
    await Promise.all(started.map((child) => child.ask('close').catch(() => undefined)));

    const [theirRedis, ourRedis] = await redisDecisions(redis.url);
    rows.push({
      what: 'Redis decisions/s, 100 in flight',
      versus: 'rate-limiter-flexible RateLimiterRedis',
      target: 1.3,
      rate: spread(ourRedis.samples.map((value, i) => value / theirRedis.samples[i])),
      figures: `${ourRedis.value.toFixed(0)} vs ${theirRedis.value.toFixed(0)} decisions/s`,
    });
  } finally {
    for (const child of started) child.stop();
    await redis.close();
  }

  // Memory: one measure each (a heap after a million inserts varies little); the target is an upper bound.
  const ours = bytesPerKey('faultline');
  for (const [kind, name] of [
    ['flexible', "rate-limiter-flexible's RateLimiterMemory"],
    ['fastify', "@fastify/rate-limit's store"],
  ]) {
    const theirs = bytesPerKey(kind);
    const ratio = ours / theirs;
    rows.push({
      what: `memory per key at ${memoryKeys / 1e6}M keys`,
      versus: name,
      target: 0.5,
      lowerIsBetter: true,
      rate: { median: ratio, min: ratio, max: ratio },
      figures: `${ours.toFixed(0)} vs ${theirs.toFixed(0)} bytes/key`,
    });
  }

  // The client: wall time per request over plain fetch's (lower is better); its CPU ratio for reference.
  const client = await measureClientOverhead();
  for (const [concurrency, [fetchRuns, clientRuns]] of client) {
    const wall = (runs) => median(runs.map((r) => r.wall));
    rows.push({
      what: `@faultline/client, ${concurrency === 1 ? 'sequential' : `concurrency ${concurrency}`}`,
      versus: 'plain fetch + res.json()',
      target: 1.05,
      lowerIsBetter: true,
      rate: spread(clientRuns.map((r, i) => r.wall / fetchRuns[i].wall)),
      cpu: spread(clientRuns.map((r, i) => r.cpu / fetchRuns[i].cpu)),
      figures: `${wall(clientRuns).toFixed(1)} vs ${wall(fetchRuns).toFixed(1)} µs/req`,
    });
  }

  return printRows(
    `\nFaultline vs the peer stack (issue #16): ${rounds} interleaved rounds, medians of per-round ratios [lowest–highest]; ` +
      `HTTP ${seconds}s a round, ${connections} connections${pinned ? ', servers on the other core than the load' : ''}.`,
    'HTTP: req/s ratio = ours / theirs, CPU ratio = their CPU per request / ours: above 1 is better, and the worse of the two decides.\n' +
      'Memory and client: ours / theirs, below 1 is better; the client is judged on wall time (its CPU ratio is shown for reference).',
    rows,
  );
}
