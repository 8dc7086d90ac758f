/**
 * `npm run example -- <name>` (examples/run.js), as the README shows it: a
 * wrong or missing name lists the examples and exits 2; a right one builds,
 * starts the example in the foreground, and Ctrl-C (SIGINT to the terminal's
 * process group) stops it. Run after the build, so the runner's build is quick.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readmeExampleFrom } from '../readme-examples.js';
import { exampleNames, root } from './example-process.js';
import { send } from './send.js';

interface Ended {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const started: ChildProcess[] = [];

/** Each process is the leader of its own group, as a terminal's foreground job is, so the group can get a signal. */
function start(args: readonly string[]): ChildProcess {
  const child = spawn(args[0] as string, args.slice(1), {
    cwd: root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  started.push(child);
  return child;
}

function ended(child: ChildProcess, timeoutMs: number): Promise<Ended> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`still running after ${timeoutMs / 1000} s:\n${stdout}\n${stderr}`)),
      timeoutMs,
    );
    child.on('exit', (code) => {
      clearTimeout(timer);
      // The pipes may hold the last output still.
      setImmediate(() => resolve({ code, stdout, stderr }));
    });
  });
}

/** Resolves with the URL of the `Listening on` line, within 120 s (the runner builds first). */
function listening(child: ChildProcess): Promise<string> {
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "Listening on" line in 120 s:\n${stdout}\n${stderr}`)), 120_000);
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^Listening on (http:\/\/\S+)$/m.exec(stdout);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code} before listening:\n${stdout}\n${stderr}`)));
  });
}

afterEach(() => {
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is gone already.
      }
    }
  }
});

describe('npm run example', () => {
  it.each([
    { args: [], said: 'Name the example to start.' },
    { args: ['django'], said: 'There is no example "django".' },
  ])('with $args lists the examples and exits 2', async ({ args, said }) => {
    const run = await ended(start([process.execPath, 'examples/run.js', ...args]), 30_000);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(said);
    expect(run.stderr).toContain(`Choose one of: ${[...exampleNames()].sort().join(', ')}.`);
    expect(run.stderr).toContain('npm run example -- ');
  });

  it("the README's command builds and serves the fastify example until Ctrl-C", async () => {
    const command = readmeExampleFrom(join(root, 'README.md'), 'run-example').trim();
    expect(command).toBe('npm run example -- fastify');
    const child = start(command.split(' '));
    const end = ended(child, 150_000);
    const url = await listening(child);
    const answer = await send(url, { method: 'GET', path: '/v1/notes', headers: { authorization: 'Bearer example-key' } });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ data: [] });
    // Ctrl-C: the terminal signals the whole foreground group, npm, the runner and the server.
    process.kill(-(child.pid as number), 'SIGINT');
    await end;
    await expect(send(url, { method: 'GET', path: '/v1/notes' })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('passes a SIGTERM sent to the runner alone on to the server, and exits 0 with it', async () => {
    const child = start([process.execPath, 'examples/run.js', 'fastify']);
    const end = ended(child, 150_000);
    const url = await listening(child);
    child.kill('SIGTERM');
    const run = await end;
    expect(run.code).toBe(0);
    await expect(send(url, { method: 'GET', path: '/v1/notes' })).rejects.toThrow(/ECONNREFUSED/);
  });
});
