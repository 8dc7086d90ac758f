import type { CheckDefinition, Finding } from '../check-definition.js';
import { errorBodyFault, fillPath, jsonBodyOperations, noAnswer, refusedCredentials } from './support.js';

/** Announced, never sent: far over any sane body limit. */
const announcedBody = 64 * 1024 * 1024;
/** Over every common server's limit (Node 16 KiB, nginx 8 KiB per line, 32 KiB in all). */
const headerBlockBytes = 64 * 1024;
const urlBytes = 64 * 1024;

/** Check 4: oversized bodies, header blocks and URLs get 413, 431 and 414 (or 431). */
export const oversizedRequest: CheckDefinition = {
  id: 'oversized-request',
  number: 4,
  title: 'Too large: 413 for a body, 431 for headers, 414 for a URL',
  severity: 'error',
  phase: 'probe',
  sends: `A JSON body announced as ${announcedBody / 1024 / 1024} MiB (only its first bytes are sent); a request with ${headerBlockBytes / 1024} KiB of headers; a URL of ${urlBytes / 1024} KiB.`,
  expects:
    "413, 431, and 414 (or 431, which servers that count the URL with the headers send), each with an error body in the API's shape; never a reset or a 5xx.",
  why: 'Limits are what keep one client from exhausting a server, and the answer is what tells an honest client which limit it hit. Most servers answer these from below the framework (the HTTP parser), where the error body is easy to forget: the client gets an empty answer or a reset connection.',
  remedy:
    'Check the announced Content-Length against the body limit before reading the body, and answer 413. For headers and URLs, hook the HTTP server\'s parser errors (Node: the server\'s "clientError" event) and write your error body with 431 or 414 before closing the connection.',
  async run(context) {
    const findings: Finding[] = [];
    let probes = 0;
    const operation = jsonBodyOperations(context)[0];
    if (operation !== undefined) {
      probes += 1;
      const exchange = await context.send({
        method: operation.method,
        path: fillPath(operation),
        headers: [['Content-Type', 'application/json']],
        body: '{"faultline": "',
        announcedLength: announcedBody,
        operation: { method: operation.method, path: operation.path },
      });
      if (!refusedCredentials(exchange)) findings.push(...judge(exchange, [413], 'a body announced as 64 MiB'));
    }
    const path = context.knownPaths[0] ?? '/';
    probes += 2;
    const padding = 'f'.repeat(4096);
    const headers: [string, string][] = Array.from({ length: headerBlockBytes / 4096 }, (_, index) => [
      `X-Faultline-Check-${index}`,
      padding,
    ]);
    findings.push(
      ...judge(await context.send({ method: 'GET', path, headers }), [431], `${headerBlockBytes / 1024} KiB of headers`),
    );
    const long = `${path}${path.includes('?') ? '&' : '?'}faultline=${'f'.repeat(urlBytes)}`;
    findings.push(...judge(await context.send({ method: 'GET', path: long }), [414, 431], `a URL of ${urlBytes / 1024} KiB`));
    return { findings, covered: `${probes} oversized requests` };
  },
};

function judge(exchange: Parameters<typeof noAnswer>[0], expected: readonly number[], what: string): Finding[] {
  const response = exchange.response;
  const wanted = expected.join(' or ');
  if (response === undefined) return [noAnswer(exchange, `a ${wanted} for ${what}`)];
  if (!expected.includes(response.status)) return [{ message: `${what} got ${response.status}, not ${wanted}`, exchange }];
  const fault = errorBodyFault(response);
  return fault === undefined ? [] : [{ message: `the ${response.status} for ${what} is not an error body: ${fault}`, exchange }];
}
