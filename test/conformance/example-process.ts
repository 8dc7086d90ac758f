/**
 * The examples as a user starts them: `node examples/<name>/server.js`, a
 * real child process on a free port, ready when it prints its one
 * `Listening on` line. Every wait is bounded and every process is stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
const examplesDirectory = join(root, 'examples');

/** Every example there is: each folder of examples/ with a server.js, the reference (fastify) first. */
export function exampleNames(): string[] {
  const names = readdirSync(examplesDirectory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(examplesDirectory, entry.name, 'server.js')))
    .map((entry) => entry.name)
    .sort();
  return [...names.filter((name) => name === referenceExample), ...names.filter((name) => name !== referenceExample)];
}

/** The example the others are compared with. */
export const referenceExample = 'fastify';

/** The variables the examples read; the suite sets each of them itself, whatever the environment it runs in. */
const exampleVariables = ['PORT', 'HOST', 'EXAMPLE_API_KEY', 'EXAMPLE_RATE_LIMIT', 'FAULTLINE_PROFILE'];

export interface RunningExample {
  readonly name: string;
  /** `http://127.0.0.1:<port>`, as the example printed it. */
  readonly url: string;
  /** Everything the process wrote to stdout and stderr so far (its log). */
  output(): string;
  /** SIGTERM, then the exit code once it has exited (SIGKILL after 10 s, and the code is null). */
  stop(): Promise<number | null>;
}

const startTimeoutMs = 30_000;
const stopTimeoutMs = 10_000;

/** Starts one example with these variables, on `PORT=0`, and resolves once it is listening. */
export function startExample(name: string, variables: Readonly<Record<string, string>> = {}): Promise<RunningExample> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const variable of exampleVariables) delete env[variable];
  Object.assign(env, { PORT: '0', HOST: '127.0.0.1', ...variables });
  const child = spawn(process.execPath, [join(examplesDirectory, name, 'server.js')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`examples/${name}/server.js ${why}.\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    };
    const timer = setTimeout(() => fail(`printed no "Listening on" line in ${startTimeoutMs / 1000} s`), startTimeoutMs);
    child.on('error', (error) => fail(`could not be started: ${error.message}`));
    const onExit = (code: number | null): void => fail(`exited with code ${code} before it was listening`);
    child.on('exit', onExit);
    child.stdout.on('data', () => {
      if (settled) return;
      const firstLine = stdout.split('\n')[0] as string;
      if (!stdout.includes('\n')) return;
      const listening = /^Listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(firstLine);
      if (listening === null) {
        fail(`printed "${firstLine}" first, not "Listening on http://127.0.0.1:<port>"`);
        return;
      }
      settled = true;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve({
        name,
        url: listening[1] as string,
        output: () => stdout + stderr,
        stop: () => stopProcess(child, exited),
      });
    });
  });
}

async function stopProcess(child: ChildProcess, exited: Promise<number | null>): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), stopTimeoutMs)));
  const code = await Promise.race([exited, late]);
  clearTimeout(timer);
  if (code !== 'late') return code;
  child.kill('SIGKILL');
  await exited;
  return null;
}
