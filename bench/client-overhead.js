// What @faultline/client costs on the happy path: the same successful GET
// with plain `fetch` + `res.json()` and with `client.get()`, against one
// local server in its own process. Rounds interleave the two (and swap which
// goes first) so the noise of a shared machine falls on both; medians.
import { isDeepStrictEqual } from 'node:util';
import { createClient } from '@faultline/client';
import { pinned, startChildServer } from './child-server.js';

const requests = Number(process.env.BENCH_CLIENT_REQUESTS ?? 500);
const rounds = Number(process.env.BENCH_CLIENT_ROUNDS ?? 15);
const concurrencies = [1, 10];
// Issue #16: at most 5% over plain fetch, sequential and at concurrency 10.
const target = 1.05;
const contenderNames = ['fetch + res.json()', 'client.get()'];
const apiKey = 'bench-key';

/**
 * Sends `count` requests with `concurrency` workers: mean wall-clock
 * microseconds per request, and this process's CPU microseconds per request
 * (steadier than wall time on a shared machine; shown, not judged).
 */
async function measure(send, count, concurrency) {
  const perWorker = Math.ceil(count / concurrency);
  const worker = async () => {
    for (let i = 0; i < perWorker; i++) await send();
  };
  const cpuBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wall = Number(process.hrtime.bigint() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const sent = perWorker * concurrency;
  return { wall: wall / sent, cpu: (cpu.user + cpu.system) / sent };
}

/**
 * Measures fetch and the client side by side: for each concurrency, every
 * round's { wall, cpu } of each, as [fetchRuns, clientRuns].
 */
export async function measureClientOverhead() {
  const server = await startChildServer('./client-target-server.js', 'json');
  try {
    const baseUrl = `http://127.0.0.1:${server.port}`;
    const url = `${baseUrl}/items/42`;
    // The same request line and headers the client sends, so only the client's own work differs.
    const headers = { accept: 'application/json, application/problem+json;q=0.9', authorization: `Bearer ${apiKey}` };
    const client = createClient({ baseUrl, apiKey });
    const contenders = [
      {
        name: contenderNames[0],
        send: async () => {
          const response = await fetch(url, { headers });
          if (!response.ok) throw new Error(`${url} answered ${response.status}`);
          return response.json();
        },
      },
      { name: contenderNames[1], send: () => client.get('/items/42') },
    ];

    const [fromFetch, fromClient] = await Promise.all(contenders.map((c) => c.send()));
    if (!isDeepStrictEqual(fromFetch, fromClient)) throw new Error('fetch and the client read different bodies');
    // Warm-up: let the JIT settle and the connection pool fill before anything is counted.
    for (const concurrency of concurrencies) for (const c of contenders) await measure(c.send, requests * 2, concurrency);

    const samples = new Map(concurrencies.map((n) => [n, contenders.map(() => [])]));
    for (let round = 0; round < rounds; round++) {
      for (const concurrency of concurrencies) {
        const order = round % 2 === 0 ? [0, 1] : [1, 0];
        for (const index of order)
          samples.get(concurrency)[index].push(await measure(contenders[index].send, requests, concurrency));
      }
    }
    return samples;
  } finally {
    server.stop();
  }
}

/** Prints the overhead table; resolves with whether every target was met. */
export async function clientOverhead() {
  const samples = await measureClientOverhead();
  {
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    console.log(
      `\nClient overhead per successful GET: ${rounds} rounds x ${requests} requests, interleaved, medians${pinned ? ', server and client on separate cores' : ''}.`,
    );
    console.log(
      `Time ratio = client wall time / fetch wall time (target <= ${target}x); CPU = this process's CPU per request, for reference.\n`,
    );
    let missed = false;
    for (const concurrency of concurrencies) {
      const [fetchRuns, clientRuns] = samples.get(concurrency);
      const wall = [fetchRuns, clientRuns].map((runs) => median(runs.map((r) => r.wall)));
      const cpu = [fetchRuns, clientRuns].map((runs) => median(runs.map((r) => r.cpu)));
      const ratio = wall[1] / wall[0];
      if (ratio > target) missed = true;
      const label = concurrency === 1 ? 'sequential' : `concurrency ${concurrency}`;
      contenderNames.forEach((name, index) => {
        const verdict = index === 0 ? 'baseline' : ratio <= target ? `meets <= ${target}x` : `ABOVE ${target}x`;
        console.log(
          `${`${name}, ${label}`.padEnd(36)} ${wall[index].toFixed(1).padStart(7)} µs/req ${(wall[index] / wall[0]).toFixed(3)}x` +
            `  ${cpu[index].toFixed(1).padStart(6)} µs CPU/req ${(cpu[index] / cpu[0]).toFixed(3)}x  ${verdict}`,
        );
      });
    }
    return !missed;
  }
}
