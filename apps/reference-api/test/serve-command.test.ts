/**
 * `faultline serve`, the reference API's command, as users run it: the built
 * `faultline` program of @faultline/cli in a child process, which loads the
 * command from this app (`npm test` builds first).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const program = join(root, 'packages/cli/dist/faultline.js');

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function faultline(args: readonly string[], cwd = root): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [program, ...args], { cwd, timeout: 20_000 }, (error, stdout, stderr) => {
      const status = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ status, stdout, stderr });
    });
  });
}

let directory: string;

beforeAll(() => {
  expect(existsSync(program), `${program} is missing: run npm run build first`).toBe(true);
  directory = mkdtempSync(join(tmpdir(), 'faultline-serve-'));
  writeFileSync(join(directory, 'a-file'), 'not a directory\n');
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('faultline serve --help', () => {
  it('explains every option, with the PostgreSQL and SQLite forms of --database, with -h, --help or "help serve"', async () => {
    for (const args of [
      ['serve', '--help'],
      ['serve', '-h'],
      ['help', 'serve'],
    ]) {
      const run = await faultline(args);
      expect({ args, status: run.status, stderr: run.stderr }).toEqual({ args, status: 0, stderr: '' });
      expect(run.stdout).toContain('Usage: faultline serve');
      for (const option of ['--port', '--host', '--database', '--profile', '--log-level']) expect(run.stdout).toContain(option);
      expect(run.stdout).toContain('postgres://USER:PASSWORD@HOST:PORT/DB');
      expect(run.stdout).toContain('sqlite::memory:');
    }
  });
});

describe('faultline serve', () => {
  it('serves the reference API with its error reference until SIGTERM, then exits 0', async () => {
    const child = spawn(
      process.execPath,
      [program, 'serve', '--port', '0', '--database', 'sqlite::memory:', '--log-level', 'warn'],
      {
        cwd: directory,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = /Error reference: (http:\/\/127\.0\.0\.1:\d+)\/docs\/errors/.exec(stdout);
          if (match) resolve(match[1] as string);
        });
        void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
      });
      expect(stdout).toMatch(/Created the demo API key: flk_\S+/);
      const docs = await fetch(`${url}/docs/errors`);
      expect(docs.status).toBe(200);
      expect(docs.headers.get('content-security-policy')).toContain("script-src 'sha256-");
      expect(await docs.text()).toContain('<section id="not_found" ');
      const me = await fetch(`${url}/v1/me`);
      expect(me.status).toBe(401);
      expect(((await me.json()) as { code: string }).code).toBe('unauthorized_request');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('exits 2 naming the option for a bad --port or --profile', async () => {
    const port = await faultline(['serve', '--port', 'eighty']);
    expect(port.status).toBe(2);
    expect(port.stderr).toBe(
      'faultline serve: --port must be a port number (0-65535), not "eighty" (see faultline serve --help)\n',
    );
    const profile = await faultline(['serve', '--profile', 'xml']);
    expect(profile.status).toBe(2);
    expect(profile.stderr).toBe(
      'faultline serve: --profile must be one of problem, classic, message, oauth; not "xml" (see faultline serve --help)\n',
    );
  });

  it('exits 1 when the reference API cannot start', async () => {
    const run = await faultline(
      ['serve', '--port', '0', '--database', `sqlite:${join(directory, 'a-file', 'db.sqlite')}`],
      directory,
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^faultline serve: could not start the reference API: /);
  });
});
