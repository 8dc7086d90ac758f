import type { CheckDefinition, Finding } from '../check-definition.js';
import { recognizeErrorShape } from '../error-shape.js';
import { isError, mediaType, type Exchange } from '../exchange.js';
import { line } from './support.js';

/** Headers that carry a request id, in the forms common servers and gateways use. */
const idHeaders = ['x-request-id', 'request-id', 'x-correlation-id', 'x-amzn-requestid', 'x-github-request-id', 'x-trace-id'];

/** Check 9: every error carries a request id, echoed in the body where the shape has a place for it. */
export const requestId: CheckDefinition = {
  id: 'request-id',
  number: 9,
  title: 'A request id on every error',
  severity: 'warning',
  phase: 'review',
  sends: 'Nothing of its own: it reads every error answer the other checks received.',
  expects: `A request id on every error, in a header (${idHeaders.join(', ')}) or the body; where both carry one, the same one.`,
  why: "The request id is how a client's bug report finds your logs. It matters most on the errors nobody planned for, which are exactly the ones a framework answers without your middleware.",
  remedy:
    'Assign the id in the first middleware (or accept a well-formed incoming X-Request-Id), send it as X-Request-Id on every answer, including the ones written by the not-found handler, the body parser and the HTTP server\'s parser errors, and write the same value into the error body (e.g. "request_id").',
  async run(context) {
    const errors = context.exchanges.filter(
      (exchange): exchange is Exchange & { response: NonNullable<Exchange['response']> } =>
        isError(exchange) && exchange.faultedBy === undefined,
    );
    if (errors.length === 0) return { skipped: 'no error answer was seen', findings: [] };
    const findings: Finding[] = [];
    let missing = 0;
    for (const exchange of errors) {
      const { response } = exchange;
      const headerName = idHeaders.find((name) => response.headers.some(([key]) => key === name));
      const headerValue = headerName === undefined ? undefined : response.headers.find(([key]) => key === headerName)?.[1];
      const shape = response.json === undefined ? undefined : recognizeErrorShape(response.json, mediaType(response));
      const bodyValue = shape?.requestId;
      if (headerValue === undefined && bodyValue === undefined) {
        missing += 1;
        if (missing <= 3) findings.push({ message: `${line(exchange)}: no request id in the headers or the body`, exchange });
        continue;
      }
      if (headerValue !== undefined && bodyValue !== undefined && headerValue !== bodyValue) {
        findings.push({
          message: `${line(exchange)}: the body's request id is not the header's`,
          exchange,
          evidence: `${headerName}: ${headerValue}; body: ${bodyValue}`,
        });
      }
    }
    if (missing > 3) findings.push({ message: `and ${missing - 3} more error answers without a request id` });
    return { findings, covered: `${errors.length} error answers` };
  },
};
