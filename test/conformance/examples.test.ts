/**
 * The conformance suite of the examples (examples/README.md): every
 * examples/<name>/server.js is started as a real process and sent the same
 * scripted requests (script.ts). Each answer is held to the spec, and each
 * example's answers must be the fastify example's, byte for byte once the
 * request id and the times are replaced: status, body, and the contract's
 * headers. Then `faultline check` runs against each example and no check may
 * fail. Run after the build: the examples import the packages' dist.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkApi, checkDefinitions, type CheckReport } from '@faultline/check';
import { builtinCatalog, readErrorEnvelope, type ProfileName } from '@faultline/core';
import { errorReferenceJson } from '@faultline/docs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleNames, referenceExample, root, startExample } from './example-process.js';
import { comparable } from './compare.js';
import { defaultKey, runs, type Run, type Step } from './script.js';
import { send, type Answer } from './send.js';

const names = exampleNames();
const envelopeNames: Readonly<Record<ProfileName, string>> = {
  problem: 'faultline-problem',
  classic: 'faultline-classic',
  message: 'faultline-message',
  oauth: 'oauth2',
};
const wellFormedRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

interface RunResult {
  readonly answers: readonly Answer[];
  readonly exitCode: number | null;
  readonly log: string;
}

/** Each example's answers, run by run, for the comparison with the reference example. */
const results = new Map<string, Map<string, RunResult>>();

/** Holds one answer to what the spec says of it. */
function assertSpec(step: Step, answer: Answer, run: Run): void {
  const { expect: expected } = step;
  const where = `${step.request.method} ${step.request.path}: ${answer.status} ${answer.body.slice(0, 600)}`;
  expect(answer.status, where).toBe(expected.status);

  const id = answer.headers['x-request-id'];
  expect(id, `x-request-id of ${where}`).toMatch(wellFormedRequestId);
  const sent = step.request.headers?.['x-request-id'];
  if (sent !== undefined) {
    if (wellFormedRequestId.test(sent)) expect(id).toBe(sent);
    else expect(id).not.toBe(sent);
  }

  const policy = answer.headers['ratelimit-policy'];
  if (expected.limited ?? true) {
    const quota = run.env['EXAMPLE_RATE_LIMIT'] ?? '100';
    expect(policy, `RateLimit-Policy of ${where}`).toMatch(new RegExp(`^"[A-Za-z][A-Za-z0-9_-]*";q=${quota};w=60$`));
    const name = (policy as string).slice(0, (policy as string).indexOf(';'));
    expect(answer.headers['ratelimit'], `RateLimit of ${where}`).toMatch(new RegExp(`^${name};r=\\d+;t=\\d+$`));
    // The request itself took a unit: fewer remain than the quota.
    const remaining = Number(/;r=(\d+);/.exec(answer.headers['ratelimit'] as string)?.[1]);
    expect(remaining, `RateLimit remaining of ${where}`).toBeLessThan(Number(quota));
  } else {
    expect(policy, `no RateLimit-Policy on ${where}: it is answered before the rate limit`).toBeUndefined();
  }

  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    if (value === null) expect(answer.headers[name], `${name} of ${where}`).toBeUndefined();
    else if (typeof value === 'string') expect(answer.headers[name], `${name} of ${where}`).toBe(value);
    else expect(answer.headers[name], `${name} of ${where}`).toMatch(value);
  }

  if ('json' in expected) {
    if (expected.json === undefined) expect(answer.body, where).toBe('');
    else {
      expect(answer.headers['content-type'], where).toMatch(/^application\/json/);
      expect(JSON.parse(answer.body), where).toEqual(expected.json);
    }
  }

  if (expected.status < 400) return;
  // Every error: a body in the process's format (problem details when asked for), nothing of the server's insides.
  const asksForProblem = step.request.headers?.['accept'] === 'application/problem+json';
  const profile: ProfileName = asksForProblem ? 'problem' : run.profile;
  expect(answer.headers['content-type'], where).toMatch(
    profile === 'problem' ? /^application\/problem\+json/ : /^application\/json/,
  );
  const envelope = readErrorEnvelope(answer.status, answer.headers, JSON.parse(answer.body) as unknown);
  expect(envelope.name, where).toBe(envelopeNames[profile]);
  if (expected.code !== undefined) expect(envelope.code, where).toBe(builtinCatalog.resolve(expected.code, profile)?.code);
  // The message as written in the body (a reader of it would drop the "<key>" of the 401's message as markup).
  if (typeof expected.detail === 'string') expect(answer.body, where).toContain(JSON.stringify(expected.detail).slice(1, -1));
  else if (expected.detail !== undefined) expect(answer.body, where).toMatch(expected.detail);
  if (expected.fields !== undefined) {
    // The classic format lists the fields in its message only (see classicFieldErrors); the others by pointer too.
    if (profile === 'classic') for (const pointer of expected.fields) expect(answer.body, where).toContain(` ${pointer} `);
    else expect(envelope.fieldErrors.map((field) => field.pointer).sort(), where).toEqual([...expected.fields].sort());
  }
  expect(answer.body, where).not.toMatch(/ at (file|node):|\.js:\d|example crash|node_modules|Error:/);
  if (expected.status === 500) expect(answer.body, `the request id in the body of ${where}`).toContain(id);
}

