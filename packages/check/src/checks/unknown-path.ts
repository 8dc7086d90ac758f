import type { CheckDefinition, Finding } from '../check-definition.js';
import { errorBodyFault, noAnswer } from './support.js';

/** Check 1: an unknown path gets a 404 with an error body. */
export const unknownPath: CheckDefinition = {
  id: 'unknown-path',
  number: 1,
  title: 'Unknown path: 404 with an error body',
  severity: 'error',
  phase: 'probe',
  sends: 'GET to a path no API serves (under the base URL, and under the first known path).',
  expects: 'A 404 whose body is a JSON error object, not an HTML page, plain text or nothing.',
  why: 'A client that mistypes a path, or calls an endpoint that was removed, must learn so in the same machine-readable shape as every other error. An HTML page from the framework, or an empty body, is the first thing a client sees go wrong and the one it cannot parse.',
  remedy:
    'Register a catch-all "not found" handler (Fastify setNotFoundHandler, an Express middleware after every route) that writes your error body with status 404.',
  async run(context) {
    // A fixed name, so two runs send the same requests and their reports compare.
    const random = 'no-such-path';
    const paths = [`/faultline-check-${random}`];
    const first = context.knownPaths[0];
    if (first !== undefined) paths.push(`${first.replace(/\/$/, '')}/faultline-check-${random}/missing`);
    const findings: Finding[] = [];
    for (const path of paths) {
      const exchange = await context.send({ method: 'GET', path });
      const response = exchange.response;
      if (response === undefined) {
        findings.push(noAnswer(exchange, 'a 404'));
        continue;
      }
      if (response.status !== 404) {
        findings.push({ message: `an unknown path got ${response.status}, not 404`, exchange });
        continue;
      }
      const fault = errorBodyFault(response);
      if (fault !== undefined) findings.push({ message: `the 404 is not an error body: ${fault}`, exchange });
    }
    return { findings, covered: `${paths.length} unknown paths` };
  },
};
