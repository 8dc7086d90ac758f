// What Idempotency-Key costs the reference API, measured with autocannon in one run, as ratios:
// POST /v1/campaigns with a fresh key per request against the same POST without one (target >= 0.9x),
// and replays of one key against a plain GET of the same campaign (reported). Rounds alternate the
// targets to spread the noise of a shared machine; medians are reported.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { pinned, startChildServer } from './child-server.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const connections = 20;
// BENCH_IDEMPOTENCY_DATABASE=file measures on a SQLite file (WAL), as `npm start` runs; the target is judged in memory,
// where the database costs least and the key's share of each request is largest.
const onFile = process.env.BENCH_IDEMPOTENCY_DATABASE === 'file';
const target = 0.9;

/**
 * Requests per second of one target, and the server's CPU time per request, checking every answer had the
 * expected status. CPU per request is less bent by other work on a shared machine than throughput is.
 */
async function load(server, { url, method, headers, body, freshKey, status }) {
  const cpuBefore = await server.cpuMicroseconds();
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        // Both POSTs go through setupRequest, so autocannon's own cost is the same for each.
        setupRequest: (request) =>
          freshKey ? { ...request, headers: { ...request.headers, 'idempotency-key': randomUUID() } } : request,
      },
    ],
  });
  const right = result.statusCodeStats[status]?.count ?? 0;
  if (right !== result.requests.total && result.errors === 0 && result.non2xx > 0)
    throw new Error(`${method} ${url}: ${result.requests.total - right} answers were not ${status}`);
  const cpu = (await server.cpuMicroseconds()) - cpuBefore;
  return { rate: result.requests.average, cpu: cpu / Math.max(1, result.requests.total) };
}

/** Prints the idempotency table; resolves with whether the target was met. */
export async function idempotency() {
  const directory = onFile ? mkdtempSync(join(tmpdir(), 'faultline-bench-idempotency-')) : undefined;
  const server = await startChildServer(
    './idempotency-server.js',
    ...(directory === undefined ? [] : [join(directory, 'bench.db')]),
  );
  try {
    const { apiKey, campaignId } = await server.ask('credentials');
    const base = `http://127.0.0.1:${server.port}`;
    const json = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
    const body = JSON.stringify({ name: 'Bench campaign' });
    const replayKey = randomUUID();
    const targets = [
      { name: 'POST /v1/campaigns, no key', url: `${base}/v1/campaigns`, method: 'POST', headers: json, body, status: 201 },
      {
        name: 'POST /v1/campaigns, a fresh key each',
        url: `${base}/v1/campaigns`,
        method: 'POST',
        headers: json,
        body,
        freshKey: true,
        status: 201,
      },
      {
        name: 'GET /v1/campaigns/:id',
        url: `${base}/v1/campaigns/${campaignId}`,
        method: 'GET',
        headers: { authorization: `Bearer ${apiKey}` },
        status: 200,
      },
      {
        name: 'replay of one key (POST)',
        url: `${base}/v1/campaigns`,
        method: 'POST',
        headers: { ...json, 'idempotency-key': replayKey },
        body,
        status: 201,
      },
    ];
    // Warm-up, which also stores the answer the replays send.
    for (const t of targets) await load(server, t);
    const samples = new Map(targets.map((t) => [t.name, []]));
    const cpuSamples = new Map(targets.map((t) => [t.name, []]));
    for (let round = 0; round < rounds; round++)
      for (const t of targets) {
        const { rate, cpu } = await load(server, t);
        samples.get(t.name).push(rate);
        cpuSamples.get(t.name).push(cpu);
      }
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const rate = (name) => median(samples.get(name));
    // Ratios per round, of the two targets measured next to each other: their spread says how noisy the run was.
    const ratios = (of, against) => samples.get(of).map((value, round) => value / samples.get(against)[round]);
    // CPU per request as a throughput ratio: the baseline's CPU per request over the target's.
    const cpuRatios = (of, against) => cpuSamples.get(against).map((value, round) => value / cpuSamples.get(of)[round]);
    const spread = (values) => {
      const sorted = [...values].sort((a, b) => a - b);
      return `${median(sorted).toFixed(2)}x [${sorted[0].toFixed(2)}-${sorted.at(-1).toFixed(2)}]`;
    };
    const [noKey, freshKey, get, replay] = targets.map((t) => rate(t.name));
    const cpu = (name) => median(cpuSamples.get(name));
    const freshRatios = ratios(targets[1].name, targets[0].name);
    const replayRatios = ratios(targets[3].name, targets[2].name);
    console.log(
      `\nIdempotency-Key: ${rounds} rounds x ${seconds}s, ${connections} connections, medians (ratios: median of the rounds [min-max])${pinned ? ', server and load on separate cores' : ''}; SQLite ${onFile ? 'in a file (WAL)' : 'in memory'}.\n`,
    );
    const freshRatio = median(freshRatios);
    const rows = [
      [targets[0].name, noKey, 'baseline', 'baseline'],
      [
        targets[1].name,
        freshKey,
        `${spread(freshRatios)} of no key: ${freshRatio >= target ? 'meets' : 'BELOW'} >= ${target}x`,
        spread(cpuRatios(targets[1].name, targets[0].name)),
      ],
      [targets[2].name, get, 'baseline', 'baseline'],
      [targets[3].name, replay, `${spread(replayRatios)} of the GET`, spread(cpuRatios(targets[3].name, targets[2].name))],
    ];
    console.log(
      `${'target'.padEnd(40)} ${'req/s'.padStart(7)}   ${'µs CPU'.padStart(6)}   ${'req/s ratio'.padEnd(44)} CPU ratio`,
    );
    for (const [index, [name, value, verdict, cpuVerdict]] of rows.entries())
      console.log(
        `${name.padEnd(40)} ${String(Math.round(value)).padStart(7)}   ${String(Math.round(cpu(targets[index].name))).padStart(6)}   ${verdict.padEnd(44)} ${cpuVerdict}`,
      );
    return freshRatio >= target;
  } finally {
    server.stop();
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  }
}
