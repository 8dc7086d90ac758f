/**
 * What of an answer must be the same in every example: the answer with the
 * request id and the times replaced, and the seconds counted from the clock
 * left to the spec's bounds (examples.test.ts holds them there).
 */
import type { Run, Step } from './script.js';
import { contractHeaders } from './script.js';
import type { Answer } from './send.js';

const isoTime = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g;

/** What of an answer must be the same in every example. */
export function comparable(step: Step, answer: Answer, run: Pick<Run, 'remainingVaries'>): unknown {
  const id = answer.headers['x-request-id'] ?? '';
  const sent = step.request.headers?.['x-request-id'];
  const headers: Record<string, string | undefined> = {};
  for (const name of contractHeaders) {
    let value = answer.headers[name];
    // Seconds counted from the clock: held to the spec's bounds in assertSpec, not to another process's timing.
    if (value !== undefined && name === 'retry-after') value = '<seconds>';
    if (value !== undefined && name === 'ratelimit') {
      value = value.replace(/;t=\d+/g, ';t=<seconds>');
      if (run.remainingVaries) value = value.replace(/;r=\d+/g, ';r=<n>');
    }
    headers[name] = value;
  }
  const body = (id === '' ? answer.body : answer.body.split(id).join('<request-id>')).replace(isoTime, '<time>');
  return {
    status: answer.status,
    headers,
    requestId: id === '' ? 'missing' : id === sent ? 'echoed' : 'generated',
    body,
  };
}
