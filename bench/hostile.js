// Hostile traffic: one reference API process, started as `npm start` starts it
// (its defaults, SQLite), is attacked at once by slow sockets, body bombs and a
// flood of wrong API keys, while a well-behaved client measures its success
// rate and latency. The same client first measures the idle server. Targets
// (issue #12): at least 99% 2xx under attack, and a p99 within 5x the idle p99.
// Loopback only; every phase is bounded in time and every attacker in count.
import { execFileSync, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pinned } from './child-server.js';

const seconds = Number(process.env.BENCH_HOSTILE_SECONDS ?? 15);
const slowSockets = Number(process.env.BENCH_SLOW_SOCKETS ?? 1100);
// Which attacks run together: all three by default; one alone shows what each costs.
const attacks = (process.env.BENCH_HOSTILE_ATTACKS ?? 'slow,bombs,flood').split(',');
const floodAddresses = 25;
const floodConnectionsPerAddress = 2;
// Well under the demo key's default burst limit (50 a second), even when a stalled server takes a second's requests at once.
const clientRate = 20;
const requestTimeoutMs = 10_000;
const targets = { successShare: 0.99, p99Ratio: 5 };

const root = fileURLToPath(new URL('../', import.meta.url));
const apiDirectory = join(root, 'apps/reference-api/dist');

/** `npm run fixtures` on `databaseUrl`: the demo key, and a key and campaign of another team for the bombs. */
function fixtures(env) {
  const printed = execFileSync(process.execPath, [join(apiDirectory, 'fixtures-command.js')], { env, encoding: 'utf8' });
  const parsed = JSON.parse(printed);
  const bomber = parsed.scenarios.quota_nearly_full;
  return { apiKey: parsed.apiKey, bombKey: bomber.apiKey, campaignId: bomber.campaignId };
}

/** `node apps/reference-api/dist/main.js`, on core 1 when pinning works; resolves once its banner names its URL. */
async function startApi(env) {
  const command = pinned ? ['taskset', '-c', '1', process.execPath] : [process.execPath];
  const child = spawn(command[0], [...command.slice(1), join(apiDirectory, 'main.js')], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let banner = '';
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      banner += chunk;
      const found = /Faultline reference API on (http:\/\/127\.0\.0\.1:(\d+))/.exec(banner);
      if (found) resolve({ base: found[1], port: Number(found[2]) });
    });
    child.once('exit', (code) => reject(new Error(`The reference API exited with ${code} before listening`)));
  });
  child.stdout.resume();
  return { ...url, stop: () => child.kill('SIGTERM') };
}

/**
 * The well-behaved client: GET /v1/campaigns with a valid key, sent on a fixed
 * schedule whatever the answers do (open loop). A closed-loop load generator
 * such as autocannon sends its next request only after an answer, so a server
 * that stalls simply receives fewer requests and its stalls vanish from the
 * figures; here each one counts. A request unanswered after 10 s is a failure
 * that counts its 10 s in the percentiles.
 */
async function wellBehaved(base, apiKey, durationSeconds = seconds) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const url = `${base}/v1/campaigns`;
  const one = () =>
    new Promise((resolve) => {
      const started = performance.now();
      const done = (status) => resolve({ status, ms: performance.now() - started });
      const request = http.get(
        url,
        { agent, headers: { authorization: `Bearer ${apiKey}` }, signal: AbortSignal.timeout(requestTimeoutMs) },
        (response) => {
          response.resume();
          response.on('end', () => done(String(response.statusCode)));
          response.on('error', () => done('error'));
        },
      );
      request.on('error', (error) => done(error.name === 'AbortError' ? 'timeout' : 'error'));
    });
  const sent = [];
  const interval = 1000 / clientRate;
  const end = performance.now() + durationSeconds * 1000;
  for (let next = performance.now(); next < end; next += interval) {
    sent.push(one());
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next + interval - performance.now())));
  }
  const answers = await Promise.all(sent);
  agent.destroy();
  const latencies = answers.map((answer) => answer.ms).sort((a, b) => a - b);
  const percentile = (p) => latencies[Math.max(0, Math.ceil(p * latencies.length) - 1)] ?? 0;
  const statuses = {};
  for (const { status } of answers) statuses[status] = (statuses[status] ?? 0) + 1;
  return {
    total: answers.length,
    share: answers.filter((answer) => answer.status.startsWith('2')).length / Math.max(answers.length, 1),
    p50: percentile(0.5),
    p99: percentile(0.99),
    detail: summary(statuses),
  };
}

