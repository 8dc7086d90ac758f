import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, builtinCatalog, isApiError } from '../src/index.js';

/** The frame lines of a V8 stack (`    at fn (file:line:col)`); the first line is the message, which may say "at" too. */
const stackFrames = (error: Error): string[] => (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));

describe('ApiError', () => {
  const originalLimit = Error.stackTraceLimit;
  afterEach(() => {
    Error.stackTraceLimit = originalLimit;
  });

  it('is an Error with its code, status and detail', () => {
    const error = new ApiError('not_found', 404, 'No such thing.');
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.name).toBe('ApiError');
    expect(error.code).toBe('not_found');
    expect(error.status).toBe(404);
    expect(error.detail).toBe('No such thing.');
    expect(error.message).toBe('No such thing.');
    expect(String(error)).toBe('ApiError: No such thing.');
  });

  it('defaults the optional members to empty values', () => {
    const error = new ApiError('conflict', 409, 'c');
    expect(error.errors).toEqual([]);
    expect(error.headers).toEqual({});
    expect(error.extensions).toEqual({});
    expect(error.retryAt).toBeUndefined();
    expect(error.requestId).toBeUndefined();
    expect(error.time).toBeUndefined();
    expect(error.cause).toBeUndefined();
    expect('cause' in error).toBe(false);
  });

  it('keeps the options it is given', () => {
    const cause = new Error('root');
    const retryAt = new Date(0);
    const error = new ApiError('limit_reached', 429, 'l', {
      cause,
      retryAt,
      requestId: 'r',
      time: 't',
      headers: { A: 'b' },
      extensions: { policy: 'p' },
      errors: [{ pointer: '/x', location: 'query', code: 'invalid_parameter', detail: 'd' }],
    });
    expect(error.cause).toBe(cause);
    expect(error.retryAt).toBe(retryAt);
    expect(error.requestId).toBe('r');
    expect(error.time).toBe('t');
    expect(error.headers).toEqual({ A: 'b' });
    expect(error.extensions).toEqual({ policy: 'p' });
    expect(error.errors).toHaveLength(1);
  });

  it('captures no stack frames by default', () => {
    Error.stackTraceLimit = 10;
    const error = new ApiError('not_found', 404, 'gone');
    expect(stackFrames(error)).toEqual([]);
    expect(stackFrames(builtinCatalog.error('not_found'))).toEqual([]);
    // The engine does capture frames for a plain error here, so the check above means something.
    expect(stackFrames(new Error('plain')).length).toBeGreaterThan(0);
  });

  it('captures a stack when asked', () => {
    Error.stackTraceLimit = 10;
    const error = new ApiError('internal_error', 500, 'bug', { captureStack: true });
    expect(stackFrames(error).length).toBeGreaterThan(0);
    expect(error.stack).toContain('api-error.test.ts');
    expect(stackFrames(builtinCatalog.error('internal_error', { captureStack: true })).length).toBeGreaterThan(0);
  });

  it('restores Error.stackTraceLimit after construction', () => {
    Error.stackTraceLimit = 17;
    new ApiError('not_found', 404, 'gone');
    expect(Error.stackTraceLimit).toBe(17);
    new ApiError('not_found', 404, 'gone', { captureStack: true });
    expect(Error.stackTraceLimit).toBe(17);
    new ApiError('not_found', 404, 'gone', { cause: new Error('c') });
    expect(Error.stackTraceLimit).toBe(17);
    expect(stackFrames(new Error('after')).length).toBeGreaterThan(0);
  });
});

describe('retryAfterSeconds', () => {
  const now = 1_700_000_000_000;
  const at = (ms: number): ApiError => new ApiError('limit_reached', 429, 'l', { retryAt: new Date(now + ms) });

  it('is undefined without a retry time', () => {
    expect(new ApiError('limit_reached', 429, 'l').retryAfterSeconds(now)).toBeUndefined();
  });

  it.each([
    [0, 0],
    [1, 1],
    [999, 1],
    [1000, 1],
    [1001, 2],
    [60_000, 60],
    [-1, 0],
    [-1000, 0],
    [-10 * 365 * 24 * 3600 * 1000, 0],
  ])('%i ms ahead is %i seconds', (ms, seconds) => {
    expect(at(ms).retryAfterSeconds(now)).toBe(seconds);
  });

  it('rounds up, is never negative, and never falls short of the retry time', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (ms) => {
        const seconds = at(ms).retryAfterSeconds(now);
        expect(Number.isInteger(seconds)).toBe(true);
        expect(seconds).toBeGreaterThanOrEqual(0);
        if (ms > 0) {
          expect((seconds ?? 0) * 1000).toBeGreaterThanOrEqual(ms);
          expect((seconds ?? 0) * 1000).toBeLessThan(ms + 1000);
        } else {
          expect(seconds).toBe(0);
        }
      }),
    );
  });

  it('counts from the current time by default', () => {
    const error = new ApiError('limit_reached', 429, 'l', { retryAt: new Date(Date.now() + 5_500) });
    expect(error.retryAfterSeconds()).toBeGreaterThanOrEqual(5);
    expect(error.retryAfterSeconds()).toBeLessThanOrEqual(6);
  });
});

describe('isApiError', () => {
  it('is true for an ApiError', () => {
    expect(isApiError(new ApiError('x', 400, 'x'))).toBe(true);
    expect(isApiError(builtinCatalog.error('conflict'))).toBe(true);
  });

  it('is true for an ApiError from another copy of the package', () => {
    class ForeignApiError extends Error {
      override readonly name = 'ApiError';
      readonly code = 'not_found';
      readonly status = 404;
    }
    expect(isApiError(new ForeignApiError('x'))).toBe(true);
  });

  it('is false for everything else', () => {
    const namedOnly = new Error('x');
    namedOnly.name = 'ApiError';
    const withoutStatus = Object.assign(new Error('x'), { name: 'ApiError', code: 'c' });
    const otherName = Object.assign(new Error('x'), { code: 'c', status: 400 });
    for (const value of [
      namedOnly,
      withoutStatus,
      otherName,
      new TypeError('x'),
      { name: 'ApiError', code: 'c', status: 400, message: 'm' },
      null,
      undefined,
      'ApiError',
      404,
    ]) {
      expect(isApiError(value)).toBe(false);
    }
  });
});
