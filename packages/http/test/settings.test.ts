import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '@faultline/core';
import {
  chooseProfile,
  defaultJsonLimits,
  isWellFormedRequestId,
  requestIdFor,
  resolveContractSettings,
  wholeLimit,
} from '@faultline/http';

describe('the contract’s settings', () => {
  it('fill in every default', () => {
    expect(resolveContractSettings()).toEqual({
      catalog: builtinCatalog,
      profile: 'problem',
      docsUrl: '/docs/errors',
      contentTypes: ['application/json'],
      realm: 'api',
      maxFieldErrors: 100,
      classicFieldErrors: false,
      jsonLimits: defaultJsonLimits,
    });
    expect(resolveContractSettings({ jsonLimits: { maxDepth: 4 } }).jsonLimits).toEqual({ ...defaultJsonLimits, maxDepth: 4 });
  });

  it('refuse a bad option with a TypeError that names it', () => {
    expect(() => resolveContractSettings({ profile: 'xml' as 'problem' })).toThrow(
      'Unknown error profile "xml": use problem, classic, message or oauth.',
    );
    expect(() => resolveContractSettings({ realm: 'line\nbreak' })).toThrow('The realm must be printable ASCII');
    expect(() => resolveContractSettings({ maxFieldErrors: 0 })).toThrow(
      'The Faultline option maxFieldErrors must be a whole number from 1, or Infinity, not 0.',
    );
    expect(() => resolveContractSettings({ jsonLimits: { maxKeys: 2.5 } })).toThrow('jsonLimits.maxKeys');
    expect(wholeLimit('x', Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('choosing the profile', () => {
  it('takes the route’s, then problem+json when Accept asks for it with a non-zero quality, then the default', () => {
    expect(chooseProfile('oauth', 'application/problem+json', 'classic')).toBe('oauth');
    expect(chooseProfile(undefined, 'Application/Problem+JSON', 'classic')).toBe('problem');
    expect(chooseProfile(undefined, 'application/problem+json; q=0.0', 'classic')).toBe('classic');
    expect(chooseProfile(undefined, 'application/json, application/problem+json;q=0.5', 'message')).toBe('problem');
    expect(chooseProfile(undefined, null, 'message')).toBe('message');
  });
});

describe('request ids', () => {
  it('echo a short id of safe characters, and make a fresh UUID for anything else', () => {
    expect(requestIdFor('req-42.a:b_c')).toBe('req-42.a:b_c');
    for (const given of [undefined, null, '', 'a b', 'x'.repeat(129), 'id\r\nSet-Cookie: x', ['a', 'b']]) {
      expect(isWellFormedRequestId(given)).toBe(false);
      expect(requestIdFor(given)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect(requestIdFor(undefined)).not.toBe(requestIdFor(undefined));
  });
});
