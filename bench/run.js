// `npm run bench`: each part measures in turn and prints its own table.
//   error-path:       Faultline's error paths against a bare Fastify reply.
//   client-overhead:  @faultline/client against plain fetch on successful requests.
//   client-429-storm: 429s received by @faultline/client and by ky doing the same work under a rate limit.
//   rate-limit:       the rate limiter against rate-limiter-flexible, @fastify/rate-limit and no limiter at all.
//   hostile:          a well-behaved client's success rate and p99 while slow sockets, body bombs and wrong keys attack.
//   limits-cost:      the same error paths with and without the per-address request cap.
//   idempotency:      POSTs with a fresh Idempotency-Key against none, and replays against a GET.
// `node bench/run.js client-overhead` runs only the parts named. Machines are
// shared and noisy, so only figures measured side by side in one run mean anything.
import { errorPath } from './error-path.js';
import { clientOverhead } from './client-overhead.js';
import { client429Storm } from './client-429-storm.js';
import { rateLimit } from './rate-limit.js';
import { hostile } from './hostile.js';
import { limitsCost } from './limits-cost.js';
import { idempotency } from './idempotency.js';

const parts = {
  'error-path': errorPath,
  'client-overhead': clientOverhead,
  'client-429-storm': client429Storm,
  'rate-limit': rateLimit,
  hostile,
  'limits-cost': limitsCost,
  idempotency,
};
const chosen = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(parts);
for (const name of chosen) {
  const part = parts[name];
  if (part === undefined) {
    console.error(`Unknown part "${name}": use ${Object.keys(parts).join(', ')}.`);
    process.exitCode = 1;
    continue;
  }
  try {
    // A part resolves with whether it met its targets.
    if (!(await part())) process.exitCode = 1;
  } catch (error) {
    console.error(`\n${name} failed:`, error);
    process.exitCode = 1;
  }
}
