// The one way the peer tables (peers, express, hono) measure and judge two servers side by side: rounds
// interleave every server (the order reversed every other round), each row keeps the median of its
// per-round ratios with the lowest and highest, so the noise of a shared machine shows, and the worse of
// req/s and CPU per request decides a row.
import autocannon from 'autocannon';

export const seconds = Number(process.env.BENCH_SECONDS ?? 3);
export const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
export const connections = 50;

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
export const spread = (values) => ({ median: median(values), min: Math.min(...values), max: Math.max(...values) });

/**
 * Loads one server for a round: requests per second, and the server's CPU microseconds per request, after
 * checking every answer's status. The rate-limit table loads its servers with it too.
 */
export async function load({ url, status, server }) {
  const cpuBefore = await server.cpuMicroseconds();
  const result = await autocannon({ url, connections, duration: seconds, pipelining: 1 });
  const cpu = (await server.cpuMicroseconds()) - cpuBefore;
  const right = result.statusCodeStats[status]?.count ?? 0;
  const total = Object.values(result.statusCodeStats).reduce((sum, stats) => sum + stats.count, 0);
  if (right !== total || result.errors > 0)
    throw new Error(`${url}: ${total - right} answers were not ${status}, ${result.errors} errors`);
  return { rate: result.requests.average, cpu: cpu / result.requests.total };
}

/**
 * Loads every server of `pairs` (`[what, ours, theirs, target]`, each server `{name, url, status, server}`)
 * once a round, and makes one row a pair. `beforeRows(samples)` may check the run before the rows are made.
 */
export async function httpRows(pairs, beforeRows = async () => {}) {
  const targets = [...new Set(pairs.flatMap(([, ours, theirs]) => [ours, theirs]))];
  for (const t of targets) await autocannon({ url: t.url, connections, duration: Math.min(1, seconds) }); // warm-up
  const samples = new Map(targets.map((t) => [t, []]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const t of order) samples.get(t).push(await load(t));
  }
  await beforeRows(samples);
  return pairs.map(([what, ours, theirs, target]) => {
    const o = samples.get(ours);
    const t = samples.get(theirs);
    return {
      what,
      versus: theirs.name,
      target,
      rate: spread(o.map((s, i) => s.rate / t[i].rate)),
      cpu: spread(o.map((s, i) => t[i].cpu / s.cpu)),
      figures: `${median(o.map((s) => s.rate)).toFixed(0)} vs ${median(t.map((s) => s.rate)).toFixed(0)} req/s, ${median(o.map((s) => s.cpu)).toFixed(1)} vs ${median(t.map((s) => s.cpu)).toFixed(1)} µs CPU/req`,
    };
  });
}

/**
 * Prints the rows under `heading` and `legend`; returns whether every target was met. A row is
 * `{what, versus, target, rate, cpu?, figures, lowerIsBetter?}`: above the target is better, or at most
 * the target with `lowerIsBetter` (then `rate` alone decides and `cpu` is shown for reference).
 */
export function printRows(heading, legend, rows) {
  console.log(heading);
  console.log(`${legend}\n`);
  const ratio = (s) => `${s.median.toFixed(2)}x [${s.min.toFixed(2)}–${s.max.toFixed(2)}]`;
  let missed = false;
  for (const row of rows) {
    const judged = row.lowerIsBetter ? row.rate.median : Math.min(row.rate.median, row.cpu?.median ?? Number.POSITIVE_INFINITY);
    const meets = row.lowerIsBetter ? judged <= row.target : judged >= row.target;
    if (!meets) missed = true;
    const first = row.lowerIsBetter ? (row.cpu ? 'time' : 'size') : row.cpu ? 'req/s' : 'rate';
    const cpu = row.cpu ? `  CPU ${ratio(row.cpu)}` : '';
    const bound = `${row.lowerIsBetter ? '<=' : '>='} ${row.target}x`;
    console.log(`${row.what.padEnd(38)} vs ${row.versus}: ${row.figures}`);
    console.log(`${''.padEnd(38)} ${first} ${ratio(row.rate)}${cpu}  ${meets ? 'meets' : 'MISSES'} ${bound}`);
  }
  return !missed;
}
