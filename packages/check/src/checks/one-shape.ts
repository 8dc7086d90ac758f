import type { CheckDefinition, Finding } from '../check-definition.js';
import { recognizeErrorShape, type ErrorShapeName } from '../error-shape.js';
import { isError, isJsonMediaType, mediaType, type Exchange } from '../exchange.js';
import { line } from './support.js';

/** Where the envelopes that do not call it "status" state the status. */
const statusMember: Partial<Record<ErrorShapeName, string>> = { google: '"error.code"', fastify: '"statusCode"' };

/** Check 7: every error body has the same recognised shape, a JSON media type, and a truthful `status`. */
export const oneShape: CheckDefinition = {
  id: 'one-shape',
  number: 7,
  title: 'One error shape for every error',
  severity: 'error',
  phase: 'review',
  sends:
    'Nothing of its own: it reads every error answer the other checks received (routing, body parsing, authentication and application errors alike).',
  expects:
    'Every error body in one recognised envelope (RFC 9457 problem details, the Faultline classic or message formats, Stripe-, Google-, GitHub-, Azure-, Twilio-, JSON:API- or GraphQL-style, or a framework\'s default: the same envelopes the Faultline client reads), with a JSON media type; a status the body states (problem details\' "status", Google\'s "error.code") equals the HTTP status. The token endpoint of OAuth 2, whose shape RFC 6749 fixes, is left out.',
  why: 'A client can only handle errors it can read. When the router, the body parser and the handlers each write their own shape, every client needs a parser per layer, and the errors from the layers nobody tested (a 404 from the router, a 413 from the parser) are the ones that break them.',
  remedy:
    'Send every error through one function that writes your envelope (one error handler that also covers not-found, parser and authentication errors), and set its Content-Type to application/problem+json or application/json. With problem details, write "status" from the same value as the response status.',
  async run(context) {
    const errors = context.exchanges.filter(
      (exchange): exchange is Exchange & { response: NonNullable<Exchange['response']> } =>
        isError(exchange) &&
        exchange.oauthEndpoint !== true &&
        exchange.faultedBy === undefined &&
        exchange.response.body.trim() !== '',
    );
    if (errors.length === 0) return { skipped: 'no error answer with a body was seen', findings: [] };
    const findings: Finding[] = [];
    const shapes = new Map<ErrorShapeName, Exchange[]>();
    for (const exchange of errors) {
      const { response } = exchange;
      const type = mediaType(response);
      if (!isJsonMediaType(type) || response.json === undefined) {
        findings.push({
          message: `${line(exchange)}: the error body is ${isJsonMediaType(type) ? 'not valid JSON' : `"${type ?? 'without a Content-Type'}", not JSON`}`,
          exchange,
        });
        continue;
      }
      const shape = recognizeErrorShape(response.json, type);
      const list = shapes.get(shape.name) ?? [];
      list.push(exchange);
      shapes.set(shape.name, list);
      if (shape.status !== undefined && shape.status !== response.status) {
        findings.push({
          message: `${line(exchange)}: the ${shape.name} body states the status ${shape.status}`,
          exchange,
          evidence: `${statusMember[shape.name] ?? '"status"'}: ${shape.status}`,
        });
      }
    }
    const unknown = shapes.get('unknown') ?? [];
    for (const exchange of unknown)
      findings.push({ message: `${line(exchange)}: the error body is in no recognised shape`, exchange });
    const known = [...shapes.entries()].filter(([name]) => name !== 'unknown').sort((a, b) => b[1].length - a[1].length);
    const main = known[0];
    if (main !== undefined) {
      // One finding per stray answer, so each is left to this check by the reviews after it.
      for (const [name, list] of known.slice(1)) {
        for (const exchange of list)
          findings.push({
            message: `${line(exchange)}: in the ${name} shape, while ${main[1].length} errors are in the ${main[0]} shape`,
            exchange,
          });
      }
    }
    const summary = [...shapes.entries()].map(([name, list]) => `${list.length} ${name}`).join(', ');
    return { findings, covered: `${errors.length} error bodies (${summary || 'none JSON'})` };
  },
};
