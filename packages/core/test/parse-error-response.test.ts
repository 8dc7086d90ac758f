import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, parseErrorResponse, parseRetryAfter } from '../src/index.js';

const now = Date.UTC(2031, 6, 8, 9, 10, 11, 120);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(now);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('bodies that are not JSON', () => {
  it('uses plain text as the detail and the status for the code', () => {
    const error = parseErrorResponse({ status: 503, body: '  Service temporarily\n  unavailable  ' });
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'service_unavailable', status: 503, detail: 'Service temporarily unavailable' });
    expect(error.errors).toEqual([]);
  });

  it('takes the title of an HTML page', () => {
    const html = '<!doctype html><html><head><title> 502   Bad Gateway </title></head><body><h1>nginx</h1></body></html>';
    expect(parseErrorResponse({ status: 502, body: html })).toMatchObject({ code: 'bad_gateway', detail: '502 Bad Gateway' });
  });

  it('strips the tags, scripts and styles of an HTML page without a title', () => {
    const html =
      '<html><head><style>body { color: red }</style><script type="text/javascript">alert("x")</script></head>' +
      '<body><h1>Not   Found</h1><p>The page <b>/x</b> is gone.</p></body></html>';
    const error = parseErrorResponse({ status: 404, body: html });
    expect(error).toMatchObject({ code: 'not_found', detail: 'Not Found The page /x is gone.' });
  });

  it('caps a long text detail at 300 characters', () => {
    const error = parseErrorResponse({ status: 500, body: 'word '.repeat(1000) });
    expect(error.detail).toHaveLength(300);
    expect(error.detail.endsWith('…')).toBe(true);
    expect(error.detail.startsWith('word word')).toBe(true);
    expect(error.code).toBe('internal_error');
  });

  it('caps a long HTML title too', () => {
    const error = parseErrorResponse({ status: 500, body: `<title>${'x'.repeat(1000)}</title>` });
    expect(error.detail).toBe('x'.repeat(299) + '…');
  });

  it('keeps text of exactly 300 characters whole', () => {
    expect(parseErrorResponse({ status: 500, body: 'y'.repeat(300) }).detail).toBe('y'.repeat(300));
  });

  it.each([[''], ['   \n\t '], ['<html><body></body></html>']])('falls back to the status name for the empty body %j', (body) => {
    expect(parseErrorResponse({ status: 404, body })).toMatchObject({ code: 'not_found', status: 404, detail: 'Not Found' });
  });

  it('falls back to the status name without a body at all', () => {
    expect(parseErrorResponse({ status: 429 })).toMatchObject({
      code: 'limit_reached',
      status: 429,
      detail: 'Too Many Requests',
    });
    expect(parseErrorResponse({ status: 400, body: undefined })).toMatchObject({
      code: 'invalid_request',
      detail: 'Bad Request',
    });
  });

  it('reads malformed JSON as text', () => {
    expect(parseErrorResponse({ status: 400, body: '{"code": "x", ' })).toMatchObject({
      code: 'invalid_request',
      detail: '{"code": "x",',
    });
  });
});

describe('JSON that is not an object', () => {
  it.each([
    ['null', 'null'],
    ['42', '42'],
    ['"quoted"', '"quoted"'],
    ['true', 'true'],
  ])('reads the scalar JSON text %s as plain text', (body, detail) => {
    expect(parseErrorResponse({ status: 409, body })).toMatchObject({ code: 'conflict', status: 409, detail });
  });

  it.each([['[]'], ['[1,2,3]'], ['[{"code":"not_found","error":"x"}]']])('ignores the JSON array %s', (body) => {
    expect(parseErrorResponse({ status: 403, body })).toMatchObject({ code: 'not_authorized', detail: 'Forbidden' });
  });

  it.each([[null], [42], [true], [[1, 2]], [[{ code: 'conflict' }]]])('ignores the already-parsed value %j', (body) => {
    expect(parseErrorResponse({ status: 500, body })).toMatchObject({ code: 'internal_error', detail: 'Internal Server Error' });
  });

  it('ignores bytes', () => {
    const body = new TextEncoder().encode('{"code":"conflict"}');
    expect(parseErrorResponse({ status: 502, body })).toMatchObject({ code: 'bad_gateway', detail: 'Bad Gateway' });
  });
});