afterAll(() => {
  // One line per example in the test output, so a run with one example says so.
  console.log(`Conformance: ${names.map((name) => `examples/${name}/server.js`).join(', ')}`);
});

it('finds the examples, the fastify one among them', () => {
  expect(names[0]).toBe(referenceExample);
});

describe.each(names)('examples/%s/server.js', (name) => {
  describe.each(runs)('$name', (run) => {
    let result: RunResult;

    beforeAll(async () => {
      const example = await startExample(name, run.env);
      const answers: Answer[] = [];
      let exitCode: number | null;
      try {
        for (const step of run.steps) answers.push(await send(example.url, step.request));
      } finally {
        exitCode = await example.stop();
      }
      result = { answers, exitCode, log: example.output() };
      const byRun = results.get(name) ?? new Map<string, RunResult>();
      byRun.set(run.name, result);
      results.set(name, byRun);
    }, 90_000);

    it.each(run.steps.map((step, index) => ({ ...step, index })))('$name', (step) => {
      assertSpec(step, result.answers[step.index] as Answer, run);
    });

    it('exits with 0 on SIGTERM', () => {
      expect(result.exitCode, result.log).toBe(0);
    });

    if (run.steps.some((step) => step.request.path === '/v1/crash')) {
      it('logs the crash in full: the error the answer leaves out is in the log', () => {
        expect(result.log).toContain('example crash');
      });
    }

    if (name !== referenceExample) {
      it(`answers as examples/${referenceExample}/server.js does`, () => {
        const reference = results.get(referenceExample)?.get(run.name);
        expect(reference, `the ${referenceExample} example's run did not complete`).toBeDefined();
        run.steps.forEach((step, index) => {
          const ours = comparable(step, result.answers[index] as Answer, run);
          const theirs = comparable(step, (reference as RunResult).answers[index] as Answer, run);
          expect(ours, `${step.name} (${step.request.method} ${step.request.path})`).toEqual(theirs);
        });
      });
    }
  });
});

describe.each(names)('faultline check against examples/%s/server.js', (name) => {
  let report: CheckReport;
  let directory: string;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'faultline-examples-'));
    // The catalog the example's codes come from, as the reference API serves it at /docs/errors.json.
    const catalog = join(directory, 'errors.json');
    writeFileSync(catalog, JSON.stringify(errorReferenceJson(builtinCatalog)));
    const example = await startExample(name);
    try {
      report = await checkApi({
        baseUrl: example.url,
        openapi: join(root, 'examples/openapi.yaml'),
        headers: [['Authorization', `Bearer ${defaultKey}`]],
        catalog,
        flood: 150,
        maxWaitMs: 5000,
      });
    } finally {
      await example.stop();
    }
    // About a hundred requests at the check's default pace of 20 a second, then the flood.
  }, 120_000);

  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('fails no check, and runs every one that applies to the example API', () => {
    const failed = report.checks
      .filter((check) => check.status === 'fail')
      .map((check) => `${check.id}: ${check.findings.map((finding) => finding.message).join(' | ')}`);
    expect(report.unreachable).toBeUndefined();
    expect(failed).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.shape).toBe('faultline-problem');
    // Without --allow-writes no ETag is met, and the example has no OAuth token endpoint: those two have nothing to check.
    const statuses = Object.fromEntries(report.checks.map((check) => [check.id, check.status]));
    const expected = Object.fromEntries(
      checkDefinitions.map(({ id }) => [id, id === 'conditional-requests' || id === 'oauth-token-errors' ? 'skip' : 'pass']),
    );
    expect(statuses).toEqual(expected);
  });
});
