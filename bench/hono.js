// @faultline/hono against what a Hono app uses instead (issue #17): Hono's HTTPException handling and its own 404
// for the error paths, hono-rate-limiter for the limit. Every figure is a ratio of two contenders measured side by
// side in one run: rounds interleave every server (the order reversed every other round) and each row keeps the
// median of its per-round ratios, with the lowest and highest, so the noise of a shared machine shows.
//   req/s ratio = ours / theirs; CPU ratio = their server CPU per request / ours: above 1 is better. 50 connections.
import autocannon from 'autocannon';
import { pinned, startChildServer } from './child-server.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const connections = 50;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const spread = (values) => ({ median: median(values), min: Math.min(...values), max: Math.max(...values) });

/** Requests per second, and the server's CPU microseconds per request, after checking every answer's status. */
async function load({ url, status, server }) {
  const cpuBefore = await server.cpuMicroseconds();
  const result = await autocannon({ url, connections, duration: seconds, pipelining: 1 });
  const cpu = (await server.cpuMicroseconds()) - cpuBefore;
  const right = result.statusCodeStats[status]?.count ?? 0;
  const total = Object.values(result.statusCodeStats).reduce((sum, stats) => sum + stats.count, 0);
  if (right !== total || result.errors > 0)
    throw new Error(`${url}: ${total - right} answers were not ${status}, ${result.errors} errors`);
  return { rate: result.requests.average, cpu: cpu / result.requests.total };
}

/** Prints the Hono table; resolves with whether every target was met. */
export async function hono() {
  const started = [];
  const rows = [];
  try {
    const server = async (kind, path, status, name) => {
      const child = await startChildServer('./hono-server.js', kind);
      started.push(child);
      return { name, url: `http://127.0.0.1:${child.port}${path}`, status, server: child };
    };
    const honoServer = await server('hono', '/no/such/route', 404, "Hono's own 404");
    const faultlineServer = await server('faultline', '/no/such/route', 404, 'Faultline 404');
    const honoThrow = { ...honoServer, url: honoServer.url.replace('/no/such/route', '/throws'), name: 'HTTPException(404)' };
    const faultlineThrow = {
      ...faultlineServer,
      url: faultlineServer.url.replace('/no/such/route', '/throws'),
      name: 'Faultline thrown 404',
    };
    const theirLimiter = await server('hono-limiter', '/items/42', 200, 'hono-rate-limiter (memory), same app');
    const ourLimiter = await server('faultline-limiter', '/items/42', 200, 'rateLimit(), MemoryStore');
    const pairs = [
      ['unknown route 404', faultlineServer, honoServer, 1.0],
      ['a thrown 404', faultlineThrow, honoThrow, 1.0],
      ['allowed through the limiter, memory', ourLimiter, theirLimiter, 1.2],
    ];
    const targets = [...new Set(pairs.flatMap(([, ours, theirs]) => [ours, theirs]))];
    for (const t of targets) await autocannon({ url: t.url, connections, duration: Math.min(1, seconds) }); // warm-up
    const samples = new Map(targets.map((t) => [t, []]));
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const t of order) samples.get(t).push(await load(t));
    }
    for (const [what, ours, theirs, target] of pairs) {
      const o = samples.get(ours);
      const t = samples.get(theirs);
      rows.push({
        what,
        versus: theirs.name,
        target,
        rate: spread(o.map((s, i) => s.rate / t[i].rate)),
        cpu: spread(o.map((s, i) => t[i].cpu / s.cpu)),
        figures: `${median(o.map((s) => s.rate)).toFixed(0)} vs ${median(t.map((s) => s.rate)).toFixed(0)} req/s, ${median(o.map((s) => s.cpu)).toFixed(1)} vs ${median(t.map((s) => s.cpu)).toFixed(1)} µs CPU/req`,
      });
    }
    await Promise.all(started.map((child) => child.ask('close').catch(() => undefined)));
  } finally {
    for (const child of started) child.stop();
  }

  console.log(
    `\n@faultline/hono vs Hono's usual choices (issue #17): ${rounds} interleaved rounds, medians of per-round ratios [lowest–highest]; ` +
      `${seconds}s a round, ${connections} connections, @hono/node-server${pinned ? ', servers on the other core than the load' : ''}.`,
  );
  console.log(
    'req/s ratio = ours / theirs, CPU ratio = their CPU per request / ours: above 1 is better, and the worse of the two decides.\n',
  );
  const ratio = (s) => `${s.median.toFixed(2)}x [${s.min.toFixed(2)}–${s.max.toFixed(2)}]`;
  let missed = false;
  for (const row of rows) {
    const judged = Math.min(row.rate.median, row.cpu.median);
    const meets = judged >= row.target;
    if (!meets) missed = true;
    console.log(`${row.what.padEnd(38)} vs ${row.versus}: ${row.figures}`);
    console.log(
      `${''.padEnd(38)} req/s ${ratio(row.rate)}  CPU ${ratio(row.cpu)}  ${meets ? 'meets' : 'MISSES'} >= ${row.target}x`,
    );
  }
  return !missed;
}
