// Throughput of Faultline's error paths against a bare Fastify reply,
// measured with autocannon in one run, reported as ratios. Machines are
// shared and noisy, so only the ratios between targets measured side by side
// mean anything; rounds alternate the targets to spread the noise.
import autocannon from 'autocannon';
import { pinned, startChildServer } from './child-server.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const connections = 50;
const target = 0.9;

const startServer = (kind) => startChildServer('./target-server.js', kind);

/** Requests per second, and the server's CPU microseconds per request. */
async function load({ url, status, server }) {
  const cpuBefore = await server.cpuMicroseconds();
  const result = await autocannon({ url, connections, duration: seconds, pipelining: 1 });
  const cpu = (await server.cpuMicroseconds()) - cpuBefore;
  const wrong = result.non2xx - (result.statusCodeStats[status]?.count ?? 0);
  if (wrong > 0 || result.errors > 0) throw new Error(`${url}: ${wrong} answers were not ${status}, ${result.errors} errors`);
  return { rate: result.requests.average, cpuPerRequest: cpu / result.requests.total };
}

/** Prints the error-path table; resolves with whether every target was met. */
export async function errorPath() {
  const bare = await startServer('bare');
  const api = await startServer('reference-api').catch((error) => {
    bare.stop();
    throw error;
  });
  const targets = [
    { name: 'bare Fastify static 404', url: `http://127.0.0.1:${bare.port}/bare`, status: 404, server: bare },
    { name: 'Faultline 404 (unknown route)', url: `http://127.0.0.1:${api.port}/no/such/route`, status: 404, server: api },
    { name: 'Faultline 401 (auth hook)', url: `http://127.0.0.1:${api.port}/v1/me`, status: 401, server: api },
  ];

  try {
    // Warm-up: let the JIT settle before anything is counted.
    for (const { url, status } of targets)
      await autocannon({ url, connections, duration: 1 }).then((r) => r.statusCodeStats[status]);
    const samples = new Map(targets.map((t) => [t.name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const t of targets) samples.get(t.name).push(await load(t));
    }
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const rate = (name) => median(samples.get(name).map((s) => s.rate));
    const cpu = (name) => median(samples.get(name).map((s) => s.cpuPerRequest));
    const baseRate = rate(targets[0].name);
    const baseCpu = cpu(targets[0].name);
    console.log(
      `\nError-path throughput: ${rounds} rounds x ${seconds}s, ${connections} connections, medians${pinned ? ', server and load on separate cores' : ''}.`,
    );
    console.log('req/s ratio = ours / bare; CPU ratio = bare CPU per request / ours (both: higher is better).\n');
    let missed = false;
    for (const t of targets) {
      const rateRatio = rate(t.name) / baseRate;
      const cpuRatio = baseCpu / cpu(t.name);
      const worst = Math.min(rateRatio, cpuRatio);
      const verdict = t === targets[0] ? 'baseline' : worst >= target ? `meets >= ${target}x` : `BELOW ${target}x`;
      if (t !== targets[0] && worst < target) missed = true;
      console.log(
        `${t.name.padEnd(32)} ${rate(t.name).toFixed(0).padStart(7)} req/s ${rateRatio.toFixed(2)}x` +
          `  ${cpu(t.name).toFixed(1).padStart(6)} µs CPU/req ${cpuRatio.toFixed(2)}x  ${verdict}`,
      );
    }
    return !missed;
  } finally {
    bare.stop();
    api.stop();
  }
}
