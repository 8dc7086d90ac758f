// A 429 storm: a local server (its own process) allows 50 requests per
// one-second window per client and says so in the IETF RateLimit fields.
// @faultline/client (default options) and ky (default retry: 429 retried
// twice, honouring Retry-After) each complete the same work, 300 successful
// GETs with 20 in flight; the server counts the 429s it sends each. A request
// a client gives up on is sent again until it succeeds, and counted.
import { setMaxListeners } from 'node:events';
import ky, { HTTPError } from 'ky';
import { createClient, RateLimitedError } from '@faultline/client';
import { pinned, startChildServer } from './child-server.js';

const work = Number(process.env.BENCH_STORM_REQUESTS ?? 300);
const rounds = Number(process.env.BENCH_STORM_ROUNDS ?? 2);
const concurrency = 20;
/** Every run stops after this long, done or not. */
const timeLimitMs = 60_000;
/** A request is sent at most this many times (retries inside a client not counted). */
const maxIssues = 50;

/**
 * Completes `work` successful calls of `get` with `concurrency` in flight.
 * `gaveUp(error)` tells a rate-limit failure (re-issued) from any other (re-issued, reported).
 */
async function complete(get, gaveUp) {
  const signal = AbortSignal.timeout(timeLimitMs);
  // Every request in flight, and every retry wait, listens to it.
  setMaxListeners(concurrency * 5, signal);
  const tally = { done: 0, reissued: 0, otherErrors: 0, failed: 0, timedOut: false, firstOther: undefined };
  let next = 0;
  const worker = async () => {
    while (next < work && !signal.aborted) {
      next++;
      for (let issue = 1; ; issue++) {
        try {
          await get(signal);
          tally.done++;
          break;
        } catch (error) {
          if (signal.aborted) return;
          if (gaveUp(error)) tally.reissued++;
          else {
            tally.otherErrors++;
            tally.firstOther ??= error;
          }
          if (issue >= maxIssues) {
            tally.failed++;
            break;
          }
        }
      }
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  tally.seconds = (performance.now() - start) / 1000;
  tally.timedOut = signal.aborted;
  return tally;
}

/** Prints the storm table; resolves with whether the client got fewer 429s than ky for the same work. */
export async function client429Storm() {
  const server = await startChildServer('./client-target-server.js', 'rate-limited');
  try {
    const baseUrl = `http://127.0.0.1:${server.port}`;
    const path = '/items/42';
    const contenders = [
      {
        name: '@faultline/client',
        run: (apiKey) => {
          const client = createClient({ baseUrl, apiKey });
          return complete(
            (signal) => client.get(path, { signal }),
            (error) => error instanceof RateLimitedError && error.status === 429,
          );
        },
      },
      {
        name: 'ky',
        run: (apiKey) =>
          complete(
            // Default options; the header only tells the server which client this is.
            (signal) => ky.get(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${apiKey}` }, signal }).json(),
            (error) => error instanceof HTTPError && error.response.status === 429,
          ),
      },
    ];

    const results = contenders.map(() => []);
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? [0, 1] : [1, 0];
      for (const index of order) {
        // A fresh API key is a fresh client to the server: no window carries over.
        const apiKey = `storm-${index}-${round}`;
        const tally = await contenders[index].run(apiKey);
        const counts = await server.ask({ type: 'stats', client: `Bearer ${apiKey}` });
        results[index].push({ ...tally, ...counts });
      }
    }

    console.log(
      `\n429 storm: server allows 50 requests per 1 s window per client; ${work} successful GETs per run, ${concurrency} in flight, ` +
        `${rounds} run${rounds === 1 ? '' : 's'} each, alternating${pinned ? ', server and clients on separate cores' : ''}.`,
    );
    console.log('Counted by the server. Re-issued: requests the client gave up on (after its own retries), sent again.\n');
    console.log(
      `${'client'.padEnd(18)} ${'run'.padStart(3)} ${'done'.padStart(6)} ${'429s'.padStart(6)} ${'requests'.padStart(9)} ${'re-issued'.padStart(10)} ${'wall s'.padStart(7)}`,
    );
    let completed = true;
    const total429s = results.map((runs) => runs.reduce((sum, r) => sum + r.limited, 0));
    contenders.forEach((c, index) => {
      results[index].forEach((r, round) => {
        const note = r.timedOut ? `  STOPPED at ${timeLimitMs / 1000} s` : r.failed > 0 ? `  ${r.failed} never succeeded` : '';
        const other = r.otherErrors > 0 ? `  ${r.otherErrors} other errors, first: ${r.firstOther}` : '';
        if (r.done < work || r.otherErrors > 0) completed = false;
        console.log(
          `${c.name.padEnd(18)} ${String(round + 1).padStart(3)} ${String(r.done).padStart(6)} ${String(r.limited).padStart(6)} ` +
            `${String(r.requests).padStart(9)} ${String(r.reissued).padStart(10)} ${r.seconds.toFixed(2).padStart(7)}${note}${other}`,
        );
      });
    });
    const met = completed && total429s[0] < total429s[1];
    console.log(
      `\n429s in all runs: ${contenders.map((c, i) => `${c.name} ${total429s[i]}`).join(', ')}  ` +
        (met
          ? 'meets: fewer 429s for the same work'
          : completed
            ? 'MISSED: not fewer 429s'
            : 'MISSED: the work did not complete'),
    );
    return met;
  } finally {
    server.stop();
  }
}
