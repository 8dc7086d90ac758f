/**
 * The public packages as a user meets them: packed with `npm pack`, installed
 * from the tarballs into new projects outside this repository (an ES-module
 * JavaScript project, and a TypeScript one checked with NodeNext and with
 * bundler resolution), and the README's Fastify and client examples run there
 * exactly as the README shows them. Run after the build (`npm test` builds
 * first). Third-party packages come from the npm cache when they are in it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicPackages } from '../scripts/public-packages.js';
import { readmeExampleFrom } from './readme-examples.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const packages = publicPackages(root);
const readme = join(root, 'README.md');
const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};
/** The same third-party versions the repository builds and tests with. */
const devVersion = (name: string): string => `${name}@${rootManifest.devDependencies[name] as string}`;

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end (or `timeoutMs`), never rejecting: the caller asserts on the status and output. */
function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 300_000,
): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

const children: ChildProcess[] = [];

/** Starts a long-running process and resolves with the first match of `pattern` in its stdout, or rejects when it exits first or after 60 s. */
function startUntil(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  pattern: RegExp,
): Promise<{ match: RegExpExecArray; output: () => string }> {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${args.join(' ')} printed nothing matching ${pattern} in 60 s:\n${stdout}${stderr}`)),
      60_000,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = pattern.exec(stdout);
      if (match !== null) {
        clearTimeout(timer);
        resolve({ match, output: () => stdout + stderr });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with ${code} before printing ${pattern}:\n${stdout}${stderr}`));
    });
  });
}

function expectSuccess(result: Run, what: string): void {
  expect(result.status, `${what} failed:\n${result.stdout}\n${result.stderr}`).toBe(0);
}

/** The frameworks the README's examples run on, at the versions this repository tests. */
const frameworks = [devVersion('fastify'), devVersion('express'), devVersion('hono'), devVersion('@hono/node-server')];

