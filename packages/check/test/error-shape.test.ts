// Shapes are named by core's table of envelope readers, the one the client reads errors with; this adapter
// gives the checks each envelope's name, code, stated status, body request id and problem type.
import { describe, expect, it } from 'vitest';
import { recognizeErrorShape } from '@faultline/check';
import { readErrorEnvelope } from '@faultline/core';

describe('recognizeErrorShape', () => {
  it.each([
    [
      'faultline-problem',
      { type: '/docs/errors#not_found', title: 'Not found', status: 404, code: 'not_found', request_id: 'r1' },
      'application/problem+json',
      { code: 'not_found', status: 404, requestId: 'r1', type: '/docs/errors#not_found', hasRequestIdPlace: true },
    ],
    [
      'rfc9457',
      { type: 'about:blank', title: 'Not Found', status: 404 },
      'application/json',
      { status: 404, hasRequestIdPlace: true },
    ],
    [
      'rfc9457',
      { type: 'https://api.example.com/errors#out_of_credit', title: 'Out of credit', status: 403 },
      'application/problem+json',
      { code: 'out_of_credit', status: 403, type: 'https://api.example.com/errors#out_of_credit' },
    ],
    [
      'faultline-classic',
      { code: 'not_found', error: 'No such campaign.', time: '2026-01-01T00:00:00Z' },
      'application/json',
      { code: 'not_found' },
    ],
    [
      'faultline-message',
      { message: 'Not Found', description: 'No such campaign.', code: 'not_found', request_id: 'r2' },
      'application/json',
      { code: 'not_found', requestId: 'r2' },
    ],
    ['oauth2', { error: 'invalid_client', error_description: 'Unknown client.' }, 'application/json', { code: 'invalid_client' }],
    [
      'stripe',
      { error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such customer' } },
      'application/json',
      { code: 'resource_missing' },
    ],
    [
      'google',
      { error: { code: 404, message: 'Not found', status: 'NOT_FOUND' } },
      'application/json',
      { code: 'NOT_FOUND', status: 404 },
    ],
    ['github', { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' }, 'application/json', {}],
    [
      'fastify',
      { statusCode: 404, error: 'Not Found', message: 'Route GET:/nope not found' },
      'application/json',
      { status: 404, hasRequestIdPlace: false },
    ],
    [
      'twilio',
      { code: 20404, message: 'Not found', more_info: 'https://www.twilio.com/docs/errors/20404', status: 404 },
      'application/json',
      { code: '20404', status: 404 },
    ],
    ['unknown', { oops: true }, 'application/json', { hasRequestIdPlace: false }],
    ['unknown', 'Not Found', 'text/plain', {}],
    ['unknown', '{"code":"not_found","type":"/docs/errors#not_found"}', 'application/json', {}],
  ] as const)('names %s', (name, body, mediaType, says) => {
    const shape = recognizeErrorShape(body, mediaType);
    expect(shape.name).toBe(name);
    expect(shape).toMatchObject(says);
  });

  it('takes the name, code and status from the envelope core reads', () => {
    const body = { error: { code: 429, message: 'Slow down', status: 'RESOURCE_EXHAUSTED' } };
    const envelope = readErrorEnvelope(429, {}, body);
    expect(recognizeErrorShape(body, 'application/json')).toMatchObject({
      name: envelope.name,
      code: envelope.code,
      status: envelope.statedStatus,
    });
  });

  it('reads the request id from the body only, and a problem type URI is no code', () => {
    expect(
      recognizeErrorShape(
        { type: 'https://api.example.com/problems/out-of-credit', title: 'Out of credit' },
        'application/problem+json',
      ),
    ).toEqual({
      name: 'rfc9457',
      hasRequestIdPlace: true,
      type: 'https://api.example.com/problems/out-of-credit',
    });
    expect(recognizeErrorShape({ oops: true }).requestId).toBeUndefined();
  });
});
