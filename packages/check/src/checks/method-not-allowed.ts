import type { CheckDefinition, Finding } from '../check-definition.js';
import { header } from '../exchange.js';
import { errorBodyFault, fillPath, noAnswer } from './support.js';

/** Methods tried in this order on a path that does not serve them; none is one a correct API acts on there. */
const candidates = ['GET', 'PUT', 'PATCH', 'DELETE', 'POST'] as const;
const maxPaths = 4;

/** Check 2: a known path with a method it does not serve gets a 405 and an exact `Allow`. */
export const methodNotAllowed: CheckDefinition = {
  id: 'method-not-allowed',
  number: 2,
  title: 'Wrong method: 405 with an exact Allow header',
  severity: 'error',
  phase: 'probe',
  sends:
    'To a few documented paths, a method the document does not list for them (GET if the path has none, else PUT, PATCH, DELETE or POST), with no body.',
  expects:
    'A 405 with an error body and an Allow header listing exactly the methods the document lists for the path (HEAD and OPTIONS may be added).',
  why: 'RFC 9110 requires Allow on a 405: it is how a client learns what it may do instead. A 404 for a wrong method sends people looking for a path that exists; an Allow that lists methods that do not work, or leaves out ones that do, misleads clients and tools.',
  remedy:
    'Answer a path that exists with 405 for the methods it does not serve, and set Allow from the same routing table that serves the path (Fastify: a not-found handler that looks up the other methods of the URL; Express: app.all(path) after the routes).',
  async run(context) {
    const document = context.document;
    if (document === undefined) return { skipped: 'needs an API document to know which methods each path serves', findings: [] };
    const byPath = new Map<string, Set<string>>();
    for (const operation of document.operations) {
      const methods = byPath.get(operation.path) ?? new Set<string>();
      methods.add(operation.method);
      byPath.set(operation.path, methods);
    }
    const paths = [...byPath.keys()].sort((a, b) => Number(a.includes('{')) - Number(b.includes('{'))).slice(0, maxPaths);
    const findings: Finding[] = [];
    for (const path of paths) {
      const served = byPath.get(path) as Set<string>;
      const method = candidates.find((candidate) => !served.has(candidate));
      if (method === undefined) continue;
      const operation = document.operations.find((candidate) => candidate.path === path) as (typeof document.operations)[number];
      const exchange = await context.send({ method, path: fillPath(operation), operation: { method, path } });
      const response = exchange.response;
      if (response === undefined) {
        findings.push(noAnswer(exchange, 'a 405'));
        continue;
      }
      if (response.status !== 405) {
        findings.push({
          message: `${method} on ${path}, which serves ${[...served].join(', ')}, got ${response.status}, not 405`,
          exchange,
        });
        continue;
      }
      const allow = header(response, 'allow');
      if (allow === undefined) {
        findings.push({ message: `the 405 has no Allow header`, exchange, evidence: 'Allow: (missing)' });
        continue;
      }
      const listed = new Set(
        allow
          .split(',')
          .map((item) => item.trim().toUpperCase())
          .filter((item) => item !== ''),
      );
      const expected = new Set(served);
      const missing = [...expected].filter((m) => !listed.has(m) && m !== 'HEAD');
      const extra = [...listed].filter((m) => !expected.has(m) && m !== 'HEAD' && m !== 'OPTIONS');
      if (missing.length > 0 || extra.length > 0) {
        const parts = [
          missing.length > 0 ? `leaves out ${missing.join(', ')}` : '',
          extra.length > 0 ? `lists ${extra.join(', ')}, which the document does not` : '',
        ];
        findings.push({ message: `Allow ${parts.filter(Boolean).join(' and ')}`, exchange, evidence: `Allow: ${allow}` });
      }
      const fault = errorBodyFault(response);
      if (fault !== undefined) findings.push({ message: `the 405 is not an error body: ${fault}`, exchange });
    }
    return { findings, covered: `${paths.length} paths` };
  },
};