describe('JSON objects', () => {
  it('reads the nested foreign shape {"error":{"code","message"}}', () => {
    const error = parseErrorResponse({ status: 400, body: '{"error":{"code":"x","message":"y"}}' });
    expect(error).toMatchObject({ code: 'x', status: 400, detail: 'y' });
  });

  it('reads a nested `type` when there is no nested code', () => {
    const error = parseErrorResponse({ status: 400, body: { error: { type: 'invalid_request_error', message: 'Bad card.' } } });
    expect(error).toMatchObject({ code: 'invalid_request_error', detail: 'Bad card.' });
  });

  it('reads {"message"} as the detail and the status for the code', () => {
    expect(parseErrorResponse({ status: 401, body: '{"message":"m"}' })).toMatchObject({
      code: 'unauthorized_request',
      status: 401,
      detail: 'm',
    });
  });

  it('reads an empty object as the status alone', () => {
    expect(parseErrorResponse({ status: 504, body: '{}' })).toMatchObject({ code: 'gateway_timeout', detail: 'Gateway Timeout' });
  });

  it('takes the code of a problem+json body from the anchor of its type', () => {
    const body = JSON.stringify({
      type: 'https://docs.example.com/errors#missing_dependent_data',
      title: 'Target not found',
      status: 404,
      detail: 'No campaign 7.',
    });
    // The status alone would read as not_found.
    expect(parseErrorResponse({ status: 404, body })).toMatchObject({ code: 'missing_dependent_data', detail: 'No campaign 7.' });
  });

  it('falls back to the title of a problem+json body without detail', () => {
    const body = { type: 'https://example.com/probs/out-of-credit', title: 'You do not have enough credit.' };
    // No anchor in `type`, so the code comes from the status.
    expect(parseErrorResponse({ status: 403, body })).toMatchObject({
      code: 'not_authorized',
      detail: 'You do not have enough credit.',
    });
  });

  it('ignores a type anchor that is not code-like', () => {
    const body = { type: 'https://example.com/errors#not a code!', detail: 'd' };
    expect(parseErrorResponse({ status: 409, body }).code).toBe('conflict');
  });

  it('prefers `code` over the type anchor', () => {
    const body = { type: 'https://docs.example.com/errors#not_found', code: 'missing_dependent_data', detail: 'd' };
    expect(parseErrorResponse({ status: 404, body }).code).toBe('missing_dependent_data');
  });

  it('reads an OAuth2 body (RFC 6749 section 5.2)', () => {
    const body =
      '{"error":"invalid_grant","error_description":"The code was already used.","error_uri":"https://x#invalid_grant"}';
    expect(parseErrorResponse({ status: 400, body })).toMatchObject({
      code: 'invalid_grant',
      detail: 'The code was already used.',
    });
  });

  it('reads seed 002 bodies, whose `error` is the code and `message` the detail', () => {
    const body = { error: 'usage_limit_exceeded', message: 'Too many.' };
    expect(parseErrorResponse({ status: 429, body })).toMatchObject({ code: 'usage_limit_exceeded', detail: 'Too many.' });
  });

  it('reads a classic body, whose `error` is the message', () => {
    const body = '{"code":"invalid_api_key","error":"Key revoked.","time":"2020-01-01T00:00:00.000Z"}';
    expect(parseErrorResponse({ status: 401, body })).toMatchObject({
      code: 'invalid_api_key',
      detail: 'Key revoked.',
      time: '2020-01-01T00:00:00.000Z',
    });
  });

  it('reads a sentence in `error` as the detail when no code is given', () => {
    expect(parseErrorResponse({ status: 500, body: { error: 'Something broke.' } })).toMatchObject({
      code: 'internal_error',
      detail: 'Something broke.',
    });
  });

  it('reads the message profile', () => {
    const body = { message: 'Not Found', description: 'No campaign 7.', code: 'missing_dependent_data', request_id: 'abc' };
    expect(parseErrorResponse({ status: 404, body })).toMatchObject({
      code: 'missing_dependent_data',
      detail: 'No campaign 7.',
      requestId: 'abc',
    });
  });

  it('ignores a code that is not code-like', () => {
    expect(parseErrorResponse({ status: 400, body: { code: 'not a code', detail: 'd' } }).code).toBe('invalid_request');
    expect(parseErrorResponse({ status: 400, body: { code: 42, detail: 'd' } }).code).toBe('invalid_request');
    expect(parseErrorResponse({ status: 400, body: { code: 'x'.repeat(101) } }).code).toBe('invalid_request');
  });

  it('ignores inherited members', () => {
    const body = Object.create({ code: 'inherited', detail: 'inherited' }) as Record<string, unknown>;
    expect(parseErrorResponse({ status: 400, body })).toMatchObject({ code: 'invalid_request', detail: 'Bad Request' });
  });

  it('reads field errors, defaulting what is missing and skipping what has no pointer', () => {
    const body = {
      code: 'invalid_parameter',
      errors: [
        { pointer: '/a', location: 'query', code: 'missing_parameter', detail: 'A is required.' },
        { pointer: '/b', location: 'cookie', message: 'B is odd.' },
        { location: 'body', detail: 'no pointer' },
        'not an object',
        null,
        { pointer: 7 },
      ],
    };
    expect(parseErrorResponse({ status: 400, body }).errors).toStrictEqual([
      { pointer: '/a', location: 'query', code: 'missing_parameter', detail: 'A is required.' },
      { pointer: '/b', location: 'body', code: 'invalid_parameter', detail: 'B is odd.' },
    ]);
  });

  it('ignores `errors` that is not an array', () => {
    expect(parseErrorResponse({ status: 400, body: { errors: { pointer: '/a' } } }).errors).toEqual([]);
  });
});

