/**
 * Every recorded answer of recorded-answers.ts, read by the factory the
 * client uses: the envelope named, the class, the API's own code, the
 * message, field errors by pointer, docs link, request id, retry time and the
 * members the envelope does not model. `readErrorEnvelope` names the same
 * envelope, so `faultline check` can rely on it.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { errorFromResponse, readErrorEnvelope } from '@faultline/client';
import { recordedAnswers, recordedAt } from './recorded-answers.js';

beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(recordedAt);
});
afterAll(() => {
  vi.useRealTimers();
});

describe.each(recordedAnswers)('$title', (answer) => {
  const read = () =>
    errorFromResponse({
      method: 'GET',
      url: 'https://api.example.test/v1/things/7',
      status: answer.status,
      headers: new Headers(answer.headers),
      body: answer.body,
    });

  it(`is read as ${answer.expected.envelope}, a ${answer.expected.class.name} with code ${answer.expected.code}`, () => {
    const error = read();
    expect(error).toBeInstanceOf(answer.expected.class);
    expect(error.envelope).toBe(answer.expected.envelope);
    expect(error.code).toBe(answer.expected.code);
    expect(error.detail).toBe(answer.expected.message);
    expect(error.status).toBe(answer.status);
    expect(error.body).toBe(answer.body);
    expect(error.headers.get('content-type')).toBe(answer.headers['content-type'] ?? null);
  });

  it('gives the field errors, docs link, request id and retry time', () => {
    const error = read();
    expect(error.fieldErrors).toEqual(answer.expected.fieldErrors ?? []);
    expect(error.docsUrl).toBe(answer.expected.docsUrl);
    expect(error.requestId).toBe(answer.expected.requestId);
    const retryAt = answer.expected.retryInSeconds === undefined ? undefined : recordedAt + answer.expected.retryInSeconds * 1000;
    expect(error.retryAt?.getTime()).toBe(retryAt);
    if (answer.expected.extensions !== undefined) expect(error.extensions).toMatchObject(answer.expected.extensions);
  });

  it('names the same envelope through readErrorEnvelope', () => {
    const envelope = readErrorEnvelope(answer.status, answer.headers, answer.body);
    expect(envelope.name).toBe(answer.expected.envelope);
    expect(envelope.rateLimited).toBe(answer.expected.class.name === 'RateLimitedError');
  });
});

describe('rate limits told by evidence, not by status alone', () => {
  const github403 = (headers: Record<string, string>, message: string) =>
    errorFromResponse({
      method: 'GET',
      url: 'https://api.github.test/repos/o/r',
      status: 403,
      headers: new Headers(headers),
      body: JSON.stringify({ message, documentation_url: 'https://docs.github.com/rest' }),
    });

  it('a 403 with Retry-After and a rate-limit message from any API is a rate limit', () => {
    const error = errorFromResponse({
      method: 'GET',
      url: 'https://api.example.test/x',
      status: 403,
      headers: new Headers({ 'retry-after': '7' }),
      body: 'Rate limit exceeded, slow down.',
    });
    expect(error.constructor.name).toBe('RateLimitedError');
    expect(error.retryAt?.getTime()).toBe(recordedAt + 7000);
  });

  it('a 403 with Retry-After but no rate-limit words stays a permission error', () => {
    const error = errorFromResponse({
      method: 'GET',
      url: 'https://api.example.test/x',
      status: 403,
      headers: new Headers({ 'retry-after': '7' }),
      body: 'You may not read this.',
    });
    expect(error.constructor.name).toBe('PermissionError');
  });

  it('x-ratelimit-remaining: 0 makes a 403 a rate limit whatever the words', () => {
    const error = github403({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(recordedAt / 1000 + 5) }, 'Forbidden');
    expect(error.constructor.name).toBe('RateLimitedError');
    expect(error.retryAt?.getTime()).toBe(recordedAt + 5000);
  });

  it('x-ratelimit-reset in seconds from now (small numbers) is read as a delay', () => {
    const error = github403({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '42' }, 'Forbidden');
    expect(error.retryAt?.getTime()).toBe(recordedAt + 42_000);
  });

  it('a reset in the past means now, not a wait', () => {
    const error = github403({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(recordedAt / 1000 - 30) }, 'Forbidden');
    expect(error.retryAt?.getTime()).toBe(recordedAt);
  });

  it('a wait in the message counts when nothing else names one (OpenAI-style "try again in 6m0s")', () => {
    const error = errorFromResponse({
      method: 'POST',
      url: 'https://api.example.test/x',
      status: 429,
      headers: new Headers(),
      body: JSON.stringify({ message: 'Rate limit reached. Please try again in 6m0s.' }),
    });
    expect(error.retryAt?.getTime()).toBe(recordedAt + 360_000);
  });
});

describe('a foreign code that is also one of ours', () => {
  it('is not our code when the status is not the catalog’s: is() says no, and every member is kept', () => {
    const error = errorFromResponse({
      method: 'GET',
      url: 'https://api.example.test/x',
      status: 400,
      headers: new Headers(),
      body: JSON.stringify({ errors: [{ code: 'exceeds_monthly_recipients', title: 'Too many', meta: { remaining: 'many' } }] }),
    });
    expect(error.code).toBe('exceeds_monthly_recipients');
    expect(error.constructor.name).toBe('ValidationError');
    expect(error.is('exceeds_monthly_recipients')).toBe(false);
    expect(error.extensions).toEqual({ meta: { remaining: 'many' } });
  });

  it('is our code with the catalog’s status: is() narrows, and only declared members of their type are kept', () => {
    const error = errorFromResponse({
      method: 'GET',
      url: 'https://api.example.test/x',
      status: 429,
      headers: new Headers(),
      body: JSON.stringify({
        type: '/docs#exceeds_monthly_recipients',
        code: 'exceeds_monthly_recipients',
        remaining: 2,
        policy: 'x',
      }),
    });
    expect(error.is('exceeds_monthly_recipients')).toBe(true);
    expect(error.extensions).toEqual({ remaining: 2 });
  });
});
