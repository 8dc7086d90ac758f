// The rate limiter against its peers, measured side by side in one run and
// reported as ratios (machines are shared and noisy: only figures measured
// together mean anything; rounds alternate the contenders and medians are kept).
//   in-memory decisions/s:  MemoryStore.consume vs rate-limiter-flexible's RateLimiterMemory.consume.
//   Redis decisions/s:      RedisStore vs RateLimiterRedis, 100 decisions in flight, same ioredis settings.
//   HTTP, allowed:          rateLimitHook (memory) vs the same app without it; with RedisStore vs
//                           @fastify/rate-limit with its Redis store.
//   HTTP, healthy:         loadShedding (in-flight and event-loop limits) vs the same app without it.
//   HTTP, 429 flood:        rateLimitHook on a key over its limit vs a bare route answering a static 429.
// HTTP figures are requests/s and the server's CPU per request; the verdict takes the worse of the two.
import { execFileSync } from 'node:child_process';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { MemoryStore, RedisStore } from '@faultline/fastify';
import { startRedisServer } from '@faultline/test-services';
import { pinned, startChildServer } from './child-server.js';
import { connections, load, median, rounds, seconds } from './side-by-side.js';

const decisionSeconds = Number(process.env.BENCH_DECISION_SECONDS ?? 1);
const redisConcurrency = 100;
const keyCount = 10_000;
const keys = Array.from({ length: keyCount }, (_, index) => `user-${index}`);
// One policy for every contender, never reached: each decision is the full work of admitting a request.
const policy = { name: 'burst', limit: 100_000, windowMs: 1000 };
const flexiblePolicy = { points: policy.limit, duration: policy.windowMs / 1000 };
/** The ioredis settings both Redis limiters get (as in rate-limit-server.js): fail fast rather than queue while disconnected. */
const redisClientOptions = { enableOfflineQueue: false, maxRetriesPerRequest: 1 };

/** Decisions per second of `decideBatch(keysOfBatch)` over `decisionSeconds`, 1,000 keys a batch. */
async function decisionsPerSecond(decideBatch) {
  const batch = 1000;
  let done = 0;
  let next = 0;
  const start = performance.now();
  const end = start + decisionSeconds * 1000;
  while (performance.now() < end) {
    await decideBatch(next, batch);
    next = (next + batch) % keyCount;
    done += batch;
  }
  return done / ((performance.now() - start) / 1000);
}

/** Decisions per second with `concurrency` callers each awaiting one decision after another. */
async function concurrentDecisionsPerSecond(decide, concurrency) {
  let done = 0;
  const start = performance.now();
  const end = start + decisionSeconds * 1000;
  const worker = async (offset) => {
    for (let index = offset; performance.now() < end; index += concurrency) {
      await decide(keys[index % keyCount]);
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, offset) => worker(offset)));
  return done / ((performance.now() - start) / 1000);
}

/** Runs each contender `rounds` times, alternating which goes first; every sample of each. */
async function alternate(contenders, measure) {
  const samples = contenders.map(() => []);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? contenders.map((_, i) => i) : contenders.map((_, i) => contenders.length - 1 - i);
    for (const index of order) samples[index].push(await measure(contenders[index]));
  }
  return samples;
}

async function inMemoryDecisions() {
  const ours = new MemoryStore();
  const flexible = new RateLimiterMemory(flexiblePolicy);
  const policies = [policy];
  const contenders = [
    {
      name: 'rate-limiter-flexible RateLimiterMemory',
      run: () =>
        decisionsPerSecond((from, count) => {
          const pending = [];
          for (let i = 0; i < count; i++) pending.push(flexible.consume(keys[from + i]));
          return Promise.all(pending);
        }),
    },
    {
      name: 'Faultline MemoryStore',
      run: () =>
        decisionsPerSecond(async (from, count) => {
          for (let i = 0; i < count; i++) if (!ours.consume(keys[from + i], policies, 1)[0].allowed) throw new Error('refused');
        }),
    },
  ];
  for (const c of contenders) await c.run(); // warm-up
  const samples = await alternate(contenders, (c) => c.run());
  return contenders.map((c, i) => ({ name: c.name, value: median(samples[i]) }));
}

