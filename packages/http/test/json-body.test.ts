import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '@faultline/core';
import { defaultJsonLimits, readJsonBody } from '@faultline/http';

const read = (body: string | Uint8Array, limits = defaultJsonLimits) =>
  readJsonBody(typeof body === 'string' ? new TextEncoder().encode(body) : body, builtinCatalog, limits);

describe('reading a JSON body from its bytes', () => {
  it('gives the value and how many values it holds', () => {
    expect(read('{"a":[1,2],"b":{"c":null}}')).toEqual({ value: { a: [1, 2], b: { c: null } }, members: 5 });
    expect(read('"just a string"')).toEqual({ value: 'just a string', members: 0 });
  });

  it('says the body is empty', () => {
    expect(read('').error).toMatchObject({
      code: 'invalid_request',
      detail: 'The Content-Type is application/json but the body is empty.',
    });
  });

  it('says the body is not UTF-8', () => {
    expect(read(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])).error?.detail).toBe('The body is not valid UTF-8.');
  });

  it('says where the syntax breaks, in a sentence of bounded length', () => {
    const error = read('{"a": 1,}').error;
    expect(error?.code).toBe('invalid_request');
    expect(error?.detail).toMatch(/^The body is not valid JSON: /);
    expect((read(`{"${'k'.repeat(5000)}`).error?.detail ?? '').length).toBeLessThan(200);
  });

  it('refuses prototype-poisoning keys rather than stripping them', () => {
    expect(read('{"__proto__": {"admin": true}}').error?.code).toBe('invalid_request');
    expect(read('{"constructor": {"prototype": {"admin": true}}}').error?.code).toBe('invalid_request');
    expect(({} as Record<string, unknown>)['admin']).toBeUndefined();
  });

  it('refuses a body over a shape limit with 413 naming the limit, before parsing it', () => {
    const limits = { ...defaultJsonLimits, maxDepth: 3 };
    const error = read('[[[[1]]]]', limits).error;
    expect(error).toMatchObject({ code: 'request_too_large', status: 413 });
    expect(error?.detail).toContain('jsonLimits.maxDepth');
    // The shape is checked first: a body both too deep and malformed is refused for its depth.
    expect(read('[[[[1]]]', limits).error?.detail).toContain('jsonLimits.maxDepth');
  });
});
