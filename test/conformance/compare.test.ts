/**
 * The comparison between examples sets aside only what differs by process
 * and clock (the request id, the times, the seconds to wait), and nothing of
 * the contract: two answers that differ in a header, the body, or whether
 * the client's request id was kept are told apart.
 */
import { describe, expect, it } from 'vitest';
import { comparable } from './compare.js';
import type { Step } from './script.js';
import type { Answer } from './send.js';

const step: Step = { name: 'a 429', request: { method: 'GET', path: '/v1/notes' }, expect: { status: 429 } };
const fixed = { remainingVaries: false };

function answer(id: string, time: string, changes: Partial<Answer> = {}, headers: Record<string, string> = {}): Answer {
  return {
    status: 429,
    headers: {
      'x-request-id': id,
      'content-type': 'application/problem+json',
      'retry-after': '20',
      'ratelimit-policy': '"per-key";q=3;w=60',
      ratelimit: '"per-key";r=0;t=60',
      date: time,
      ...headers,
    },
    body: `{"detail":"try again after ${time}.","request_id":"${id}","time":"${time}"}`,
    ...changes,
  };
}

const first = answer('0f1e2d3c-aaaa', '2026-11-30T03:07:19.281Z');

describe('comparing two examples’ answers', () => {
  it('sets aside the request id, the times and the seconds counted from the clock', () => {
    const second = answer(
      '9a8b7c6d-bbbb',
      '2026-11-30T03:09:01.002Z',
      {},
      { 'retry-after': '19', ratelimit: '"per-key";r=0;t=59' },
    );
    expect(comparable(step, second, fixed)).toEqual(comparable(step, first, fixed));
  });

  it.each([
    ['the status', { status: 503 }, {}],
    ['the body', { body: first.body.replace('try again', 'retry') }, {}],
    ['Content-Type', {}, { 'content-type': 'application/json' }],
    ['RateLimit-Policy', {}, { 'ratelimit-policy': '"limit";q=3;w=60' }],
    ['what is left of the limit', {}, { ratelimit: '"per-key";r=1;t=60' }],
    ['Allow', {}, { allow: 'GET, POST' }],
    ['Idempotent-Replayed', {}, { 'idempotent-replayed': 'true' }],
    ['Cache-Control', {}, { 'cache-control': 'no-store' }],
  ] as const)('tells apart answers that differ in %s', (_what, changes, headers) => {
    const other = answer('0f1e2d3c-aaaa', '2026-11-30T03:07:19.281Z', changes, headers);
    expect(comparable(step, other, fixed)).not.toEqual(comparable(step, first, fixed));
  });

  it('tells apart a request id kept from one replaced', () => {
    const sent: Step = { ...step, request: { ...step.request, headers: { 'x-request-id': 'client-id.42' } } };
    const kept = answer('client-id.42', '2026-11-30T03:07:19.281Z');
    expect(comparable(sent, kept, fixed)).not.toEqual(comparable(sent, first, fixed));
  });

  it('sets aside what is left of a limit only in the runs where a unit may come back between requests', () => {
    const other = answer('0f1e2d3c-aaaa', '2026-11-30T03:07:19.281Z', {}, { ratelimit: '"per-key";r=7;t=60' });
    expect(comparable(step, other, { remainingVaries: true })).toEqual(comparable(step, first, { remainingVaries: true }));
  });
});