/** Starts redis-server on the other core than this process, like the HTTP servers. */
export async function startPinnedRedis() {
  if (!pinned) return startRedisServer();
  // A child inherits its parent's CPU affinity: move to core 1 while redis-server starts, then back.
  execFileSync('taskset', ['-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
  try {
    return await startRedisServer();
  } finally {
    execFileSync('taskset', ['-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
  }
}

async function connect(url) {
  const client = new Redis(url, redisClientOptions);
  await new Promise((resolve, reject) => {
    client.once('ready', resolve);
    client.once('error', reject);
  });
  return client;
}

export async function redisDecisions(url) {
  const ourClient = await connect(url);
  const theirClient = await connect(url);
  try {
    // Waits up to a second for Redis: on a noisy machine a stall past the default 100 ms would move decisions to the
    // local limiter (checked below), failing the run; the wait changes nothing while Redis answers.
    const ours = new RedisStore({ client: ourClient, prefix: 'bench:ours:', timeoutMs: 1000 });
    const flexible = new RateLimiterRedis({ storeClient: theirClient, keyPrefix: 'bench:flexible', ...flexiblePolicy });
    const policies = [policy];
    const contenders = [
      {
        name: 'rate-limiter-flexible RateLimiterRedis',
        run: () => concurrentDecisionsPerSecond((key) => flexible.consume(key), redisConcurrency),
      },
      {
        name: 'Faultline RedisStore',
        run: () =>
          concurrentDecisionsPerSecond(async (key) => {
            const [decision] = await ours.consume(key, policies, 1);
            if (!decision.allowed) throw new Error('refused');
          }, redisConcurrency),
      },
    ];
    for (const c of contenders) await c.run(); // warm-up, and the script loaded
    if (ours.state !== 'redis') throw new Error('RedisStore fell back to its local limiter during the warm-up');
    const samples = await alternate(contenders, (c) => c.run());
    if (ours.state !== 'redis') throw new Error('RedisStore fell back to its local limiter: the figures are not Redis');
    return contenders.map((c, i) => ({ name: c.name, value: median(samples[i]), samples: samples[i] }));
  } finally {
    ourClient.disconnect();
    theirClient.disconnect();
  }
}

/** Loads each pair of servers side by side; resolves with their medians. */
async function http(pairs) {
  const all = [...new Set(pairs.flat())];
  for (const t of all) await autocannon({ url: t.url, connections, duration: 1 }); // warm-up
  const samples = await alternate(all, (t) => load(t));
  const result = new Map();
  all.forEach((t, i) => {
    result.set(t, { rate: median(samples[i].map((s) => s.rate)), cpu: median(samples[i].map((s) => s.cpu)) });
  });
  return result;
}

/** Prints the rate-limit table; resolves with whether every target was met. */
export async function rateLimit() {
  const rows = [];
  const started = [];
  const redis = await startPinnedRedis();
  try {
    const [theirMemory, ourMemory] = await inMemoryDecisions();
    rows.push({
      what: 'in-memory decisions/s',
      ours: ourMemory,
      theirs: theirMemory,
      ratio: ourMemory.value / theirMemory.value,
      target: 3,
    });
    const [theirRedis, ourRedis] = await redisDecisions(redis.url);
    rows.push({
      what: `Redis decisions/s, ${redisConcurrency} in flight`,
      ours: ourRedis,
      theirs: theirRedis,
      ratio: ourRedis.value / theirRedis.value,
      target: 1.1,
    });

    const server = async (kind, status, name) => {
      const child = await startChildServer('./rate-limit-server.js', kind, redis.url);
      started.push(child);
      return { name, url: `http://127.0.0.1:${child.port}/items/42`, status, server: child };
    };
    const plain = await server('plain', 200, 'same app, no limiter');
    const memory = await server('memory', 200, 'rateLimitHook, MemoryStore');
    const shedding = await server('shedding', 200, 'loadShedding, healthy');
    const fastifyRedis = await server('fastify-redis', 200, '@fastify/rate-limit, Redis');
    const ourRedisHttp = await server('redis', 200, 'rateLimitHook, RedisStore');
    const static429 = await server('static-429', 429, 'bare Fastify static 429');
    const limited = await server('limited', 429, 'rateLimitHook 429 (limit_reached)');
    const figures = await http([
      [plain, memory],
      [plain, shedding],
      [fastifyRedis, ourRedisHttp],
      [static429, limited],
    ]);
    if ((await ourRedisHttp.server.ask('fallbacks')) !== 0) {
      throw new Error('RedisStore fell back to its local limiter during the HTTP runs: the figures are not Redis');
    }
    for (const [theirs, ours, what, target] of [
      [plain, memory, 'HTTP req/s, memory store vs no limiter', 0.95],
      [plain, shedding, 'HTTP req/s, load shedding vs none', 0.95],
      [fastifyRedis, ourRedisHttp, 'HTTP req/s, Redis store', 1.2],
      [static429, limited, 'HTTP 429 flood, rejections/s', 0.9],
    ]) {
      const o = figures.get(ours);
      const t = figures.get(theirs);
      rows.push({
        what,
        ours: { name: ours.name, value: o.rate, cpu: o.cpu },
        theirs: { name: theirs.name, value: t.rate, cpu: t.cpu },
        ratio: o.rate / t.rate,
        cpuRatio: t.cpu / o.cpu,
        target,
      });
    }
  } finally {
    await Promise.all(started.map((child) => child.ask('close')));
    for (const child of started) child.stop();
    await redis.close();
  }

  console.log(
    `\nRate limiting: ${rounds} rounds, medians; decisions ${decisionSeconds}s a round over ${keyCount} keys; ` +
      `HTTP ${seconds}s a round, ${connections} connections${pinned ? ', servers and redis-server on the other core' : ''}.`,
  );
  console.log(
    'ratio = ours / peer (higher is better); HTTP also compares server CPU per request (peer / ours); the worse decides.\n',
  );
  const format = (n) => (n >= 100_000 ? `${(n / 1e6).toFixed(2)}M` : n.toFixed(0));
  let missed = false;
  for (const row of rows) {
    const worst = Math.min(row.ratio, row.cpuRatio ?? Number.POSITIVE_INFINITY);
    const meets = worst >= row.target;
    if (!meets) missed = true;
    const cpu =
      row.cpuRatio === undefined
        ? ''
        : `  CPU ${row.ours.cpu.toFixed(1)} vs ${row.theirs.cpu.toFixed(1)} µs/req ${row.cpuRatio.toFixed(2)}x`;
    console.log(
      `${row.what.padEnd(40)} ${row.ours.name} ${format(row.ours.value)} vs ${row.theirs.name} ${format(row.theirs.value)}\n` +
        `${''.padEnd(40)} ${row.ratio.toFixed(2)}x${cpu}  ${meets ? `meets >= ${row.target}x` : `BELOW ${row.target}x`}`,
    );
  }
  return !missed;
}
