// What Idempotency-Key costs the reference API, measured with autocannon in one run, as ratios:
// POST /v1/campaigns with a fresh key per request against the same POST without one (target >= 0.9x),
// and replays of one key against a plain GET of the same campaign (reported). Rounds alternate the
// targets to spread the noise of a shared machine; medians are reported.
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { pinned, startChildServer } from './child-server.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const connections = 20;
const target = 0.9;

/** Requests per second of one target, checking every answer had the expected status. */
async function load({ url, method, headers, body, freshKey, status }) {
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
  return result.requests.average;
}

/** Prints the idempotency table; resolves with whether the target was met. */
export async function idempotency() {
  const server = await startChildServer('./idempotency-server.js');
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
    for (const t of targets) await load({ ...t, status: t.status });
    const samples = new Map(targets.map((t) => [t.name, []]));
    for (let round = 0; round < rounds; round++) for (const t of targets) samples.get(t.name).push(await load(t));
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const rate = (name) => median(samples.get(name));
    const [noKey, freshKey, get, replay] = targets.map((t) => rate(t.name));
    console.log(
      `\nIdempotency-Key: ${rounds} rounds x ${seconds}s, ${connections} connections, medians${pinned ? ', server and load on separate cores' : ''}; SQLite in memory.\n`,
    );
    const freshRatio = freshKey / noKey;
    const rows = [
      [targets[0].name, noKey, 'baseline'],
      [
        targets[1].name,
        freshKey,
        `${freshRatio.toFixed(2)}x of no key: ${freshRatio >= target ? 'meets' : 'BELOW'} >= ${target}x`,
      ],
      [targets[2].name, get, 'baseline'],
      [targets[3].name, replay, `${(replay / get).toFixed(2)}x of the GET`],
    ];
    for (const [name, value, verdict] of rows)
      console.log(`${name.padEnd(40)} ${String(Math.round(value)).padStart(7)} req/s   ${verdict}`);
    return freshRatio >= target;
  } finally {
    server.stop();
  }
}