describe('media types', () => {
  const problem = JSON.stringify({
    type: '/docs/errors#not_found',
    title: 'Not found',
    status: 404,
    detail: 'No thing has id 7.',
    code: 'not_found',
    request_id: 'req-7',
  });

  // We send bare media types; servers in the wild add `; charset=utf-8`, and a client must read both.
  it.each([
    'application/problem+json',
    'application/problem+json; charset=utf-8',
    'application/problem+json;charset=UTF-8',
    'application/json; charset=utf-8',
    'text/plain',
  ])('reads a problem body sent as %s', (contentType) => {
    const error = parseErrorResponse({ status: 404, headers: { 'Content-Type': contentType }, body: problem });
    expect(error).toMatchObject({ code: 'not_found', status: 404, detail: 'No thing has id 7.', requestId: 'req-7' });
    expect(error.docsUrl).toBe('/docs/errors#not_found');
  });
});

describe('request ids', () => {
  it('reads x-request-id, then request-id, from headers of any case', () => {
    expect(parseErrorResponse({ status: 500, headers: { 'X-Request-Id': 'a' } }).requestId).toBe('a');
    expect(parseErrorResponse({ status: 500, headers: { 'Request-Id': 'b' } }).requestId).toBe('b');
    expect(parseErrorResponse({ status: 500, headers: { 'x-request-id': 'a', 'request-id': 'b' } }).requestId).toBe('a');
    expect(parseErrorResponse({ status: 500, headers: new Headers({ 'X-Request-Id': 'c' }) }).requestId).toBe('c');
    expect(parseErrorResponse({ status: 500, headers: { 'x-request-id': ['d', 'e'] } }).requestId).toBe('d');
    expect(parseErrorResponse({ status: 500 }).requestId).toBeUndefined();
  });

  it('prefers the request id of the body', () => {
    const error = parseErrorResponse({ status: 500, headers: { 'x-request-id': 'header' }, body: { request_id: 'body' } });
    expect(error.requestId).toBe('body');
  });
});

