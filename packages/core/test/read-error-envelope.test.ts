/**
 * The parts of the envelope readers the recorded answers of the client's
 * tests do not reach one by one: field paths to pointers, durations and waits
 * in messages, every retry-time header, text and HTML to one line, and the
 * shapes that look alike.
 */
import { describe, expect, it } from 'vitest';
import { readErrorEnvelope } from '../src/index.js';
import { pointerOf } from '../src/envelopes/field-paths.js';
import { cleanMessage, lineOfText } from '../src/envelopes/readable-line.js';
import { durationSeconds, secondsInMessage } from '../src/envelopes/retry-times.js';

const now = Date.UTC(2030, 0, 1);
const read = (status: number, headers: Record<string, string>, body: unknown) => readErrorEnvelope(status, headers, body, now);

describe('pointerOf', () => {
  it.each([
    ['', ''],
    ['/data/attributes/name', '/data/attributes/name'],
    ['name', '/name'],
    ['book.title', '/book/title'],
    ['book.authors[0].name', '/book/authors/0/name'],
    ['items[0][price]', '/items/0/price'],
    ['$.age', '/age'],
    ['$', ''],
    ['a~b.c/d', '/a~0b/c~1d'],
  ])('%j → %j', (path, pointer) => {
    expect(pointerOf(path)).toBe(pointer);
  });

  it('joins path segments', () => {
    expect(pointerOf(['items', 0, 'a/b'])).toBe('/items/0/a~1b');
  });
});

describe('durations and waits in messages', () => {
  it.each([
    ['30s', 30],
    ['1.5s', 1.5],
    ['6m0s', 360],
    ['1h2m3s', 3723],
    ['20ms', 0.02],
  ])('the duration %j is %d s', (text, seconds) => {
    expect(durationSeconds(text)).toBeCloseTo(seconds);
  });

  it.each([['30'], ['s'], ['-3s'], ['3 s'], ['3d']])('%j is no duration', (text) => {
    expect(durationSeconds(text)).toBeUndefined();
  });

  it.each([
    ['Request was throttled. Expected available in 56 seconds.', 56],
    ['Please try again in 20s.', 20],
    ['Please try again in 6m0s.', 360],
    ['Retry after 2 minutes', 120],
    ['try again in 1 hour', 3600],
    ['wait in 500 ms', 0.5],
  ])('%j names %d s', (message, seconds) => {
    expect(secondsInMessage(message)).toBeCloseTo(seconds);
  });

  it.each([['Too many requests.'], ['in 5 days'], ['in the morning']])('%j names no wait', (message) => {
    expect(secondsInMessage(message)).toBeUndefined();
  });

  it('is read only for a rate limit', () => {
    expect(read(503, {}, 'Down. Try again in 30 seconds.').retryAt).toBeUndefined();
    expect(read(429, {}, 'Slow down. Try again in 30 seconds.').retryAt?.getTime()).toBe(now + 30_000);
  });
});

describe('retry times from headers', () => {
  it('Retry-After wins over every other header', () => {
    const envelope = read(429, { 'retry-after': '5', 'retry-after-ms': '100', 'x-ratelimit-reset': '99' }, '');
    expect(envelope.retryAt?.getTime()).toBe(now + 5000);
  });

  it('x-ratelimit-reset is read as epoch milliseconds, epoch seconds, or seconds from now', () => {
    expect(read(429, { 'x-ratelimit-reset': String(now + 7000) }, '').retryAt?.getTime()).toBe(now + 7000);
    expect(read(429, { 'x-ratelimit-reset': String(now / 1000 + 7) }, '').retryAt?.getTime()).toBe(now + 7000);
    expect(read(429, { 'x-ratelimit-reset': '7' }, '').retryAt?.getTime()).toBe(now + 7000);
  });

  it('the older RateLimit-Reset counts seconds', () => {
    expect(read(429, { 'ratelimit-reset': '9' }, '').retryAt?.getTime()).toBe(now + 9000);
  });

  it('a spent RateLimit policy gives the longest reset of the spent ones', () => {
    const envelope = read(429, { ratelimit: '"burst";r=0;t=3, "day";r=0;t=50, "hour";r=10;t=900' }, '');
    expect(envelope.retryAt?.getTime()).toBe(now + 50_000);
  });

  it('reset headers are not read when the answer is no rate limit', () => {
    expect(read(404, { 'x-ratelimit-remaining': '10', 'x-ratelimit-reset': '7' }, '').retryAt).toBeUndefined();
  });

  it.each([['soon'], ['-5'], ['1e9'], [String(now / 1000 + 400 * 86_400)]])('ignores the reset %j', (reset) => {
    expect(read(429, { 'x-ratelimit-reset': reset }, '').retryAt).toBeUndefined();
  });

  it('reads a plain header object with any case and number values', () => {
    const envelope = readErrorEnvelope(403, { 'X-RateLimit-Remaining': 0, 'X-RateLimit-Reset': 12 }, '', now);
    expect(envelope).toMatchObject({ rateLimited: true });
    expect(envelope.retryAt?.getTime()).toBe(now + 12_000);
  });
});

