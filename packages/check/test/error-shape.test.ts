// The one place shapes are named: each envelope the checks know, and what it says.
import { describe, expect, it } from 'vitest';
import { recognizeErrorShape } from '@faultline/check';

describe('recognizeErrorShape', () => {
  it.each([
    [
      'rfc9457',
      { type: '/docs/errors#not_found', title: 'Not found', status: 404, code: 'not_found', request_id: 'r1' },
      'application/problem+json',
      { code: 'not_found', status: 404, requestId: 'r1' },
    ],
    ['rfc9457', { type: 'about:blank', title: 'Not Found', status: 404 }, 'application/json', { status: 404 }],
    [
      'classic',
      { code: 'not_found', error: 'No such campaign.', time: '2026-01-01T00:00:00Z' },
      'application/json',
      { code: 'not_found' },
    ],
    [
      'message',
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
    ['unknown', { oops: true }, 'application/json', {}],
    ['unknown', 'Not Found', 'text/plain', {}],
  ] as const)('names %s', (name, body, mediaType, says) => {
    const shape = recognizeErrorShape(body, mediaType);
    expect(shape.name).toBe(name);
    expect(shape).toMatchObject(says);
  });
});
