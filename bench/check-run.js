// What `faultline check` costs. A default run against the reference API (its demo key and catalog, as the README
// shows it): requests sent and wall time, against the floor the pace itself sets (requests / 20 per second).
// Target (issue #14): under 10 s. Then memory against a server whose every answer is an endless body: the peak
// growth of this process's RSS must stay bounded by the body caps, not grow with what the server sends. The one
// answer read past 256 KiB is the API document (up to 16 MiB, as large public documents are): its chunks, their
// join and its text are each held once at the peak, with the heap's slack. Target: under 6 x 16 MiB = 96 MiB.
import { checkApi, defaultLimits } from '@faultline/check';
import { startChildServer } from './child-server.js';

const wallTarget = 10_000;
const memoryTarget = 6 * 16 * 1024 * 1024;

/** Runs `work` while sampling RSS; resolves with its result and the peak RSS growth over the start. */
async function peakRss(work) {
  globalThis.gc?.();
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, growth: peak - start };
  } finally {
    clearInterval(timer);
  }
}

const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Prints both tables; resolves with whether the run stayed under 10 s and the memory under its bound. */
export async function checkRun() {
  const api = await startChildServer('./target-server.js', 'reference-api');
  let run;
  try {
    const key = await api.ask('demo-key');
    const baseUrl = `http://127.0.0.1:${api.port}`;
    const started = performance.now();
    run = await checkApi({ baseUrl, headers: [['Authorization', `Bearer ${key}`]], catalog: `${baseUrl}/docs/errors.json` });
    run.wallMs = performance.now() - started;
  } finally {
    api.stop();
  }
  const floor = (run.requests / defaultLimits.rate) * 1000;
  const failed = run.checks.filter((check) => check.status === 'fail').map((check) => check.id);
  console.log('\ncheck-run: a default faultline check of the reference API');
  console.table({
    'default run': {
      requests: run.requests,
      'wall time (s)': (run.wallMs / 1000).toFixed(2),
      'pace floor (s)': (floor / 1000).toFixed(2),
      'wall / floor': (run.wallMs / floor).toFixed(2),
      failed: failed.join(', ') || 'none',
    },
  });

  const endless = await startChildServer('./endless-body-server.js');
  let memory;
  try {
    memory = await peakRss(() => checkApi({ baseUrl: `http://127.0.0.1:${endless.port}`, paths: ['/v1/things'] }));
  } finally {
    endless.stop();
  }
  console.log('check-run: memory against a server streaming an endless body on every answer');
  console.table({
    'endless bodies': {
      requests: memory.result.requests,
      'answers cut at the cap': memory.result.checks
        .flatMap((check) => check.findings)
        .filter((finding) => finding.response?.bodyCut).length,
      'peak RSS growth': mib(memory.growth),
      target: `< ${mib(memoryTarget)}`,
    },
  });
  const ok = run.wallMs < wallTarget && failed.length === 0 && memory.growth < memoryTarget;
  console.log(
    `check-run: ${ok ? 'within' : 'OUTSIDE'} the targets (run under ${wallTarget / 1000} s with no failed check, memory under ${mib(memoryTarget)})`,
  );
  return ok;
}
