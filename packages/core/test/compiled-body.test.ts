import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  builtinCatalog,
  compileErrorResponse,
  profiles,
  writeErrorResponse,
  type ApiError,
  type ErrorContext,
  type ProfileName,
  type ResolvedCode,
} from '../src/index.js';

const allProfiles: readonly ProfileName[] = ['problem', 'classic', 'message', 'oauth'];
const contexts: readonly ErrorContext[] = ['api', 'oauth-authorization', 'oauth-token'];

/** The body as the profile writes it the long way: its object, through JSON.stringify. */
function longWay(
  profile: ProfileName,
  error: ApiError,
  resolved: ResolvedCode,
  requestId: string,
  time: string,
  docsUrl: string,
) {
  return JSON.stringify(profiles[profile].body(error, resolved, { requestId, time, docsUrl }));
}

/** Any text, quotes, backslashes, control characters, lone surrogates and non-ASCII included. */
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('say "hi"', 'a\\b', '\u0000\n\u2028', '\ud800'),
);
const extensionValue = fc.oneof(
  fc.jsonValue(),
  fc.constant(undefined),
  fc.constant(() => 1),
  fc.date({ noInvalidDate: true }),
  fc.constant({ toJSON: (key: string) => `member ${key}` }),
);
/** Extension names: ordinary ones, the body's own members, Object.prototype's and names JSON orders first. */
const extensionName = fc.oneof(
  fc.string(),
  fc.constantFrom(
    'policy',
    'balance',
    'type',
    'detail',
    'retry_after',
    'errors',
    'constructor',
    'toString',
    '7',
    '01',
    '__proto__',
  ),
);

describe('compiled bodies', () => {
  it('write exactly what JSON.stringify writes of the profile body, for every code, profile and context', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...builtinCatalog.codes),
        fc.constantFrom(...allProfiles),
        fc.constantFrom(...contexts),
        text,
        text,
        fc.oneof(fc.constant(undefined), fc.date({ min: new Date(0), max: new Date(Date.UTC(9999, 0)), noInvalidDate: true })),
        fc.dictionary(extensionName, extensionValue, { maxKeys: 4 }),
        fc.constantFrom('/docs/errors', 'https://docs.example.com/errors', 'a "quoted" \\ url'),
        (code, profile, context, detail, requestId, retryAt, extensions, docsUrl) => {
          const resolved = builtinCatalog.resolve(code, profile, context) as ResolvedCode;
          const error = builtinCatalog.error(code, { detail, extensions, ...(retryAt === undefined ? {} : { retryAt }) });
          const compiled = profiles[profile].compile?.(resolved, docsUrl);
          const written = compiled?.(error, requestId, '2025-03-04T05:06:07.890Z');
          const expected = longWay(profile, error, resolved, requestId, '2025-03-04T05:06:07.890Z', docsUrl);
          // A body the compiled form declines (undefined) is written the long way, so it is never wrong.
          if (written !== undefined) expect(written).toBe(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('cover the ordinary errors, and decline field errors rather than write them differently', () => {
    const resolved = builtinCatalog.resolve('not_found', 'problem') as ResolvedCode;
    const compiled = profiles.problem.compile?.(resolved, '/docs/errors');
    expect(compiled?.(builtinCatalog.error('not_found', { detail: 'No item 7.' }), 'id-1', 'now')).toBe(
      '{"type":"/docs/errors#not_found","title":"Not found","status":404,"detail":"No item 7.","code":"not_found","request_id":"id-1","time":"now"}',
    );
    const fields = builtinCatalog.error('invalid_request', {
      errors: [{ pointer: '/name', location: 'body', code: 'missing_parameter', detail: 'Required.' }],
    });
    for (const profile of allProfiles) {
      const resolvedFields = builtinCatalog.resolve('invalid_request', profile) as ResolvedCode;
      expect(profiles[profile].compile?.(resolvedFields, '/docs/errors')(fields, 'id-1', 'now')).toBeUndefined();
    }
  });

  it('give writeErrorResponse the same answer as before for errors with a status of their own and for field errors', () => {
    const options = { catalog: builtinCatalog, profile: 'problem', requestId: 'id-1', docsUrl: '/docs/errors', now: 0 } as const;
    const moved = builtinCatalog.error('not_found');
    const ownStatus = Object.assign(Object.create(Object.getPrototypeOf(moved) as object) as ApiError, moved, { status: 410 });
    expect(JSON.parse(writeErrorResponse(ownStatus, options)?.body ?? '')).toMatchObject({ status: 410, code: 'not_found' });
    const fields = builtinCatalog.error('invalid_request', {
      errors: [{ pointer: '/name', location: 'body', code: 'missing_parameter', detail: 'Required.' }],
    });
    expect(JSON.parse(writeErrorResponse(fields, options)?.body ?? '')).toMatchObject({
      errors: [{ pointer: '/name', location: 'body', code: 'missing_parameter', detail: 'Required.' }],
    });
  });

  it('compileErrorResponse answers exactly as writeErrorResponse does for an error with only a detail', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...builtinCatalog.codes),
        fc.constantFrom(...allProfiles),
        fc.constantFrom(...contexts),
        text,
        text,
        fc.integer({ min: 0, max: Date.UTC(9999, 0) }),
        fc.constantFrom('/docs/errors', 'https://docs.example.com/errors', 'a "quoted" \\ url'),
        (code, profile, context, detail, requestId, now, docsUrl) => {
          const compiled = compileErrorResponse(code, { catalog: builtinCatalog, profile, context, docsUrl });
          const expected = writeErrorResponse(builtinCatalog.error(code, { detail }), {
            catalog: builtinCatalog,
            profile,
            context,
            docsUrl,
            requestId,
            now,
          });
          expect(compiled).toBeDefined();
          expect({
            status: compiled?.status,
            code: compiled?.code,
            headers: compiled?.headers,
            body: compiled?.body(detail, requestId, now),
          }).toEqual(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('compileErrorResponse is undefined for a code the catalog lacks, and applies the catalog variants', () => {
    expect(compileErrorResponse('no_such_code', { catalog: builtinCatalog, profile: 'problem', docsUrl: '/d' })).toBeUndefined();
    const token = compileErrorResponse('unauthorized_client', {
      catalog: builtinCatalog,
      profile: 'oauth',
      context: 'oauth-token',
      docsUrl: '/d',
    });
    expect({ status: token?.status, code: token?.code, headers: token?.headers }).toEqual({
      status: 400,
      code: 'unauthorized_client',
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    });
    expect(token?.body('Not this grant.', 'id-1', 0)).toBe(
      '{"error":"unauthorized_client","error_description":"Not this grant.","error_uri":"/d#unauthorized_client"}',
    );
  });
});
