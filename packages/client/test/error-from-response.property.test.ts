/**
 * `errorFromResponse` against anything a server might send: random statuses
 * 400-599, random text, HTML and JSON bodies (with and without catalog codes,
 * in every envelope's shape) and random headers. It never throws, never
 * returns markup, and when the body names no code of the catalog for that
 * status, the status alone decides the class, unless the answer shows a
 * rate limit.
 */
import { builtinCatalog } from '@faultline/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  ConflictError,
  errorFromResponse,
  FaultlineError,
  readErrorEnvelope,
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

/** A tag, a comment or a declaration: what a page would render as markup. */
const markup = /<[A-Za-z/!?]/;
const htmlish = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.constantFrom(
    '<b>bold</b>',
    '<script>alert(1)</script>',
    '&lt;img src=x&gt;',
    '<<b>i>',
    '<!-- c -->',
    '&#60;svg&#62;',
    'a\r\nb',
    '<a href="x',
  ),
);
/** Text with markup in it, alone or repeated. */
const hostileText = fc.array(htmlish, { maxLength: 6 }).map((parts) => parts.join(' '));
/** Every envelope's shape, with markup wherever a string goes. */
const hostileBody = fc.oneof(
  hostileText,
  hostileText.map((text) => `<html><head><title>${text}</title></head><body>${text}</body></html>`),
  hostileText.map(
    (text) => `<!DOCTYPE html><html><head><title>Error</title></head><body><pre>${text}<br> at x</pre></body></html>`,
  ),
  fc.record({ type: hostileText, title: hostileText, detail: hostileText, code: hostileText }).map((v) => JSON.stringify(v)),
  fc.record({ code: hostileText, error: hostileText, time: hostileText }).map((v) => JSON.stringify(v)),
  fc.record({ error: hostileText, error_description: hostileText, error_uri: hostileText }).map((v) => JSON.stringify(v)),
  fc
    .record({
      code: fc.integer(),
      message: hostileText,
      status: fc.integer(),
      details: fc.array(
        fc.record({
          '@type': fc.constantFrom(
            'type.googleapis.com/google.rpc.BadRequest',
            'type.googleapis.com/google.rpc.Help',
            'type.googleapis.com/google.rpc.ErrorInfo',
            'type.googleapis.com/google.rpc.RetryInfo',
          ),
          reason: hostileText,
          retryDelay: hostileText,
          links: fc.array(fc.record({ url: hostileText })),
          fieldViolations: fc.array(fc.record({ field: hostileText, description: hostileText })),
        }),
      ),
    })
    .map((error) => JSON.stringify({ error })),
  fc
    .record({ type: hostileText, code: hostileText, message: hostileText, param: hostileText, doc_url: hostileText })
    .map((error) => JSON.stringify({ error })),
  fc
    .record({
      code: hostileText,
      message: hostileText,
      target: hostileText,
      details: fc.array(fc.record({ code: hostileText, target: hostileText, message: hostileText })),
    })
    .map((error) => JSON.stringify({ error })),
  fc
    .record({ code: fc.integer(), message: hostileText, more_info: hostileText, status: fc.integer() })
    .map((v) => JSON.stringify(v)),
  fc
    .record({
      message: hostileText,
      documentation_url: hostileText,
      errors: fc.array(fc.record({ resource: hostileText, field: hostileText, code: hostileText, message: hostileText })),
    })
    .map((v) => JSON.stringify(v)),
  fc
    .array(
      fc.record({
        code: hostileText,
        title: hostileText,
        detail: hostileText,
        source: fc.record({ pointer: hostileText }),
        links: fc.record({ about: hostileText }),
      }),
      { minLength: 1 },
    )
    .map((errors) => JSON.stringify({ errors })),
  fc
    .array(fc.record({ message: hostileText, extensions: fc.record({ code: hostileText }) }), { minLength: 1 })
    .map((errors) => JSON.stringify({ errors })),
  fc
    .record({
      statusCode: fc.integer(),
      code: hostileText,
      error: hostileText,
      message: hostileText.map((text) => `body/${text} must be string, querystring ${text}`),
    })
    .map((v) => JSON.stringify(v)),
  fc
    .record({
      timestamp: hostileText,
      status: fc.integer(),
      error: hostileText,
      message: hostileText,
      path: hostileText,
      errors: fc.array(fc.record({ field: hostileText, defaultMessage: hostileText, code: hostileText })),
    })
    .map((v) => JSON.stringify(v)),
  fc
    .record({ title: hostileText, traceId: hostileText, errors: fc.dictionary(hostileText, fc.array(hostileText)) })
    .map((v) => JSON.stringify(v)),
  fc
    .dictionary(hostileText, fc.oneof(fc.array(hostileText, { minLength: 1 }), fc.dictionary(hostileText, fc.array(hostileText))))
    .map((v) => JSON.stringify(v)),
  fc
    .record({ detail: fc.array(fc.record({ loc: fc.array(hostileText), msg: hostileText, type: hostileText })) })
    .map((v) => JSON.stringify(v)),
  fc.record({ detail: hostileText }).map((v) => JSON.stringify(v)),
);
const hostileHeaders = fc
  .dictionary(
    fc.constantFrom(
      'x-request-id',
      'request-id',
      'x-github-request-id',
      'x-ms-request-id',
      'x-amzn-requestid',
      'x-cloud-trace-context',
      'twilio-request-id',
      'retry-after',
      'retry-after-ms',
      'x-ratelimit-remaining',
      'x-ratelimit-reset',
      'ratelimit',
      'x-ms-error-code',
      'content-type',
    ),
    fc.oneof(
      headerValue,
      fc.constantFrom('0', '60', '1700000000', '<b>x</b>', 'text/html', 'application/problem+json', '"p";r=0;t=5'),
    ),
    { maxKeys: 8 },
  )
  .map((record) => new Headers(record));

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
        if (!catalogCodeFor(error.code, status)) {
          const rateLimited = readErrorEnvelope(status, fields, text).rateLimited;
          expect(error.constructor).toBe(rateLimited ? RateLimitedError : classOfStatus(status));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never returns markup, whatever the body and headers', () => {
    fc.assert(
      fc.property(fc.integer({ min: 400, max: 599 }), hostileBody, hostileHeaders, (status, text, fields) => {
        const error = errorFromResponse({ method: 'GET', url: 'http://example.test/x', status, headers: fields, body: text });
        for (const shown of [error.message, error.detail, error.code, error.requestId ?? '', error.docsUrl ?? ''])
          expect(shown).not.toMatch(markup);
        for (const field of error.fieldErrors) {
          expect(field.detail).not.toMatch(markup);
          expect(field.code).not.toMatch(markup);
          expect(field.detail).not.toMatch(/[\r\n]/);
        }
        expect(error.detail).not.toMatch(/[\r\n]/);
        if (error.retryAt !== undefined) expect(Number.isNaN(error.retryAt.getTime())).toBe(false);
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
