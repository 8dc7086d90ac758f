import type { EnvelopeInput } from './error-envelope.js';

/**
 * The headers APIs put their request id in, ours first: `x-request-id`,
 * Stripe's `request-id`, GitHub's `x-github-request-id`, Azure's
 * `x-ms-request-id`, AWS's `x-amzn-requestid` and `x-amz-request-id`,
 * Twilio's `twilio-request-id`, and the trace id of Google Cloud's
 * `x-cloud-trace-context` (`TRACE_ID/SPAN_ID;o=1`).
 */
const requestIdHeaders = [
  'x-request-id',
  'request-id',
  'x-github-request-id',
  'x-ms-request-id',
  'x-amzn-requestid',
  'x-amz-request-id',
  'twilio-request-id',
  'x-correlation-id',
] as const;

export function requestIdFromHeaders(header: EnvelopeInput['header']): string | undefined {
  for (const name of requestIdHeaders) {
    const value = header(name);
    if (value !== undefined && value !== '') return value;
  }
  const trace = header('x-cloud-trace-context');
  return trace === undefined ? undefined : trace.split('/')[0] || undefined;
}