describe('retry times', () => {
  it('reads Retry-After in seconds', () => {
    const error = parseErrorResponse({ status: 429, headers: { 'Retry-After': '120' }, body: 'slow down' });
    expect(error.retryAt?.getTime()).toBe(now + 120_000);
    expect(error.retryAfterSeconds()).toBe(120);
  });

  it('reads Retry-After as an HTTP date', () => {
    const error = parseErrorResponse({ status: 503, headers: { 'retry-after': 'Wed, 21 Oct 2037 07:28:00 GMT' }, body: '{}' });
    expect(error.retryAt?.toISOString()).toBe('2037-10-21T07:28:00.000Z');
  });

  it('reads the obsolete RFC 850 and asctime date forms too', () => {
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT')?.toISOString()).toBe('1994-11-06T08:49:37.000Z');
    expect(parseRetryAfter('Sun Nov  6 08:49:37 1994')?.toISOString()).toBe('1994-11-06T08:49:37.000Z');
  });

  it.each([['soon'], ['-5'], ['+5'], ['1.5'], ['0.5'], ['1,5'], ['May 5'], ['1 2 3'], ['2031-07-08'], ['12345678901']])(
    'ignores the Retry-After %j rather than reading it as some date',
    (value) => {
      expect(parseErrorResponse({ status: 503, headers: { 'retry-after': value } }).retryAt).toBeUndefined();
      expect(parseRetryAfter(value, now)).toBeUndefined();
    },
  );

  it('uses Retry-After when the body names no time', () => {
    const error = parseErrorResponse({ status: 429, headers: { 'retry-after': '3' }, body: { code: 'limit_reached' } });
    expect(error.retryAt?.getTime()).toBe(now + 3000);
  });

  it('prefers the millisecond time of the body to the whole seconds of Retry-After', () => {
    const body = { code: 'limit_reached', retry_after: '2031-07-08T09:10:12.345Z' };
    const error = parseErrorResponse({ status: 429, headers: { 'retry-after': '2' }, body });
    expect(error.retryAt?.toISOString()).toBe('2031-07-08T09:10:12.345Z');
  });

  it('reads the time out of the classic retry sentence', () => {
    const body = { code: 'limit_reached', error: 'Please wait and try again after: 2031-07-08T09:10:15.001Z', time: 't' };
    const error = parseErrorResponse({ status: 429, body });
    expect(error.retryAt?.toISOString()).toBe('2031-07-08T09:10:15.001Z');
    expect(error.detail).toBe('Please wait and try again after: 2031-07-08T09:10:15.001Z');
  });

  it.each([['later'], ['30'], ['1.5'], ['-5'], ['Wed, 21 Oct 2037 07:28:00 GMT'], ['']])(
    'ignores the body retry_after %j, which is not an ISO 8601 time',
    (retryAfter) => {
      expect(parseErrorResponse({ status: 429, body: { retry_after: retryAfter } }).retryAt).toBeUndefined();
    },
  );

  it('falls back to Retry-After when the body time cannot be read', () => {
    const error = parseErrorResponse({ status: 429, headers: { 'retry-after': '30' }, body: { retry_after: '5' } });
    expect(error.retryAt?.getTime()).toBe(now + 30_000);
  });

  it('ignores a classic retry sentence whose time cannot be read', () => {
    const body = { code: 'limit_reached', error: 'Please wait and try again after: 5' };
    expect(parseErrorResponse({ status: 429, body }).retryAt).toBeUndefined();
  });

  it('parseRetryAfter reads seconds from the given time, dates, and nothing else', () => {
    expect(parseRetryAfter('0', 1000)?.getTime()).toBe(1000);
    expect(parseRetryAfter(' 10 ', 1000)?.getTime()).toBe(11_000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:01:00 GMT')?.getTime()).toBe(60_000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('')).toBeUndefined();
    expect(parseRetryAfter('tomorrow')).toBeUndefined();
  });
});

describe('the status', () => {
  it.each([
    [400, 'invalid_request'],
    [401, 'unauthorized_request'],
    [403, 'not_authorized'],
    [404, 'not_found'],
    [405, 'method_not_allowed'],
    [408, 'request_timeout'],
    [409, 'conflict'],
    [412, 'precondition_failed'],
    [413, 'request_too_large'],
    [415, 'invalid_content_type'],
    [429, 'limit_reached'],
    [500, 'internal_error'],
    [502, 'bad_gateway'],
    [503, 'service_unavailable'],
    [504, 'gateway_timeout'],
    [418, 'invalid_request'],
    [599, 'internal_error'],
    [200, 'invalid_request'],
  ])('%i without a code reads as %s', (status, code) => {
    expect(parseErrorResponse({ status, body: '' })).toMatchObject({ status, code });
  });

  it('reads a non-integer status as 0', () => {
    expect(parseErrorResponse({ status: Number.NaN }).status).toBe(0);
    expect(parseErrorResponse({ status: 404.5 }).status).toBe(0);
  });
});

describe('hostile input', () => {
  it('survives headers that throw, and still reads the body', () => {
    const headers = {
      get(): string | null {
        throw new Error('boom');
      },
    };
    expect(parseErrorResponse({ status: 503, headers, body: '{"code":"x"}' })).toMatchObject({
      status: 503,
      code: 'x',
      detail: 'Service Unavailable',
    });
  });

  it('survives a body whose members throw', () => {
    const body = {
      get code(): string {
        throw new Error('boom');
      },
    };
    expect(parseErrorResponse({ status: 500, body })).toMatchObject({ status: 500, code: 'internal_error' });
  });

  it('never throws, and always answers with the status and a code', () => {
    const body = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.json(),
      fc.jsonValue(),
      fc.uint8Array(),
      fc.anything(),
      fc.record({
        code: fc.anything(),
        error: fc.oneof(fc.string(), fc.anything()),
        errors: fc.oneof(fc.array(fc.anything()), fc.anything()),
        retry_after: fc.oneof(fc.string(), fc.date({ noInvalidDate: false }).map(String)),
        type: fc.string(),
      }),
      fc.constant(undefined),
    );
    const headerValue = fc.oneof(fc.string(), fc.array(fc.string()), fc.constant(undefined));
    const headers = fc.oneof(
      fc.constant(undefined),
      fc.dictionary(fc.string(), headerValue),
      fc.dictionary(fc.constantFrom('retry-after', 'Retry-After', 'x-request-id', 'request-id', 'content-type'), headerValue),
    );
    fc.assert(
      fc.property(fc.integer(), body, headers, (status, body, headers) => {
        const error = parseErrorResponse({ status, body, ...(headers === undefined ? {} : { headers }) });
        expect(error).toBeInstanceOf(ApiError);
        expect(error.status).toBe(status);
        expect(typeof error.code).toBe('string');
        expect(error.code.length).toBeGreaterThan(0);
        expect(typeof error.detail).toBe('string');
        expect(Array.isArray(error.errors)).toBe(true);
        if (error.retryAt !== undefined) expect(Number.isNaN(error.retryAt.getTime())).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});
