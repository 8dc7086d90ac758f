// The family of broken servers: one contract server per check, each with the one fault that check exists to
// catch, must fail exactly that check; the same server without a fault passes every check.
import { afterAll, describe, expect, it } from 'vitest';
import { checkApi, checkDefinitions, type CheckReport } from '@faultline/check';
import { goodToken, startContractServer, type Fault } from './contract-server.js';

const faults: readonly Fault[] = [
  'unknown-path',
  'method-not-allowed',
  'unreadable-body',
  'oversized-request',
  'auth-challenge',
  'field-errors',
  'one-shape',
  'no-leaks',
  'request-id',
  'catalog-codes',
  'documented-answers',
  'rate-limit',
  'conditional-requests',
  'oauth-token-errors',
];

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
});

async function check(fault?: Fault): Promise<CheckReport> {
  const server = await startContractServer(fault);
  closers.push(server.close);
  return checkApi({
    baseUrl: server.url,
    headers: [['Authorization', `Bearer ${goodToken}`]],
    catalog: `${server.url}/docs/errors.json`,
    flood: 120,
    allowWrites: true,
    maxWaitMs: 5000,
  });
}

/** Each check's status, with the findings of the ones that did not pass, for a readable failure. */
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

describe('the broken servers', () => {
  it('has a fault for every check', () => {
    expect([...faults].sort()).toEqual(checkDefinitions.map((definition) => definition.id).sort());
  });

  it('the correct server passes every check', async () => {
    const report = await check();
    expect(statuses(report)).toEqual(Object.fromEntries(checkDefinitions.map((definition) => [definition.id, 'pass'])));
    expect(report.ok).toBe(true);
    expect(report.shape).toBe('faultline-problem');
  });

  it.each(faults)('the server broken for %s fails that check and no other', async (fault) => {
    const report = await check(fault);
    const result = statuses(report);
    const broken = checkDefinitions.find((definition) => definition.id === fault);
    expect(result[fault]).toMatch(broken?.severity === 'warning' ? /^warn: / : /^fail: /);
    const others = Object.fromEntries(Object.entries(result).filter(([id]) => id !== fault));
    expect(others).toEqual(Object.fromEntries(checkDefinitions.filter((d) => d.id !== fault).map((d) => [d.id, 'pass'])));
    expect(report.ok).toBe(broken?.severity === 'warning');
  });
});
