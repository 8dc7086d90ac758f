/**
 * `errorFromResponse` against anything a server might send: random statuses
 * 400-599, random text and JSON bodies (with and without catalog codes) and
 * random headers. It never throws, and when the body names no code of the
 * catalog for that status, the status alone decides the class.
 */
import { builtinCatalog } from '@faultline/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  ConflictError,
  errorFromResponse,
  FaultlineError,
  NotFoundError,
  PermissionError,
  PreconditionFailedError,
  RateLimitedError,
  ServerError,
  TimeoutError,
  ValidationError,
} from '@faultline/client';

/** The class each status implies on its own, written out independently of the code under test. */
function classOfStatus(status: number): abstract new (...args: never[]) => FaultlineError {
  if (status >= 500) return ServerError;
  const byStatus: Record<number, abstract new (...args: never[]) => FaultlineError> = {
    401: AuthenticationError,
    403: PermissionError,
    404: NotFoundError,
    408: TimeoutError,
    409: ConflictError,
    410: NotFoundError,
    412: PreconditionFailedError,
    429: RateLimitedError,
  };
  return byStatus[status] ?? ValidationError;
}

/** True when `code` is a catalog code sent with its own status (or a variant's). */
function catalogCodeFor(code: string, status: number): boolean {
  const entry = builtinCatalog.find(code);
  return entry !== undefined && (entry.status === status || entry.variants.some((variant) => variant.status === status));
}

const catalogCode = fc.constantFrom(...builtinCatalog.codes);
const anyCode = fc.oneof(catalogCode, fc.string({ maxLength: 20 }), fc.stringMatching(/^[a-z][a-z_]{0,15}$/));

/** Bodies: random text, random JSON, and each known shape with random members. */
const body = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.json({ maxDepth: 3 }),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  fc.record({ code: anyCode, error: fc.string(), time: fc.string() }).map((value) => JSON.stringify(value)),
  fc
    .record({ type: fc.string(), title: fc.string(), detail: fc.anything(), code: anyCode })
    .map((value) => JSON.stringify(value)),
  fc.record({ error: anyCode, error_description: fc.string() }).map((value) => JSON.stringify(value)),
  fc
    .record({ message: fc.string(), description: fc.string(), code: anyCode, errors: fc.anything() })
    .map((value) => JSON.stringify(value)),
  fc.record({ error: fc.record({ code: anyCode, message: fc.anything() }) }).map((value) => JSON.stringify(value)),
  fc.string({ maxLength: 100 }).map((text) => `<html><head><title>${text}</title></head><body>${text}</body></html>`),
);

const headerName = fc.oneof(
  fc.constantFrom('x-request-id', 'request-id', 'retry-after', 'ratelimit', 'ratelimit-policy', 'content-type'),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
);
/** Header values as fetch allows them: visible ASCII and inner spaces. */
const headerValue = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,40}[\x21-\x7e])?$/);
const headers = fc.dictionary(headerName, headerValue, { maxKeys: 6 }).map((record) => new Headers(record));

describe('errorFromResponse on random input', () => {
  it('never throws, keeps status and body, and lets the status decide when the code is not the catalog’s for it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 400, max: 599 }), body, headers, (status, text, fields) => {
        const error = errorFromResponse({ method: 'GET', url: 'http://example.test/x', status, headers: fields, body: text });
        expect(error).toBeInstanceOf(FaultlineError);
        expect(error.status).toBe(status);
        expect(error.body).toBe(text);
        expect(typeof error.code).toBe('string');
        expect(error.code.length).toBeGreaterThan(0);
        expect(typeof error.detail).toBe('string');
        expect(Array.isArray(error.fieldErrors)).toBe(true);
        if (error.retryAt !== undefined) expect(Number.isNaN(error.retryAt.getTime())).toBe(false);
        if (!catalogCodeFor(error.code, status)) expect(error.constructor).toBe(classOfStatus(status));
      }),
      { numRuns: 2000 },
    );
  });

  it('takes the class of a catalog code sent with its own status', () => {
    fc.assert(
      fc.property(catalogCode, fc.constantFrom('problem', 'classic', 'oauth'), (code, shape) => {
        const entry = builtinCatalog.get(code);
        const text =
          shape === 'problem'
            ? JSON.stringify({ type: `/docs/errors#${code}`, status: entry.status, code, detail: 'x' })
            : shape === 'classic'
              ? JSON.stringify({ code, error: 'x' })
              : JSON.stringify({ error: code, error_description: 'x' });
        const error = errorFromResponse({
          method: 'GET',
          url: 'http://example.test/x',
          status: entry.status,
          headers: new Headers(),
          body: text,
        });
        expect(error.code).toBe(code);
        expect(error.category).toBe(entry.category);
      }),
    );
  });
});
