import type { CheckContext, CheckDefinition, Finding } from '../check-definition.js';
import { header, type Exchange } from '../exchange.js';
import { fillPath } from './support.js';

/** Check 12 (opt-in with --flood N): a 429 arrives, says when to come back, and means it. */
export const rateLimit: CheckDefinition = {
  id: 'rate-limit',
  number: 12,
  title: 'Rate limit: a 429 that says when to come back, and means it',
  severity: 'error',
  phase: 'flood',
  sends:
    'Only with --flood N: up to N requests as fast as the server answers (not paced) to one cheap GET, then, after waiting as long as Retry-After says (at most a minute), one more.',
  expects:
    'A 429 within N requests, with an error body, Retry-After (seconds or an HTTP date) and rate-limit fields (RateLimit and RateLimit-Policy of the IETF draft, or the older RateLimit-* or X-RateLimit-* headers); the request after the wait succeeds.',
  why: 'A 429 without Retry-After leaves a client to guess, and guessing clients retry at once, which is the load the limit exists to stop. A Retry-After that is not honoured (the next request is refused again) teaches clients to ignore it.',
  remedy:
    'Answer over-limit requests with 429, Retry-After in seconds, and the RateLimit/RateLimit-Policy fields (or X-RateLimit-Limit/-Remaining/-Reset); compute Retry-After from the window the limit will actually reopen in.',
  async run(context) {
    if (context.flood === undefined)
      return { skipped: 'not asked for (run with --flood N to send N requests and expect a 429)', findings: [] };
    const target = pick(context);
    if (target === undefined)
      return { skipped: 'no GET operation without parameters to flood (give one with --path)', findings: [] };
    const budget = Math.min(context.flood, context.requestsLeft() - 1);
    let limited: Exchange | undefined;
    let sent = 0;
    // In small parallel waves, so a limit per second is reached even over a slow link.
    while (limited === undefined && sent < budget) {
      const wave = Math.min(10, budget - sent);
      const answers = await Promise.all(
        Array.from({ length: wave }, () => context.send({ method: 'GET', path: target.path, unpaced: true, ...target.ref })),
      );
      sent += wave;
      limited = answers.find((exchange) => exchange.response?.status === 429);
    }
    if (limited === undefined)
      return { findings: [{ message: `no 429 came in ${sent} requests to GET ${target.path}` }], covered: `${sent} requests` };
    const response = limited.response as NonNullable<Exchange['response']>;
    const findings: Finding[] = [];
    const retryAfter = header(response, 'retry-after');
    const waitMs = retryAfter === undefined ? undefined : parseRetryAfter(retryAfter);
    if (retryAfter === undefined)
      findings.push({ message: 'the 429 has no Retry-After', exchange: limited, evidence: 'Retry-After: (missing)' });
    else if (waitMs === undefined)
      findings.push({
        message: 'Retry-After is neither seconds nor an HTTP date',
        exchange: limited,
        evidence: `Retry-After: ${retryAfter}`,
      });
    const fields = response.headers
      .map(([name]) => name)
      .filter((name) =>
        /^(ratelimit|ratelimit-policy|ratelimit-(limit|remaining|reset)|x-ratelimit-(limit|remaining|reset))$/.test(name),
      );
    if (fields.length === 0)
      findings.push({
        message: 'the 429 has no rate-limit fields (RateLimit/RateLimit-Policy, RateLimit-*, or X-RateLimit-*)',
        exchange: limited,
      });
    if (response.body.trim() === '') findings.push({ message: 'the 429 has no error body', exchange: limited });
    if (waitMs !== undefined) {
      if (waitMs > context.maxWaitMs) {
        findings.push({
          message: `Retry-After asks for ${Math.round(waitMs / 1000)} s, longer than the ${Math.round(context.maxWaitMs / 1000)} s this check waits; not verified`,
          exchange: limited,
        });
      } else {
        await context.sleep(waitMs + 250);
        const after = await context.send({ method: 'GET', path: target.path, ...target.ref });
        if (after.response === undefined || after.response.status >= 400) {
          findings.push({
            message: `after waiting the ${retryAfter} s Retry-After asked for, the next request got ${after.response?.status ?? after.failure?.message}`,
            exchange: after,
          });
        }
      }
    }
    return { findings, covered: `429 after ${sent} requests` };
  },
};

function pick(context: CheckContext): { path: string; ref: { operation?: { method: string; path: string } } } | undefined {
  // Limits are usually counted per credential: a secured operation, when there are credentials.
  const operation = context.hasCredentials
    ? context.document?.operations.find(
        (candidate) => candidate.method === 'GET' && !candidate.path.includes('{') && candidate.security.length > 0,
      )
    : undefined;
  const fallback = context.document?.operations.find((candidate) => candidate.method === 'GET' && !candidate.path.includes('{'));
  const chosen = operation ?? fallback;
  if (chosen !== undefined) return { path: fillPath(chosen), ref: { operation: { method: 'GET', path: chosen.path } } };
  const path = context.knownPaths[0];
  return path === undefined ? undefined : { path, ref: {} };
}

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date (RFC 9110 section 10.2.3). */
export function parseRetryAfter(value: string): number | undefined {
  const trimmed = value.trim();
  if (/^\d{1,9}$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
