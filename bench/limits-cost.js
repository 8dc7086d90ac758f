// What the hostile-traffic limits cost on the ordinary error paths: the same
// reference API with its per-address connection cap (on by default; counted
// per connection, not per request) and without it, measured side by side in
// one run, rounds interleaved. The other limits
// cost nothing per request on these paths: the timeouts are per socket, the
// JSON shape check reads only bodies, and a network that never failed to
// authenticate costs no rate-limit store call. Target (issue #12): at most 3%.
import autocannon from 'autocannon';
import { startChildServer } from './child-server.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const connections = 50;
const target = 0.97;

/**
 * Requests per second of one path, and the server's CPU time per request (less
 * sensitive than throughput to neighbours on a shared machine), after checking
 * every answer had the expected status.
 */
async function rate(server, path, status) {
  const url = `http://127.0.0.1:${server.port}${path}`;
  const cpuBefore = await server.cpuMicroseconds();
  const result = await autocannon({ url, connections, duration: seconds });
  const cpu = (await server.cpuMicroseconds()) - cpuBefore;
  const wrong = result.non2xx - (result.statusCodeStats[status]?.count ?? 0);
  if (wrong > 0 || result.errors > 0) throw new Error(`${url}: ${wrong} answers were not ${status}, ${result.errors} errors`);
  return { rate: result.requests.average, cpuPerRequest: cpu / result.requests.total };
}

/** Prints the with/without table; resolves with whether the cost stayed within the target. */
export async function limitsCost() {
  const withLimits = await startChildServer('./target-server.js', 'reference-api');
  const without = await startChildServer('./target-server.js', 'reference-api-without-client-cap').catch((error) => {
    withLimits.stop();
    throw error;
  });
  const paths = [
    { name: '404 unknown route', path: '/no/such/route', status: 404 },
    { name: '401 no credentials', path: '/v1/me', status: 401 },
  ];
  try {
    for (const server of [withLimits, without])
      for (const { path } of paths) await autocannon({ url: `http://127.0.0.1:${server.port}${path}`, connections, duration: 1 });
    const samples = new Map(paths.map(({ name }) => [name, { with: [], without: [] }]));
    for (let round = 0; round < rounds; round++) {
      for (const { name, path, status } of paths) {
        samples.get(name).with.push(await rate(withLimits, path, status));
        samples.get(name).without.push(await rate(without, path, status));
      }
    }
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    console.log(`\nCost of the hostile-traffic limits: ${rounds} rounds x ${seconds}s, ${connections} connections, medians.`);
    console.log('ratio = req/s with the limits / req/s without (1.00 = no cost); CPU ratio = CPU/req without / with.\n');
    let met = true;
    for (const { name } of paths) {
      const { with: withSamples, without: withoutSamples } = samples.get(name);
      const withRate = median(withSamples.map((sample) => sample.rate));
      const withoutRate = median(withoutSamples.map((sample) => sample.rate));
      const withCpu = median(withSamples.map((sample) => sample.cpuPerRequest));
      const withoutCpu = median(withoutSamples.map((sample) => sample.cpuPerRequest));
      const ratio = withRate / withoutRate;
      const verdict = ratio >= target ? `meets >= ${target}` : `BELOW ${target}`;
      if (ratio < target) met = false;
      console.log(
        `${name.padEnd(20)} with ${withRate.toFixed(0).padStart(7)} req/s, without ${withoutRate.toFixed(0).padStart(7)} req/s: ${ratio.toFixed(3)} (${verdict}); ` +
          `CPU ${withCpu.toFixed(1)} vs ${withoutCpu.toFixed(1)} µs/req: ${(withoutCpu / withCpu).toFixed(3)}`,
      );
    }
    return met;
  } finally {
    withLimits.stop();
    without.stop();
  }
}
