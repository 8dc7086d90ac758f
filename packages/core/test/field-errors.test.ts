import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtinCatalog, defineCatalog, describeFieldErrors, escapePointerToken, fieldValidationError } from '../src/index.js';

/** RFC 6901 section 4: `~1` back to `/`, then `~0` back to `~`. */
const unescape = (token: string) => token.replace(/~1/g, '/').replace(/~0/g, '~');

describe('escapePointerToken', () => {
  it.each([
    ['name', 'name'],
    ['a/b', 'a~1b'],
    ['a~b', 'a~0b'],
    ['~1', '~01'],
    ['/~', '~1~0'],
    ['', ''],
  ])('escapes %j as %j', (token, escaped) => {
    expect(escapePointerToken(token)).toBe(escaped);
  });

  it('round-trips any token, and leaves no "/" or bare "~" in it', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '/', '~', '0', '1', 'é') }), (token) => {
        const escaped = escapePointerToken(token);
        expect(unescape(escaped)).toBe(token);
        expect(escaped).not.toContain('/');
        expect(escaped).not.toMatch(/~(?![01])/);
      }),
    );
  });
});

describe('describeFieldErrors', () => {
  const field = (index: number) => ({ pointer: `/items/${index}`, location: 'body' as const, detail: 'must be integer' });

  it('names one field', () => {
    expect(describeFieldErrors([{ pointer: '/id', location: 'path', detail: 'must be integer' }])).toBe(
      'One field is missing or invalid: path /id must be integer.',
    );
  });

  it('names the whole part for the empty pointer', () => {
    expect(describeFieldErrors([{ pointer: '', location: 'body', detail: 'must be object' }])).toBe(
      'One field is missing or invalid: body (whole) must be object.',
    );
  });

  it('names the first ten and counts the rest, also past the list it was given', () => {
    const fields = Array.from({ length: 12 }, (_, index) => field(index));
    const detail = describeFieldErrors(fields);
    expect(detail).toMatch(/^12 fields are missing or invalid: body \/items\/0 must be integer; .* \(and 2 more\)\.$/);
    expect(detail.split('; ')).toHaveLength(10);
    expect(describeFieldErrors(fields.slice(0, 3), 500)).toMatch(/^500 fields are .* \(and 497 more\)\.$/);
  });
});

describe('fieldValidationError', () => {
  it('is invalid_parameter with every field, the code defaulting to invalid_parameter', () => {
    const error = fieldValidationError([{ pointer: '/email', location: 'body', detail: 'must be an email address' }], {
      catalog: builtinCatalog,
    });
    expect(error).toMatchObject({
      code: 'invalid_parameter',
      status: 400,
      detail: 'One field is missing or invalid: body /email must be an email address.',
      errors: [{ pointer: '/email', location: 'body', code: 'invalid_parameter', detail: 'must be an email address' }],
    });
  });

  it('is missing_parameter when any field is absent', () => {
    const error = fieldValidationError(
      [
        { pointer: '/id', location: 'path', detail: 'must be integer' },
        { pointer: '/name', location: 'body', code: 'missing_parameter', detail: 'is required' },
      ],
      { catalog: builtinCatalog },
    );
    expect(error.code).toBe('missing_parameter');
    expect(error.detail).toBe('2 fields are missing or invalid: path /id must be integer; body /name is required.');
  });

  it('lists at most maxFieldErrors fields, and counts them all', () => {
    const fields = Array.from({ length: 30 }, (_, index) => ({ pointer: `/${index}`, location: 'query' as const, detail: 'x' }));
    const error = fieldValidationError(fields, { catalog: builtinCatalog, maxFieldErrors: 5 });
    expect(error.errors).toHaveLength(5);
    expect(error.detail).toMatch(/^30 fields are missing or invalid: .* \(and 20 more\)\.$/);
  });

  it('falls back to invalid_request in a catalog without the field codes', () => {
    const catalog = defineCatalog({
      invalid_request: {
        status: 400,
        category: 'invalid_request',
        title: 'Invalid request',
        description: 'The request is not valid.',
        action: 'Fix the request.',
        retry: 'never',
      },
    });
    const error = fieldValidationError([{ pointer: '/a', location: 'body', detail: 'is wrong' }], { catalog });
    expect(error.code).toBe('invalid_request');
    expect(error.errors).toHaveLength(1);
  });
});