const summary = (table) =>
  Object.entries(table)
    .sort(([, a], [, b]) => b - a)
    .map(([status, n]) => `${status}: ${n}`)
    .join(', ') || 'none';

/** Prints the hostile-traffic table; resolves with whether both targets were met. */
export async function hostile() {
  const directory = mkdtempSync(join(tmpdir(), 'faultline-bench-hostile-'));
  const env = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${join(directory, 'hostile.db')}`,
    LOG_LEVEL: 'silent',
  };
  for (const name of ['RATE_LIMITS', 'REDIS_URL', 'OVERLOAD_MAX_IN_FLIGHT', 'OVERLOAD_MAX_EVENT_LOOP_DELAY_MS']) delete env[name];
  const { apiKey, bombKey, campaignId } = fixtures(env);
  const api = await startApi(env);
  let attackers;
  try {
    // Warm-up at the same pace, then the idle baseline.
    await wellBehaved(api.base, apiKey, 2);
    const idle = await wellBehaved(api.base, apiKey);

    attackers = fork(fileURLToPath(new URL('./hostile-attack.js', import.meta.url)), [
      JSON.stringify({ port: api.port, bombKey, campaignId, slowSockets, floodAddresses, floodConnectionsPerAddress, attacks }),
    ]);
    attackers.send('start');
    await once(attackers, 'message');
    // Let the bombs and the flood reach full strength before measuring.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const attacked = await wellBehaved(api.base, apiKey);
    attackers.send('stop');
    const [seen] = await once(attackers, 'message');

    const ratio = attacked.p99 / Math.max(idle.p99, 1);
    console.log(
      `\nHostile traffic: one reference API (npm start defaults, SQLite)${pinned ? ' on its own core' : ''}, ${seconds} s per phase.`,
    );
    console.log(
      `Well-behaved client: GET /v1/campaigns with a valid key, ${clientRate} req/s on a fixed schedule (open loop), from 127.0.0.1.`,
    );
    const described = {
      slow: `${slowSockets} slow sockets to POST /oauth/token from 127.0.0.2 (headers without body, or a byte every 2 s)`,
      bombs: '3 body-bomb loops (~90,000 keys, ~500,000 levels deep; 127.0.0.3-5)',
      flood: `wrong API keys from ${floodAddresses} addresses x ${floodConnectionsPerAddress} connections`,
    };
    console.log(`Attack (BENCH_HOSTILE_ATTACKS): ${attacks.map((name) => described[name] ?? `unknown "${name}"`).join(', ')}.\n`);
    console.log('phase         requests  2xx share  p50 ms  p99 ms  answers');
    for (const [name, phase] of [
      ['idle', idle],
      ['under attack', attacked],
    ]) {
      console.log(
        `${name.padEnd(12)}  ${String(phase.total).padStart(8)}  ${(phase.share * 100).toFixed(2).padStart(8)}%  ` +
          `${phase.p50.toFixed(0).padStart(6)}  ${phase.p99.toFixed(0).padStart(6)}  ${phase.detail}`,
      );
    }
    console.log(
      `\nSlow sockets: ${seen.slow.opened} opened, ${seen.slow.closedByServer} closed by the server; answers: ${summary(seen.slow.answers)}.`,
    );
    console.log(
      `Body bombs: ${seen.bombs.sent} answered, slowest ${Math.round(seen.bombs.slowestMs)} ms; answers: ${summary(seen.bombs.answers)}.`,
    );
    console.log(`Wrong keys: ${seen.flood.sent} answered; answers: ${summary(seen.flood.answers)}.\n`);
    const shareMet = attacked.share >= targets.successShare;
    const p99Met = ratio <= targets.p99Ratio;
    console.log(
      `2xx share under attack ${(attacked.share * 100).toFixed(2)}% (target >= ${targets.successShare * 100}%): ${shareMet ? 'PASS' : 'FAIL'}`,
    );
    console.log(
      `p99 under attack ${attacked.p99.toFixed(0)} ms = ${ratio.toFixed(1)}x idle ${idle.p99.toFixed(0)} ms (target <= ${targets.p99Ratio}x): ${p99Met ? 'PASS' : 'FAIL'}`,
    );
    return shareMet && p99Met;
  } finally {
    if (attackers !== undefined && attackers.exitCode === null) attackers.kill('SIGKILL');
    api.stop();
    rmSync(directory, { recursive: true, force: true });
  }
}
