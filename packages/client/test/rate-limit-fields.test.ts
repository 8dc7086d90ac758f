/**
 * The IETF `RateLimit-Policy` and `RateLimit` fields
 * (draft-ietf-httpapi-ratelimit-headers-10): String and Token names, several
 * policies, several field lines, the q/w/r/t parameters, and malformed input
 * skipped rather than thrown on.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRateLimit, parseRateLimitPolicy } from '@faultline/client';

describe('RateLimit-Policy', () => {
  it('reads a policy named by a String, with q and w', () => {
    expect(parseRateLimitPolicy('"burst";q=100;w=60')).toEqual([{ name: 'burst', quota: 100, windowSeconds: 60 }]);
  });

  it('reads a policy named by a Token', () => {
    expect(parseRateLimitPolicy('burst;q=100;w=60')).toEqual([{ name: 'burst', quota: 100, windowSeconds: 60 }]);
  });

  it('reads several policies in one field', () => {
    expect(parseRateLimitPolicy('"burst";q=100;w=60, "daily";q=1000;w=86400,hourly;q=500;w=3600')).toEqual([
      { name: 'burst', quota: 100, windowSeconds: 60 },
      { name: 'daily', quota: 1000, windowSeconds: 86400 },
      { name: 'hourly', quota: 500, windowSeconds: 3600 },
    ]);
  });

  it('reads several field lines, as fetch joins them', () => {
    const headers = new Headers([
      ['RateLimit-Policy', '"burst";q=100;w=60'],
      ['RateLimit-Policy', '"daily";q=1000;w=86400'],
    ]);
    expect(parseRateLimitPolicy(headers.get('ratelimit-policy'))).toEqual([
      { name: 'burst', quota: 100, windowSeconds: 60 },
      { name: 'daily', quota: 1000, windowSeconds: 86400 },
    ]);
  });

  it('ignores parameters it does not know, and the order of those it does', () => {
    expect(parseRateLimitPolicy('"a";w=10;qu="requests";pk=:cHJvamVjdC0xMjM=:;q=5;flag')).toEqual([
      { name: 'a', quota: 5, windowSeconds: 10 },
    ]);
  });

  it('keeps a policy without q or w, without them', () => {
    expect(parseRateLimitPolicy('"a";w=10, "b";q=3, "c"')).toEqual([
      { name: 'a', windowSeconds: 10 },
      { name: 'b', quota: 3 },
      { name: 'c' },
    ]);
  });

  it('reads commas, semicolons and escapes inside a String name', () => {
    expect(parseRateLimitPolicy('"per user, per day";q=1;w=86400, "say \\"hi\\"; \\\\";q=2')).toEqual([
      { name: 'per user, per day', quota: 1, windowSeconds: 86400 },
      { name: 'say "hi"; \\', quota: 2 },
    ]);
  });

  it('drops a q or w that is not a non-negative Integer', () => {
    expect(parseRateLimitPolicy('"a";q=-1;w=1.5, "b";q="10";w=?1, "c";q=0;w=0')).toEqual([
      { name: 'a' },
      { name: 'b' },
      { name: 'c', quota: 0, windowSeconds: 0 },
    ]);
  });

  it('is empty for a missing or empty field', () => {
    expect(parseRateLimitPolicy(null)).toEqual([]);
    expect(parseRateLimitPolicy(undefined)).toEqual([]);
    expect(parseRateLimitPolicy('')).toEqual([]);
    expect(parseRateLimitPolicy('  ,  ,')).toEqual([]);
  });
});

describe('RateLimit', () => {
  it('reads r and t of a String-named policy', () => {
    expect(parseRateLimit('"burst";r=0;t=12')).toEqual([{ name: 'burst', remaining: 0, resetSeconds: 12 }]);
  });

  it('reads a Token-named policy and several policies', () => {
    expect(parseRateLimit('burst;r=50;t=30, "daily";r=999;t=3600')).toEqual([
      { name: 'burst', remaining: 50, resetSeconds: 30 },
      { name: 'daily', remaining: 999, resetSeconds: 3600 },
    ]);
  });

  it('reads several field lines', () => {
    const headers = new Headers([
      ['RateLimit', '"burst";r=1;t=2'],
      ['RateLimit', '"daily";r=0;t=5'],
    ]);
    expect(parseRateLimit(headers.get('ratelimit'))).toEqual([
      { name: 'burst', remaining: 1, resetSeconds: 2 },
      { name: 'daily', remaining: 0, resetSeconds: 5 },
    ]);
  });

  it('leaves out r or t when absent or invalid', () => {
    expect(parseRateLimit('"a";t=5, "b";r=3, "c";r=-2;t=2.5')).toEqual([
      { name: 'a', resetSeconds: 5 },
      { name: 'b', remaining: 3 },
      { name: 'c' },
    ]);
  });

  it('tolerates spaces after commas and after semicolons', () => {
    expect(parseRateLimit('"a";r=1;t=2 ,   "b"; r=3; t=4')).toEqual([
      { name: 'a', remaining: 1, resetSeconds: 2 },
      { name: 'b', remaining: 3, resetSeconds: 4 },
    ]);
  });
});

describe('malformed members', () => {
  it.each([
    ['an unterminated String', '"burst;r=0;t=12'],
    ['a number as the name', '12;r=0;t=5'],
    ['a Boolean as the name', '?1;r=0'],
    ['garbage after the item', '"a";r=1 junk'],
    ['a space before a semicolon', '"a" ;r=1'],
    ['a key in capitals', '"a";R=1'],
    ['an empty parameter value', '"a";r=;t=1'],
    ['an unterminated Byte Sequence parameter', '"a";r=1;k=:abc'],
    ['a lone semicolon', ';'],
  ])('skips %s without throwing', (_name, value) => {
    expect(parseRateLimit(value)).toEqual([]);
    expect(parseRateLimitPolicy(value)).toEqual([]);
  });

  it('skips only the broken member and keeps the rest', () => {
    expect(parseRateLimit('"ok";r=1;t=2, garbage((, 7, "also ok";r=0;t=9')).toEqual([
      { name: 'ok', remaining: 1, resetSeconds: 2 },
      { name: 'also ok', remaining: 0, resetSeconds: 9 },
    ]);
  });
});

describe('properties', () => {
  it('never throw on any string, and return only well-formed entries', () => {
    const input = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc
        .array(fc.constantFrom('"', ';', ',', '=', ' ', 'r', 't', 'q', 'w', '1', '-', '.', '?', ':', '\\', 'a'), {
          maxLength: 60,
        })
        .map((characters) => characters.join('')),
    );
    const wellFormed = (value: number | undefined) => value === undefined || (Number.isSafeInteger(value) && value >= 0);
    fc.assert(
      fc.property(input, (value) => {
        for (const state of parseRateLimit(value)) {
          expect(typeof state.name).toBe('string');
          expect(wellFormed(state.remaining) && wellFormed(state.resetSeconds)).toBe(true);
        }
        for (const policy of parseRateLimitPolicy(value)) {
          expect(typeof policy.name).toBe('string');
          expect(wellFormed(policy.quota) && wellFormed(policy.windowSeconds)).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('read back every list of policies they are given', () => {
    const name = fc.oneof(
      fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,15}$/).map((token) => ({ name: token, written: token })),
      fc
        .string({ unit: fc.constantFrom(...' abcXYZ,;=-"\\'.split('')), maxLength: 20 })
        .map((text) => ({ name: text, written: `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"` })),
    );
    const integer = fc.integer({ min: 0, max: 999_999_999_999_999 });
    const policy = fc.record({ name, quota: integer, window: integer, remaining: integer, reset: integer });
    fc.assert(
      fc.property(fc.array(policy, { minLength: 1, maxLength: 5 }), (policies) => {
        const policyField = policies.map((p) => `${p.name.written};q=${p.quota};w=${p.window}`).join(', ');
        const stateField = policies.map((p) => `${p.name.written};r=${p.remaining};t=${p.reset}`).join(',');
        expect(parseRateLimitPolicy(policyField)).toEqual(
          policies.map((p) => ({ name: p.name.name, quota: p.quota, windowSeconds: p.window })),
        );
        expect(parseRateLimit(stateField)).toEqual(
          policies.map((p) => ({ name: p.name.name, remaining: p.remaining, resetSeconds: p.reset })),
        );
      }),
      { numRuns: 1000 },
    );
  });
});
