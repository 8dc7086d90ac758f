import { describe, expect, it } from 'vitest';
import { schemaFieldError } from '@faultline/http';
import { createAjvCompiler, fullReportMaxMembers, isPartialReport, rememberBodySize } from '@faultline/http/ajv';

const compile = createAjvCompiler();
const thing = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'count'],
  properties: { name: { type: 'string', minLength: 1 }, count: { type: 'integer' } },
};

describe('JSON Schema validation as the contract wants it', () => {
  it('checks a body strictly and lists every failure, each a field error by JSON pointer', () => {
    const validate = compile(thing, 'body');
    const body = { name: '', count: '5', 'a/b': true };
    expect(validate(body)).toBe(false);
    const fields = (validate.errors ?? []).map((failure) => schemaFieldError(failure, 'body'));
    expect(fields.map(({ pointer, code }) => ({ pointer, code }))).toEqual(
      expect.arrayContaining([
        { pointer: '/a~1b', code: 'invalid_parameter' },
        { pointer: '/name', code: 'invalid_parameter' },
        { pointer: '/count', code: 'invalid_parameter' },
      ]),
    );
    expect(fields.find((field) => field.pointer === '/a~1b')?.detail).toBe('is not a field this operation accepts');
    // Not coerced: the body keeps the string it was sent.
    expect(body.count).toBe('5');
    expect(compile(thing, 'body')({ count: 1 })).toBe(false);
    const missing = compile(thing, 'body');
    missing({ count: 1 });
    expect(missing.errors?.map((failure) => schemaFieldError(failure, 'body'))).toEqual([
      { pointer: '/name', location: 'body', code: 'missing_parameter', detail: 'is required' },
    ]);
  });

  it('coerces the strings of a URL to the schema’s types, an integer only from plain decimal', () => {
    const params = { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] };
    const validate = compile(params, 'params');
    const plain = { id: '175' };
    expect(validate(plain)).toBe(true);
    expect(plain.id).toBe(175);
    for (const loose of ['0xaf', '+175', '0175', '175.0', '1.75e2']) {
      expect(validate({ id: loose })).toBe(false);
      expect(validate.errors?.[0]).toMatchObject({ instancePath: '/id', keyword: 'type' });
      expect(validate.errors?.[0]?.message).toContain('plain decimal');
    }
    expect(compile(params, 'query')({ id: '0xaf' })).toBe(false);
  });

  it('lists only the first failure of a body too large to check in full, and marks the list', () => {
    const validate = compile({ type: 'object', additionalProperties: false, properties: {} }, 'body');
    const huge = Object.fromEntries(Array.from({ length: 50 }, (_, index) => [`k${index}`, index]));
    rememberBodySize(huge, fullReportMaxMembers + 1);
    expect(validate(huge)).toBe(false);
    expect(validate.errors).toHaveLength(1);
    expect(isPartialReport(validate.errors ?? [])).toBe(true);
    const small = { ...huge };
    expect(validate(small)).toBe(false);
    expect(validate.errors).toHaveLength(50);
    expect(isPartialReport(validate.errors ?? [])).toBe(false);
  });
});
