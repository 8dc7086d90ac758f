/**
 * The `faultline` command as users run it: the built program in a child
 * process (`npm test` builds first), checked by its output, the files it
 * writes and its exit status.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { builtinCatalog, profileNames } from '@faultline/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const program = join(root, 'packages/cli/dist/faultline.js');
const coreModule = pathToFileURL(join(root, 'packages/core/dist/index.js')).href;

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function faultline(args: readonly string[], cwd = root, command = process.execPath, prefix = [program]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, [...prefix, ...args], { cwd, timeout: 20_000 }, (error, stdout, stderr) => {
      const status = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ status, stdout, stderr });
    });
  });
}

let directory: string;

beforeAll(() => {
  expect(existsSync(program), `${program} is missing: run npm run build first`).toBe(true);
  directory = mkdtempSync(join(tmpdir(), 'faultline-cli-'));
  writeFileSync(
    join(directory, 'teapot-catalog.mjs'),
    `import { defineCatalog } from ${JSON.stringify(coreModule)};
export default defineCatalog({
  teapot_busy: {
    status: 418, title: 'Teapot busy', description: 'The teapot is brewing.', action: 'Wait a minute.',
    category: 'rate_limit', retry: 'retry-after', headers: ['Retry-After'],
  },
  kettle_cold: {
    status: 503, title: 'Kettle cold', description: 'The kettle is off.', action: 'Switch it on.',
    category: 'server', retry: 'backoff', occursIn: ['api', 'oauth-token'],
  },
});
`,
  );
  writeFileSync(
    join(directory, 'named-catalog.mjs'),
    `import { defineCatalog } from ${JSON.stringify(coreModule)};
export const catalog = defineCatalog({
  only_code: { status: 400, title: 'Only code', description: 'The only one.', action: 'None.', category: 'invalid_request', retry: 'never' },
});
`,
  );
  writeFileSync(join(directory, 'no-catalog.mjs'), 'export const something = 42;\n');
  writeFileSync(join(directory, 'throws.mjs'), "throw new Error('boom at load');\n");
  writeFileSync(join(directory, 'a-file'), 'not a directory\n');
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('faultline --help', () => {
  it('lists the commands and exits 0', async () => {
    const run = await faultline(['--help']);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('Usage: faultline <command> [options]');
    for (const command of ['check', 'serve', 'docs', 'catalog']) expect(run.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it('has a help page for each command, with -h, --help or "help <command>"', async () => {
    for (const [command, option] of [
      ['docs', '--out'],
      ['catalog', '--catalog'],
      ['check', '--max-requests'],
    ] as const) {
      for (const args of [
        [command, '--help'],
        [command, '-h'],
        ['help', command],
      ]) {
        const run = await faultline(args);
        expect({ args, status: run.status }).toEqual({ args, status: 0 });
        expect(run.stdout).toContain(`Usage: faultline ${command}`);
        expect(run.stdout).toContain(option);
      }
    }
  });

  it('prints the version of its package.json with --version or -v', async () => {
    const { version } = JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8')) as { version: string };
    for (const option of ['--version', '-v']) {
      const run = await faultline([option]);
      expect({ option, status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({
        option,
        status: 0,
        stdout: `${version}\n`,
        stderr: '',
      });
    }
  });

  it('runs through the bin npm links into node_modules/.bin', async () => {
    const run = await faultline(['--help'], root, join(root, 'node_modules/.bin/faultline'), []);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: faultline <command> [options]');
  });

  it('prints the usage on stderr and exits 2 without a command', async () => {
    const run = await faultline([]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Usage: faultline <command> [options]');
  });

  it('names an unknown command in one line and exits 2', async () => {
    const run = await faultline(['publish']);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      'faultline: unknown command "publish"; the commands are check, serve, docs, catalog (see faultline --help)\n',
    );
  });
});

describe('faultline docs', () => {
  it('writes errors.html and errors.md for the built-in catalog, with every code and every profile', async () => {
    const out = join(directory, 'site', 'nested');
    const run = await faultline(['docs', '--out', out]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(
      `Wrote ${builtinCatalog.codes.length} codes to ${join(out, 'errors.html')} and ${join(out, 'errors.md')}\n`,
    );
    const html = readFileSync(join(out, 'errors.html'), 'utf8');
    const markdown = readFileSync(join(out, 'errors.md'), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    for (const code of builtinCatalog.codes) {
      expect(html).toContain(`<section id="${code}" `);
      expect(markdown).toContain(`<a id="${code}"></a>`);
    }
    for (const profile of profileNames) expect(html).toContain(`<summary>${profile} format</summary>`);
    expect(html).toContain('<details open><summary>problem format</summary>');
    expect(html).toContain('&quot;type&quot;: &quot;/docs/errors#not_found&quot;');
    expect(html).toMatch(
      /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;sha256-/,
    );
  });

  it('opens the example of --profile, links types into --docs-url and uses --title, with paths relative to the cwd', async () => {
    const run = await faultline(
      [
        'docs',
        '--profile',
        'classic',
        '--out',
        'relative',
        '--docs-url',
        'https://api.example.com/errors',
        '--title',
        'Our errors',
      ],
      directory,
    );
    expect(run.status).toBe(0);
    const html = readFileSync(join(directory, 'relative', 'errors.html'), 'utf8');
    expect(html).toContain('<details open><summary>classic format</summary>');
    expect(html).not.toContain('<details open><summary>problem format</summary>');
    expect(html).toContain('<title>Our errors</title>');
    expect(html).toContain('https://api.example.com/errors#not_found');
    expect(readFileSync(join(directory, 'relative', 'errors.md'), 'utf8')).toContain('classic format (this server):');
  });

  it('documents a custom catalog module that exports its catalog as default', async () => {
    const run = await faultline(['docs', '--catalog', 'teapot-catalog.mjs', '--out', 'teapot'], directory);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Wrote 2 codes');
    const html = readFileSync(join(directory, 'teapot', 'errors.html'), 'utf8');
    const ids = [...html.matchAll(/<section id="([a-z0-9_]+)"/g)].map((match) => match[1]);
    expect(ids).toEqual(['teapot_busy', 'kettle_cold']);
    expect(html).toMatch(/<tr><td>418<\/td>.*<a href="#teapot_busy">/);
    expect(html).toContain('<dt>Where</dt><dd>API responses, OAuth2 token endpoint</dd>');
    const markdown = readFileSync(join(directory, 'teapot', 'errors.md'), 'utf8');
    expect(markdown).toContain('### `kettle_cold`: 503 Kettle cold');
    expect(markdown).not.toContain('not_found');
  });

  it('accepts a catalog exported as "catalog"', async () => {
    const run = await faultline(['docs', '--catalog', join(directory, 'named-catalog.mjs'), '--out', join(directory, 'named')]);
    expect(run.status).toBe(0);
    expect(readFileSync(join(directory, 'named', 'errors.html'), 'utf8')).toContain('<section id="only_code" ');
  });

  it('exits 2 with a one-line error naming the argument for each usage mistake', async () => {
    const cases: [string[], string][] = [
      [['docs'], 'faultline docs: --out DIR is required (see faultline docs --help)\n'],
      [
        ['docs', '--out', 'x', '--profile', 'xml'],
        'faultline docs: --profile must be one of problem, classic, message, oauth; not "xml" (see faultline docs --help)\n',
      ],
      [['docs', '--out', 'x', '--colour'], 'faultline docs: unknown option --colour (see faultline docs --help)\n'],
      [['docs', '--out'], 'faultline docs: --out needs a value (see faultline docs --help)\n'],
      [
        ['docs', '--out', 'x', 'extra'],
        'faultline docs: unexpected argument extra; this command takes only options (see faultline docs --help)\n',
      ],
      [
        ['docs', '--out', 'x', '--catalog', 'missing.mjs'],
        'faultline docs: --catalog missing.mjs: no such file (see faultline docs --help)\n',
      ],
    ];
    for (const [args, message] of cases) {
      const run = await faultline(args, directory);
      expect({ args, status: run.status, stderr: run.stderr, stdout: run.stdout }).toEqual({
        args,
        status: 2,
        stderr: message,
        stdout: '',
      });
    }
    expect(existsSync(join(directory, 'x'))).toBe(false);
  });

  it('exits 1 when the catalog module exports no catalog, fails to load, or the output cannot be written', async () => {
    const noCatalog = await faultline(['docs', '--out', 'y', '--catalog', 'no-catalog.mjs'], directory);
    expect(noCatalog.status).toBe(1);
    expect(noCatalog.stderr).toBe(
      'faultline docs: the catalog module no-catalog.mjs exports no Catalog as "default" or "catalog" (build one with defineCatalog from @faultline/core)\n',
    );
    const throws = await faultline(['docs', '--out', 'y', '--catalog', 'throws.mjs'], directory);
    expect(throws.status).toBe(1);
    expect(throws.stderr).toBe('faultline docs: could not load the catalog module throws.mjs: boom at load\n');
    const blocked = await faultline(['docs', '--out', 'a-file'], directory);
    expect(blocked.status).toBe(1);
    expect(blocked.stderr).toMatch(/^faultline docs: could not write to a-file: .*(EEXIST|ENOTDIR)/);
    expect(blocked.stderr.split('\n')).toHaveLength(2);
  });
});

describe('faultline catalog', () => {
  it('prints the built-in catalog as indented JSON', async () => {
    const run = await faultline(['catalog']);
    expect(run.status).toBe(0);
    const body = JSON.parse(run.stdout) as {
      errors: { code: string; status: number; written_as: object }[];
      statuses: unknown[];
    };
    expect(body.errors.map((entry) => entry.code)).toEqual([...builtinCatalog.codes]);
    for (const entry of body.errors) {
      expect(entry.status).toBe(builtinCatalog.get(entry.code as never).status);
      expect(Object.keys(entry.written_as).sort()).toEqual([...profileNames].sort());
    }
    expect(body.statuses.length).toBeGreaterThan(10);
    expect(run.stdout).toContain('\n  "errors": [');
  });

  it('prints a custom catalog, on one line with --compact', async () => {
    const run = await faultline(['catalog', '--catalog', 'teapot-catalog.mjs', '--compact'], directory);
    expect(run.status).toBe(0);
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
    const body = JSON.parse(run.stdout) as { errors: { code: string; retryable: boolean; occursIn: string[] }[] };
    expect(body.errors.map((entry) => entry.code)).toEqual(['teapot_busy', 'kettle_cold']);
    expect(body.errors[1]).toMatchObject({ retryable: true, occursIn: ['api', 'oauth-token'] });
  });

  it('exits 2 for an option it does not know', async () => {
    const run = await faultline(['catalog', '--pretty']);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('faultline catalog: unknown option --pretty (see faultline catalog --help)\n');
  });
});