/** A port nothing listens on now: the Express and Hono examples print the port they were given. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

let work: string;
let javascriptProject: string;
let typescriptProject: string;
let packed: { name: string; filename: string; files: string[] }[];

function newProject(name: string): string {
  const directory = join(work, name);
  mkdirSync(directory);
  writeFileSync(
    join(directory, 'package.json'),
    `${JSON.stringify({ name, version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`,
  );
  return directory;
}

const npmInstall = (directory: string, specs: readonly string[]) =>
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...specs], directory);

beforeAll(async () => {
  for (const { name, directory } of packages) {
    expect(existsSync(join(directory, 'dist', 'index.js')), `${name} is not built: run npm run build first`).toBe(true);
  }
  expect(
    existsSync(join(root, 'apps/reference-api/dist/main.js')),
    'the reference API is not built: run npm run build first',
  ).toBe(true);
  work = mkdtempSync(join(tmpdir(), 'faultline-install-'));
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);

  const pack = await run(
    'npm',
    [
      'pack',
      '--json',
      '--ignore-scripts',
      '--pack-destination',
      tarballs,
      ...packages.flatMap(({ directory }) => ['--workspace', directory]),
    ],
    root,
  );
  expectSuccess(pack, 'npm pack');
  packed = (JSON.parse(pack.stdout) as { name: string; filename: string; files: { path: string }[] }[]).map((entry) => ({
    name: entry.name,
    filename: join(tarballs, entry.filename),
    files: entry.files.map((file) => file.path),
  }));
  const tarballPaths = packed.map((entry) => entry.filename);

  // Both installs at once: each is mostly waiting on the npm cache.
  javascriptProject = newProject('esm-app');
  typescriptProject = newProject('typescript-app');
  const [javascript, typescript] = await Promise.all([
    npmInstall(javascriptProject, [...frameworks, ...tarballPaths]),
    npmInstall(typescriptProject, [
      ...frameworks,
      devVersion('typescript'),
      devVersion('@types/node'),
      devVersion('@types/express'),
      ...tarballPaths,
    ]),
  ]);
  expectSuccess(javascript, 'npm install in the JavaScript project');
  expectSuccess(typescript, 'npm install in the TypeScript project');
}, 900_000);

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('the packed packages', () => {
  it('are every public package, and ship each source map with the sources it names', () => {
    expect(packed.map((entry) => entry.name).sort()).toEqual(packages.map((entry) => entry.name).sort());
    for (const { name, filename, files } of packed) {
      expect(files, `${name} ships no LICENSE`).toContain('LICENSE');
      expect(files, `${name} ships no README.md`).toContain('README.md');
      for (const map of files.filter((file) => file.endsWith('.map'))) {
        // npm's file list is enough to check: the map's sources are relative to the map's own directory.
        const text = readFileSync(join(packages.find((entry) => entry.name === name)?.directory as string, map), 'utf8');
        for (const source of (JSON.parse(text) as { sources: string[] }).sources) {
          const path = posix.normalize(posix.join(posix.dirname(map), source));
          expect(files, `${name}: ${map} points at ${path}, which is not in ${filename}`).toContain(path);
        }
      }
    }
  });

  it('import in a plain ES-module project, each with nothing but its declared dependencies', async () => {
    const script = packages.map(({ name }) => `await import(${JSON.stringify(name)});`).join('\n');
    const result = await run(
      process.execPath,
      ['--input-type=module', '-e', `${script}\nconsole.log('imported');`],
      javascriptProject,
    );
    expectSuccess(result, 'importing every package');
    expect(result.stdout).toBe('imported\n');
  });
});

describe("the README's Fastify example, run as written", () => {
  it('answers a thrown catalog error, an unknown route and an unexpected error over HTTP, with no internals', async () => {
    writeFileSync(join(javascriptProject, 'app.js'), readmeExampleFrom(readme, 'fastify'));
    const { match } = await startUntil(
      ['app.js'],
      javascriptProject,
      { PORT: '0' },
      /Server listening at (http:\/\/127\.0\.0\.1:\d+)/,
    );
    const url = match[1] as string;

    const thing = await fetch(`${url}/v1/things/1`);
    expect(thing.status).toBe(404);
    expect(await thing.json()).toMatchObject({ code: 'not_found', error: 'No thing has this id.' });

    const nowhere = await fetch(`${url}/nowhere`);
    expect(nowhere.status).toBe(404);
    expect(await nowhere.json()).toMatchObject({ code: 'not_found' });

    const crash = await fetch(`${url}/v1/crash`);
    expect(crash.status).toBe(500);
    const body = await crash.text();
    expect(JSON.parse(body)).toMatchObject({ code: 'internal_error' });
    expect(body).not.toContain('db-7');
  });
});

describe("the README's Express and Hono examples, run as written", () => {
  for (const framework of ['express', 'hono'] as const) {
    it(`${framework}: the same answers as the Fastify example, and a 405 and a 400 of their own`, async () => {
      const file = `${framework}-app.js`;
      writeFileSync(join(javascriptProject, file), readmeExampleFrom(readme, framework));
      const port = await freePort();
      await startUntil([file], javascriptProject, { PORT: String(port) }, /Listening on port \d+/);
      const url = `http://127.0.0.1:${port}`;

      const thing = await fetch(`${url}/v1/things/1`);
      expect(thing.status).toBe(404);
      expect(thing.headers.get('x-request-id')).toMatch(/\S/);
      expect(await thing.json()).toMatchObject({ code: 'not_found', error: 'No thing has this id.' });

      const nowhere = await fetch(`${url}/nowhere`);
      expect(nowhere.status).toBe(404);
      expect(await nowhere.json()).toMatchObject({ code: 'not_found' });

      const wrongMethod = await fetch(`${url}/v1/things/1`, { method: 'DELETE' });
      expect(wrongMethod.status).toBe(405);
      expect(wrongMethod.headers.get('allow')).toContain('GET');
      expect(await wrongMethod.json()).toMatchObject({ code: 'method_not_allowed' });

      const broken = await fetch(`${url}/v1/things`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"name": ',
      });
      expect(broken.status).toBe(400);
      // The classic format's words for a body it cannot read, as on Fastify.
      expect(await broken.json()).toMatchObject({ code: 'invalid_parameter', error: expect.stringContaining('not valid JSON') });

      const created = await fetch(`${url}/v1/things`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"name":"a"}',
      });
      expect(created.status).toBe(201);
      expect(await created.json()).toEqual({ name: 'a' });

      const crash = await fetch(`${url}/v1/crash`);
      expect(crash.status).toBe(500);
      const body = await crash.text();
      expect(JSON.parse(body)).toMatchObject({ code: 'internal_error' });
      expect(body).not.toContain('db-7');
    });
  }
});

describe("the README's client example, run as written", () => {
  it('gets a NotFoundError with the request id from the reference API', async () => {
    const serverDirectory = mkdtempSync(join(work, 'reference-api-'));
    const { match, output } = await startUntil(
      [join(root, 'apps/reference-api/dist/main.js')],
      serverDirectory,
      { PORT: '0', HOST: '127.0.0.1', DATABASE_URL: 'sqlite::memory:', LOG_LEVEL: 'warn' },
      /Error reference: (http:\/\/127\.0\.0\.1:\d+)\/docs\/errors/,
    );
    const apiKey = /demo API key: (flk_\S+)/.exec(output())?.[1];
    expect(apiKey, `no demo key in:\n${output()}`).toBeDefined();

    writeFileSync(join(javascriptProject, 'client.js'), readmeExampleFrom(readme, 'client'));
    const result = await run(process.execPath, ['client.js'], javascriptProject, { API_URL: match[1], KEY: apiKey });
    expectSuccess(result, 'the client example');
    expect(result.stdout).toMatch(/^gone [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n$/);
  });
});

describe('the README examples in TypeScript (the Fastify, Express and Hono apps, the client and the typed client)', () => {
  const compilerOptions = { target: 'ES2022', strict: true, noEmit: true, types: ['node'], skipLibCheck: false };
  for (const [name, resolution] of [
    ['NodeNext', { module: 'NodeNext', moduleResolution: 'NodeNext' }],
    ['bundler', { module: 'ESNext', moduleResolution: 'bundler' }],
  ] as const) {
    it(`type-check with ${name} resolution and the project's own tsc`, async () => {
      const directory = join(typescriptProject, name);
      mkdirSync(directory, { recursive: true });
      writeFileSync(join(directory, 'app.ts'), readmeExampleFrom(readme, 'fastify'));
      writeFileSync(join(directory, 'express-app.ts'), readmeExampleFrom(readme, 'express'));
      writeFileSync(join(directory, 'hono-app.ts'), readmeExampleFrom(readme, 'hono'));
      writeFileSync(join(directory, 'client.ts'), readmeExampleFrom(readme, 'client'));
      writeFileSync(join(directory, 'reference-client.ts'), readmeExampleFrom(readme, 'reference-client'));
      writeFileSync(
        join(directory, 'tsconfig.json'),
        JSON.stringify({ compilerOptions: { ...compilerOptions, ...resolution }, include: ['*.ts'] }, null, 2),
      );
      const result = await run(
        process.execPath,
        [join(typescriptProject, 'node_modules/typescript/bin/tsc'), '-p', directory],
        directory,
      );
      expectSuccess(result, `tsc with ${name} resolution`);
    }, 300_000);
  }
});

describe('the faultline command, installed on its own', () => {
  const faultline = (args: readonly string[]) =>
    run(join(javascriptProject, 'node_modules/.bin/faultline'), args, javascriptProject);

  it('prints its version and the catalog', async () => {
    const version = await faultline(['--version']);
    expectSuccess(version, 'faultline --version');
    const manifest = JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8')) as { version: string };
    expect(version.stdout).toBe(`${manifest.version}\n`);
    const catalog = await faultline(['catalog']);
    expectSuccess(catalog, 'faultline catalog');
    expect((JSON.parse(catalog.stdout) as { errors: { code: string }[] }).errors.map((entry) => entry.code)).toContain(
      'not_found',
    );
  });

  it('says in one line that serve needs the reference API, which is not installed, and exits 1', async () => {
    const serve = await faultline(['serve']);
    expect(serve.status).toBe(1);
    expect(serve.stdout).toBe('');
    expect(serve.stderr).toMatch(
      /^faultline serve: the reference API \(@faultline\/reference-api\) is not installed here; .+\n$/,
    );
  });
});
