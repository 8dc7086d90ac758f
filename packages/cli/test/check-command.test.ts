/**
 * `faultline check` as users run it: the built program in a child process,
 * against small node:http servers; its output and its exit status (0 pass,
 * 1 a check failed, 2 a usage error, 3 unreachable).
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

function faultline(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [program, ...args], { cwd: root, timeout: 30_000 }, (error, stdout, stderr) => {
      const status = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ status, stdout, stderr });
    });
  });
}

/** Answers every request with an HTML 404, as many frameworks do out of the box. */
let htmlServer: Server;
let url: string;

beforeAll(async () => {
  htmlServer = createServer((request, response) => {
    response.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!DOCTYPE html><pre>Cannot ${request.method} ${request.url?.slice(0, 50)}</pre>`);
  });
  await new Promise<void>((resolve) => htmlServer.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(htmlServer.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => htmlServer.close(() => resolve())));

describe('faultline check', () => {
  it('exits 1 when a check fails, and shows the request, the answer, the fix and the docs link', async () => {
    const run = await faultline(['check', url, '--path', '/v1/things', '--header', 'Authorization: Bearer very-secret-token']);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('FAIL  1 unknown-path');
    expect(run.stdout).toContain('✗ the 404 is not an error body: the body is "text/html", not JSON');
    expect(run.stdout).toContain(`> GET ${url}/faultline-check-no-such-path`);
    expect(run.stdout).toContain('< content-type: text/html; charset=utf-8');
    expect(run.stdout).toContain('Fix: Register a catch-all "not found" handler');
    expect(run.stdout).toContain(
      'Docs: https://github.com/faultline-dev/faultline/blob/main/packages/check/docs/checks.md#unknown-path',
    );
    expect(run.stdout).not.toContain('very-secret-token');
    expect(run.stdout).toContain('Authorization: [redacted]');
  });

  it('writes JUnit XML with a failure per failed check', async () => {
    const run = await faultline(['check', url, '--path', '/v1/things', '--format', 'junit']);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="faultline check" tests="14" failures="\d+"/,
    );
    expect(run.stdout).toContain(
      '<failure message="the 404 is not an error body: the body is &quot;text/html&quot;, not JSON" type="unknown-path">',
    );
  });

  it('exits 3 when the API cannot be reached', async () => {
    const run = await faultline(['check', 'http://127.0.0.1:1']);
    expect(run.status).toBe(3);
    expect(run.stdout).toContain('Could not reach http://127.0.0.1:1/: could not connect to 127.0.0.1:1: ECONNREFUSED');
  });

  it.each([
    [[], 'the base URL is required, e.g. faultline check http://127.0.0.1:3000'],
    [
      ['ftp://example.com'],
      'the base URL must be an http or https URL without credentials, query or fragment, not "ftp://example.com"',
    ],
    [['http://x', 'http://y'], 'one base URL only; also got http://y'],
    [['http://x', '--format', 'xml'], '--format must be one of text, json, junit; not "xml"'],
    [['http://x', '--rate', '0'], '--rate must be a positive whole number, not "0"'],
    [['http://x', '--header', 'no colon here'], '--header must be "Name: value", e.g. --header "Authorization: Bearer <key>"'],
    [['http://127.0.0.1:1', '--openapi', 'missing.yaml'], '--openapi missing.yaml: no such file'],
    [
      ['http://127.0.0.1:1', '--openapi', 'https://example.com/openapi.json'],
      '--openapi https://example.com/openapi.json is on another origin than the target (http://127.0.0.1:1); only the target is contacted, so save it to a file and pass the file',
    ],
    [['http://x', '--bogus'], 'unknown option --bogus'],
  ])('exits 2 for %j', async (args, message) => {
    const run = await faultline(['check', ...args]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`faultline check: ${message} (see faultline check --help)\n`);
    expect(run.stdout).toBe('');
  });
});
