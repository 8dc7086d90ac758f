/**
 * The built reference API as a real child process (`node dist/main.js`), for
 * tests that kill it, restart it on the same database, or run several at once:
 * start it and wait for its banner, SIGKILL it and wait for its exit, and kill
 * whatever a test file left running. Every wait is bounded and says what it
 * waited for.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DatabaseLocation } from '../src/index.js';
import { databaseUrl } from './test-database.js';

/** `apps/reference-api/dist/main.js`, what `npm start` runs; the processes run the build, not the source. */
const referenceApiMain = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** How long a process may take to print its banner: far above a start on a loaded machine, below the tests' timeouts. */
const bannerTimeoutMs = 60_000;
/** How long a SIGKILLed process may take to be reported gone. */
const exitTimeoutMs = 10_000;

/**
 * The whole banner, from its address to its last line: it is one write, but a
 * pipe may hand it over in pieces, and a port or demo key cut short must not be
 * read.
 */
const wholeBanner = /Faultline reference API on (http:\/\/127\.0\.0\.1:(\d+)) [\s\S]*?\nError reference: \S+\n/;

export interface ApiProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** `http://127.0.0.1:PORT`, from the banner. */
  readonly url: string;
  readonly port: number;
  /** What the process printed on stdout up to and with its banner (the demo key's line among it). */
  readonly banner: string;
}

/**
 * The environment of a process on `location` that listens on a free loopback
 * port, neither rate-limits keys nor sheds load (the tests count other things)
 * and logs nothing. Spread it and add to it for more.
 *
 * @example
 * await processes.start(directory, { ...apiEnvironment(location), REDIS_URL: redis.url });
 */
export function apiEnvironment(location: DatabaseLocation): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl(location),
    RATE_LIMITS: 'off',
    OVERLOAD_MAX_IN_FLIGHT: 'off',
    OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: 'off',
    LOG_LEVEL: 'silent',
  };
}

/**
 * Throws unless the build is there, and, with `feature`, recent enough to hold
 * `dist/<feature.file>`: the processes would otherwise run old code.
 *
 * @example
 * requireReferenceApiBuild({ file: 'quota/monthly-recipient-quota.js', what: 'the monthly quota' });
 */
export function requireReferenceApiBuild(feature?: { readonly file: string; readonly what: string }): void {
  if (!existsSync(referenceApiMain)) throw new Error(`${referenceApiMain} is missing: build with "npx tsc -b" first.`);
  if (feature !== undefined && !existsSync(fileURLToPath(new URL(`../dist/${feature.file}`, import.meta.url))))
    throw new Error(`The build predates ${feature.what}: build with "npx tsc -b" first.`);
}

/**
 * The reference-API processes one test file starts: each is remembered the
 * moment it is spawned, so {@link ApiProcesses.killAll} in `afterAll` ends any
 * a failed or timed-out test left running.
 *
 * @example
 * const processes = new ApiProcesses();
 * afterAll(() => processes.killAll());
 * const api = await processes.start(directory, apiEnvironment(location));
 * await killProcess(api.child);
 */
export class ApiProcesses {
  readonly #children: ChildProcessWithoutNullStreams[] = [];

  /** Every process started so far, running or not. */
  get children(): readonly ChildProcessWithoutNullStreams[] {
    return this.#children;
  }

  /**
   * Runs `node dist/main.js` in `cwd` with `environment` over this process's
   * own, and resolves once its banner is out. Rejects, with what it printed,
   * if it exits first or prints no banner within a minute (then it is killed).
   */
  start(cwd: string, environment: Readonly<Record<string, string>>): Promise<ApiProcess> {
    const child = spawn(process.execPath, [referenceApiMain], {
      cwd,
      env: { ...process.env, ...environment },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.#children.push(child);
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`The reference API printed no banner within ${bannerTimeoutMs / 1000} s: ${stderr}${stdout}`));
      }, bannerTimeoutMs);
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const found = wholeBanner.exec(stdout);
        if (found === null) return;
        clearTimeout(timer);
        resolve({ child, url: found[1] as string, port: Number(found[2]), banner: stdout });
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`The reference API exited with ${code}: ${stderr}${stdout}`));
      });
    });
  }

  /** SIGKILLs every process still running, one after the other. */
  async killAll(): Promise<void> {
    for (const child of this.#children) await killProcess(child);
  }
}

/**
 * SIGKILLs `child` (a crash: no shutdown, no answer sent) and resolves once it
 * has exited; at once if it already has. Rejects if no exit is reported within
 * ten seconds.
 */
export async function killProcess(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Process ${child.pid} did not exit within ${exitTimeoutMs / 1000} s of SIGKILL.`)),
      exitTimeoutMs,
    );
  });
  try {
    await Promise.race([exited, late]);
  } finally {
    clearTimeout(timer);
  }
}
