import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  builtinCatalog,
  isApiError,
  parseErrorResponse,
  retryAfterSentence,
  toOAuthText,
  writeErrorResponse,
  type ErrorContext,
  type FieldError,
  type FieldLocation,
  type ProfileName,
} from '../src/index.js';

/*
 * Whatever a Faultline server writes, a Faultline client reads back: the wire
 * code, the status, the detail (as the profile may reshape it), every field
 * error, the retry time and the request id.
 */

const docsUrl = 'https://docs.example.com/errors';
const year = 365 * 24 * 3600 * 1000;
const profileNames: readonly ProfileName[] = ['problem', 'classic', 'message', 'oauth'];
const contexts: readonly ErrorContext[] = ['api', 'oauth-authorization', 'oauth-token'];
const locations: readonly FieldLocation[] = ['body', 'query', 'path', 'header'];

const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '',
    ' ',
    '\n',
    '\t \r\n',
    '"',
    '\\',
    '""',
    '\\"',
    'null',
    '{}',
    '[]',
    '<b>bold</b>',
    'café ☕ 日本語 😀',
    '\u0000',
  ),
);

const fieldError: fc.Arbitrary<FieldError> = fc
  .record({
    pointer: fc.oneof(
      fc.constant(''),
      fc.array(fc.string(), { minLength: 1, maxLength: 4 }).map((parts) => '/' + parts.join('/')),
      fc.constantFrom('/items/0/name', '/a~1b/c~0d', '/'),
      anyText,
    ),
    location: fc.constantFrom(...locations),
    code: fc.oneof(fc.constantFrom(...builtinCatalog.codes), fc.string({ minLength: 1 })),
    detail: anyText,
  })
  .map((field) => ({ ...field })); // fc.record builds null-prototype objects; a parsed field error is a plain object.

const scenario = fc.record({
  now: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2060, 0, 1) }),
  code: fc.constantFrom(...builtinCatalog.codes),
  profile: fc.constantFrom(...profileNames),
  context: fc.constantFrom(...contexts),
  detail: anyText,
  errors: fc.array(fieldError, { maxLength: 5 }),
  classicFieldErrors: fc.boolean(),
  retryOffset: fc.option(fc.integer({ min: -10 * year, max: 10 * year }), { nil: undefined }),
  requestId: fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
  headersAs: fc.constantFrom('object', 'Headers', 'mixed-case object'),
  bodyAs: fc.constantFrom('text', 'parsed JSON'),
});

describe('writeErrorResponse then parseErrorResponse', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives back the wire code, status, detail, field errors, retry time and request id', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        vi.setSystemTime(s.now);
        const retryAt = s.retryOffset === undefined ? undefined : new Date(s.now + s.retryOffset);
        const error = builtinCatalog.error(s.code, {
          detail: s.detail,
          errors: s.errors,
          ...(retryAt === undefined ? {} : { retryAt }),
        });
        const written = writeErrorResponse(error, {
          catalog: builtinCatalog,
          profile: s.profile,
          context: s.context,
          requestId: s.requestId,
          docsUrl,
          now: s.now,
          classicFieldErrors: s.classicFieldErrors,
        });
        if (written === undefined) throw new Error(`${s.code} was not written`);

        const sent: Record<string, string> = { ...written.headers, 'x-request-id': s.requestId };
        const headers =
          s.headersAs === 'Headers'
            ? new Headers(sent)
            : s.headersAs === 'mixed-case object'
              ? Object.fromEntries(Object.entries(sent).map(([name, value]) => [name.toUpperCase(), value]))
              : sent;
        const body: unknown = s.bodyAs === 'text' ? written.body : JSON.parse(written.body);
        const parsed = parseErrorResponse({ status: written.status, headers, body });

        expect(isApiError(parsed)).toBe(true);
        expect(parsed.code).toBe(written.code);
        expect(parsed.code).toBe(builtinCatalog.resolve(s.code, s.profile, s.context)?.code);
        expect(parsed.status).toBe(written.status);
        expect(parsed.status).toBe(builtinCatalog.resolve(s.code, s.profile, s.context)?.status);
        expect(parsed.requestId).toBe(s.requestId);
        // The classic body is exactly {code, error, time} unless asked for errors[].
        expect(parsed.errors).toStrictEqual(s.profile === 'classic' && !s.classicFieldErrors ? [] : s.errors);

        const rateLimited = builtinCatalog.get(s.code).category === 'rate_limit';
        const expectedDetail =
          s.profile === 'classic' && rateLimited && retryAt !== undefined
            ? retryAfterSentence + retryAt.toISOString()
            : s.profile === 'oauth'
              ? toOAuthText(s.detail)
              : s.detail;
        expect(parsed.detail).toBe(expectedDetail);

        if (s.profile === 'problem' || s.profile === 'classic') expect(parsed.time).toBe(new Date(s.now).toISOString());

        if (retryAt === undefined) {
          expect(parsed.retryAt).toBeUndefined();
        } else if (s.profile !== 'classic' || rateLimited) {
          // The body carried the time to the millisecond; it wins over the whole seconds of Retry-After.
          expect(parsed.retryAt?.getTime()).toBe(retryAt.getTime());
        } else {
          // Classic writes no time in the body for other errors: only Retry-After, in whole seconds rounded up.
          const seconds = Math.max(0, Math.ceil((retryAt.getTime() - s.now) / 1000));
          expect(written.headers['retry-after']).toBe(String(seconds));
          expect(parsed.retryAt?.getTime()).toBe(s.now + seconds * 1000);
          if (retryAt.getTime() > s.now) {
            expect(parsed.retryAt?.getTime()).toBeGreaterThanOrEqual(retryAt.getTime());
            expect(parsed.retryAt?.getTime()).toBeLessThan(retryAt.getTime() + 1000);
          }
        }
      }),
      { numRuns: 600 },
    );
  });

  it('reads the body time, not Retry-After, when the two disagree (the header is rounded and relative)', () => {
    const now = Date.UTC(2030, 5, 6, 7, 8, 9, 10);
    vi.setSystemTime(now);
    const retryAt = new Date(now + 1_001);
    for (const profile of profileNames) {
      const written = writeErrorResponse(builtinCatalog.error('limit_reached', { retryAt }), {
        catalog: builtinCatalog,
        profile,
        requestId: 'r',
        docsUrl,
        now,
      });
      expect(written?.headers['retry-after']).toBe('2');
      const parsed = parseErrorResponse({ status: 429, headers: written?.headers ?? {}, body: written?.body });
      expect(parsed.retryAt?.toISOString()).toBe('2030-06-06T07:08:10.011Z');
    }
  });

  it('reads the retry time of a response parsed long after it was written from the body', () => {
    const writtenAt = Date.UTC(2030, 0, 1);
    const retryAt = new Date(writtenAt + 30_000);
    const written = writeErrorResponse(builtinCatalog.error('usage_limit_exceeded', { retryAt }), {
      catalog: builtinCatalog,
      profile: 'oauth',
      requestId: 'r',
      docsUrl,
      now: writtenAt,
    });
    vi.setSystemTime(writtenAt + 20_000);
    const parsed = parseErrorResponse({ status: 429, headers: written?.headers ?? {}, body: written?.body });
    expect(parsed.retryAt?.getTime()).toBe(retryAt.getTime());
    expect(parsed.retryAfterSeconds()).toBe(10);
  });
});
