import type { CheckDefinition, Finding } from '../check-definition.js';
import { errorBodyFault, fillPath, jsonBodyOperations, noAnswer, refusedCredentials } from './support.js';

/** Bodies no correct API can act on: each is refused before any work is done. */
const probes = [
  {
    name: 'a body in a media type the operation does not read',
    type: 'text/plain; charset=utf-8',
    body: 'faultline check',
    expected: [415],
  },
  { name: 'malformed JSON', type: 'application/json', body: '{"faultline": check}', expected: [400] },
  { name: 'truncated JSON', type: 'application/json', body: '{"faultline": {"check": ["cut', expected: [400] },
] as const;

/** Check 3: unreadable bodies get 415 or 400 with an error body, never a 5xx. */
export const unreadableBody: CheckDefinition = {
  id: 'unreadable-body',
  number: 3,
  title: 'Unreadable body: 415 for a wrong media type, 400 for broken JSON',
  severity: 'error',
  phase: 'probe',
  sends: 'To an operation that takes a JSON body: a text/plain body, malformed JSON, and JSON cut off in the middle.',
  expects: "415 for the media type, 400 for the broken JSON, each with an error body in the API's own shape; never a 5xx.",
  why: "Body parsing runs before your handlers, in the framework, so its errors are the ones most often left in the framework's own shape, as HTML, or as a 500 that pages someone at night for a client's typo.",
  remedy:
    'Route the body parser\'s errors through your error handler: a wrong Content-Type is 415 (list the accepted types in the detail), a JSON syntax error is 400 naming the problem. In Express, an error middleware that maps err.type "entity.parse.failed" to 400 and "entity.verify.failed"/unsupported charset to 415; in Fastify, FST_ERR_CTP_INVALID_MEDIA_TYPE to 415 and FST_ERR_CTP_INVALID_JSON_BODY / SyntaxError to 400.',
  async run(context) {
    const operation = jsonBodyOperations(context)[0];
    if (operation === undefined) {
      return {
        skipped:
          context.document === undefined
            ? 'needs an API document to find an operation that takes a JSON body'
            : 'no operation that takes a JSON body can be called (add credentials with --header)',
        findings: [],
      };
    }
    const findings: Finding[] = [];
    let refused = 0;
    for (const probe of probes) {
      const exchange = await context.send({
        method: operation.method,
        path: fillPath(operation),
        headers: [['Content-Type', probe.type]],
        body: probe.body,
        operation: { method: operation.method, path: operation.path },
      });
      const response = exchange.response;
      if (response === undefined) {
        findings.push(noAnswer(exchange, `a ${probe.expected.join('/')} for ${probe.name}`));
        continue;
      }
      if (refusedCredentials(exchange)) {
        refused += 1;
        continue;
      }
      if (!(probe.expected as readonly number[]).includes(response.status)) {
        const crash = response.status >= 500 ? ': a client mistake crashed the server' : '';
        findings.push({ message: `${probe.name} got ${response.status}, not ${probe.expected.join(' or ')}${crash}`, exchange });
        continue;
      }
      const fault = errorBodyFault(response);
      if (fault !== undefined)
        findings.push({ message: `the ${response.status} for ${probe.name} is not an error body: ${fault}`, exchange });
    }
    if (refused === probes.length)
      return {
        skipped: `${operation.method} ${operation.path} refused the credentials before reading the body (add credentials with --header)`,
        findings: [],
      };
    return { findings, covered: `${probes.length} bodies to ${operation.method} ${operation.path}` };
  },
};
