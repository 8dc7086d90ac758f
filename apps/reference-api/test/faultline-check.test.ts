/**
 * `faultline check` against the reference API: every check passes in each of
 * its four error formats, with the settings `npm start` uses; and the built
 * `faultline check` program, run as CI runs it, exits 0 with a report that
 * never prints the API key.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProfileName } from '@faultline/core';
import { checkApi, checkDefinitions, type CheckReport } from '@faultline/check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../src/index.js';
import { openReferenceServer, type ReferenceServer } from './reference-server.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const program = join(root, 'packages/cli/dist/faultline.js');
const profiles: readonly ProfileName[] = ['problem', 'classic', 'message', 'oauth'];
/** The envelope each format is recognised as. */
const shapes = {
  problem: 'faultline-problem',
  classic: 'faultline-classic',
  message: 'faultline-message',
  oauth: 'oauth2',
} as const;

let server: ReferenceServer;

beforeAll(async () => {
  server = await openReferenceServer();
});

afterAll(() => server.close());

/** An app with the limits `npm start` applies, in one error format. */
async function listen(profile: ProfileName): Promise<string> {
  const config = readConfig({ ERROR_FORMAT: profile });
  return server.listen({
    profile,
    rateLimits: config.rateLimits,
    teamRateLimits: config.teamRateLimits,
    serverLimits: config.serverLimits,
    overload: config.overload,
  });
}

function statuses(report: CheckReport): Record<string, string> {
  return Object.fromEntries(
    report.checks.map((result) => [
      result.id,
      result.status === 'pass'
        ? 'pass'
        : `${result.status}: ${result.skipped ?? result.findings.map((f) => f.message).join(' | ')}`,
    ]),
  );
}

describe('faultline check against the reference API', () => {
  it.each(profiles)('passes every check in the %s format', async (profile) => {
    const baseUrl = await listen(profile);
    const report = await checkApi({
      baseUrl,
      headers: [['Authorization', `Bearer ${server.apiKey}`]],
      catalog: `${baseUrl}/docs/errors.json`,
      flood: 120,
      allowWrites: true,
      maxWaitMs: 5000,
    });
    expect(statuses(report)).toEqual(Object.fromEntries(checkDefinitions.map((definition) => [definition.id, 'pass'])));
    expect(report.shape).toBe(shapes[profile]);
    expect(report.ok).toBe(true);
  });

  it('the faultline check program exits 0 on the default run, and never prints the API key', async () => {
    expect(existsSync(program), `${program} is missing: run npm run build first`).toBe(true);
    const baseUrl = await listen('problem');
    const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [
          program,
          'check',
          baseUrl,
          '--header',
          `Authorization: Bearer ${server.apiKey}`,
          '--catalog',
          `${baseUrl}/docs/errors.json`,
          '--format',
          'json',
        ],
        { timeout: 60_000 },
        (error, stdout, stderr) =>
          resolve({ status: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr }),
      );
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).not.toContain(server.apiKey);
    const report = JSON.parse(run.stdout) as CheckReport;
    expect(report.schemaVersion).toBe(1);
    expect(report.summary.fail).toBe(0);
    // Without --flood and --allow-writes, those checks say why they did not run; everything else ran and passed.
    expect(report.checks.filter((check) => check.status === 'skip').map((check) => check.id)).toEqual(['rate-limit']);
    expect(report.summary.pass).toBe(checkDefinitions.length - 1);
  });
});