describe('text and HTML to one line', () => {
  it('decodes entities without letting markup back in', () => {
    expect(lineOfText('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#233;t&#xE9;')).toBe('< script>alert(1)< /script> & été');
  });

  it('keeps comparisons that are not tags', () => {
    expect(cleanMessage('must be < 5 and > 2')).toBe('must be < 5 and > 2');
    expect(cleanMessage('a <b>bold</b>\nmove')).toBe('a bold move');
  });

  it('reduces a body of many angle brackets quickly', () => {
    const started = performance.now();
    const line = lineOfText('<'.repeat(500_000) + '<b>x</b>');
    expect(line).not.toMatch(/<[A-Za-z/!?]/);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe('shapes that look alike', () => {
  it('Google, as a one-element array', () => {
    const body = [{ error: { code: 404, message: 'Not found.', status: 'NOT_FOUND' } }];
    expect(read(404, {}, body)).toMatchObject({ name: 'google', code: 'NOT_FOUND', message: 'Not found.' });
  });

  it("Twilio's 20429 is a rate limit", () => {
    const body = {
      code: 20429,
      message: 'Too Many Requests',
      more_info: 'https://www.twilio.com/docs/errors/20429',
      status: 429,
    };
    expect(read(429, {}, body)).toMatchObject({ name: 'twilio', code: '20429', rateLimited: true });
  });

  it('JSON:API errors have no message; GraphQL errors do; ours have a pointer', () => {
    expect(read(400, {}, { errors: [{ title: 'Bad', status: '400' }] }).name).toBe('json-api');
    expect(read(400, {}, { errors: [{ message: 'Bad' }] }).name).toBe('graphql');
    expect(read(400, {}, { code: 'invalid_parameter', errors: [{ pointer: '/a', detail: 'Bad' }] }).name).toBe('json');
  });

  it("Fastify's {code, error} is not taken for our classic body, nor Spring's `error` for an OAuth code", () => {
    expect(read(403, {}, { statusCode: 403, code: 'FST_X', error: 'Forbidden', message: 'No.' }).name).toBe('fastify');
    expect(read(403, {}, { timestamp: 1, status: 403, error: 'Forbidden', path: '/x' }).name).toBe('spring-boot');
    expect(read(400, {}, { error: 'invalid_grant' }).name).toBe('oauth2');
  });

  it('Azure (code and message) against Stripe (type) against Google (numeric code)', () => {
    expect(read(400, {}, { error: { code: 'BadArgument', message: 'x' } }).name).toBe('azure');
    expect(read(400, {}, { error: { type: 'invalid_request_error', message: 'x' } }).name).toBe('stripe');
    expect(read(400, {}, { error: { code: 400, message: 'x' } }).name).toBe('google');
  });

  it('a problem type that links to an RFC is no code', () => {
    const body = { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.5', title: 'Not Found', status: 404 };
    expect(read(404, {}, body)).toMatchObject({ name: 'rfc9457', code: undefined, message: 'Not Found' });
  });
});

describe("Fastify's validation message", () => {
  it('is split into one field error per failure, each in its place', () => {
    const body = {
      statusCode: 400,
      code: 'FST_ERR_VALIDATION',
      error: 'Bad Request',
      message: "body/name must be string, querystring must have required property 'limit', params/id must be integer",
    };
    expect(read(400, {}, body).fieldErrors).toEqual([
      { pointer: '/name', location: 'body', code: 'invalid_parameter', detail: 'must be string' },
      { pointer: '/limit', location: 'query', code: 'missing_parameter', detail: "must have required property 'limit'" },
      { pointer: '/id', location: 'path', code: 'invalid_parameter', detail: 'must be integer' },
    ]);
  });

  it('gives no field errors when a part is not a validation failure', () => {
    const body = { statusCode: 500, error: 'Internal Server Error', message: 'Something broke, body/x must be string' };
    expect(read(500, {}, body).fieldErrors).toEqual([]);
  });
});

describe('the status a body states, and its place for a request id', () => {
  it.each([
    ['faultline-problem', { type: '/docs/errors#not_found', code: 'not_found', title: 'Not found', status: 404 }, 404, true],
    ['rfc9457', { type: 'about:blank', title: 'Not Found', status: 410 }, 410, true],
    ['google', { error: { code: 404, message: 'Not found', status: 'NOT_FOUND' } }, 404, true],
    ['fastify', { statusCode: 404, error: 'Not Found', message: 'Route GET:/x not found' }, 404, false],
    ['spring-boot', { timestamp: '2030-01-01T00:00:00Z', status: 404, error: 'Not Found', path: '/x' }, 404, true],
    ['faultline-classic', { code: 'not_found', error: 'No such campaign.', time: '2030-01-01T00:00:00Z' }, undefined, true],
    ['stripe', { error: { type: 'invalid_request_error', message: 'No such customer' } }, undefined, false],
    ['github', { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' }, undefined, false],
    ['json', { oops: true, status: 404 }, undefined, false],
  ] as const)('%s states %j, has a place: %j', (name, body, statedStatus, hasRequestIdPlace) => {
    // The response's own status differs: statedStatus is what the body says, not what the answer was.
    const envelope = read(500, {}, body);
    expect(envelope).toMatchObject({ name, statedStatus, hasRequestIdPlace });
  });

  it('states no status for one that is not an integer', () => {
    expect(read(404, {}, { type: 'about:blank', title: 'Not Found', status: 404.5 }).statedStatus).toBeUndefined();
  });
});
