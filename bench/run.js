// `npm run bench`: each part measures in turn and prints its own table.
//   peers:            Faultline against the stack a user would install instead, and against the floor (issue #16).
//   error-path:       Faultline's error paths against a bare Fastify reply.
//   client-overhead:  @faultline/client against plain fetch on successful requests.
//   client-429-storm: 429s received by @faultline/client and by ky doing the same work under a rate limit.
//   rate-limit:       the rate limiter against rate-limiter-flexible, @fastify/rate-limit and no limiter at all.
//   hostile:          a well-behaved client's success rate and p99 while slow sockets, body bombs and wrong keys attack.
//   limits-cost:      the same error paths with and without the per-address connection cap.
//   client-error-factory: the client's cost per error read from our bodies, against the factory before the envelope table.
//   idempotency:      POSTs with a fresh Idempotency-Key against none, and replays against a GET.
//   check-run:        a default faultline check of the reference API (requests, wall time), and its memory against endless bodies.
//   express:          @faultline/express against Express's own 404 and error handler, and express-rate-limit (issue #17).
//   hono:             @faultline/hono against Hono's HTTPException handling and 404, and against hono-rate-limiter.
// `node bench/run.js client-overhead` runs only the parts named. `--quick` (`npm run bench -- --quick`)
// runs the peers, express and hono tables, or the parts named, in about a minute: 3 rounds of 1 s, 200,000 keys for memory.
// Machines are shared and noisy, so only figures measured side by side in one run mean anything.
const quick = process.argv.includes('--quick');
const named = process.argv.slice(2).filter((arg) => arg !== '--quick');
if (quick) {
  // Read by the parts when they load, so set before they are imported.
  process.env.BENCH_SECONDS ??= '1';
  process.env.BENCH_ROUNDS ??= '3';
  process.env.BENCH_MEMORY_KEYS ??= '200000';
  process.env.BENCH_CLIENT_ROUNDS ??= '5';
  process.env.BENCH_DECISION_SECONDS ??= '0.5';
}
const { peers } = await import('./peers.js');
const { errorPath } = await import('./error-path.js');
const { clientOverhead } = await import('./client-overhead.js');
const { client429Storm } = await import('./client-429-storm.js');
const { rateLimit } = await import('./rate-limit.js');
const { hostile } = await import('./hostile.js');
const { limitsCost } = await import('./limits-cost.js');
const { clientErrorFactory } = await import('./client-error-factory.js');
const { checkRun } = await import('./check-run.js');
const { idempotency } = await import('./idempotency.js');
const { expressPart } = await import('./express.js');
const { hono } = await import('./hono.js');

const parts = {
  peers,
  'error-path': errorPath,
  'client-overhead': clientOverhead,
  'client-429-storm': client429Storm,
  'rate-limit': rateLimit,
  hostile,
  'limits-cost': limitsCost,
  'client-error-factory': clientErrorFactory,
  'check-run': checkRun,
  idempotency,
  express: expressPart,
  hono,
};
const chosen = named.length > 0 ? named : quick ? ['peers', 'express', 'hono'] : Object.keys(parts);
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
