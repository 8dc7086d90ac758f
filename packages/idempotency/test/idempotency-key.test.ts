import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maxIdempotencyKeyLength, readIdempotencyKey } from '../src/index.js';

const visible = fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code));
const invisible = fc
  .oneof(
    fc.integer({ min: 0, max: 0x20 }),
    fc.constant(0x7f),
    fc.integer({ min: 0x80, max: 0xffff }).filter((code) => code < 0xd800 || code > 0xdfff),
  )
  .map((code) => String.fromCharCode(code));

describe('readIdempotencyKey', () => {
  it('accepts every key of 1 to 255 visible ASCII characters, as sent', () => {
    fc.assert(
      fc.property(fc.string({ unit: visible, minLength: 1, maxLength: maxIdempotencyKeyLength }), (key) => {
        const reading = readIdempotencyKey(key);
        // A quoted key is its inside; every other key is itself.
        const expected =
          key.length >= 2 && key.startsWith('"') && key.endsWith('"') && !/["\\]/.test(key.slice(1, -1)) ? key.slice(1, -1) : key;
        if (expected === '') expect(reading.kind).toBe('malformed');
        else expect(reading).toEqual({ kind: 'key', key: expected });
      }),
    );
  });

  it('refuses a key with any character outside visible ASCII, naming its position', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: visible, maxLength: 100 }),
        invisible,
        fc.string({ unit: visible, maxLength: 100 }),
        (before, bad, after) => {
          const header = before + bad + after;
          const reading = readIdempotencyKey(header);
          expect(reading.kind).toBe('malformed');
          // Within a quoted key (a Structured Field string), positions count from the first character inside the quotes.
          const quoted = header.startsWith('"') && header.endsWith('"') && !/["\\]/.test(header.slice(1, -1));
          if (reading.kind === 'malformed' && !header.includes(', '))
            expect(reading.problem).toContain(`at position ${before.length + (quoted ? 0 : 1)}`);
        },
      ),
    );
  });

  it('counts the position of a bad character in a quoted key from inside the quotes', () => {
    expect(readIdempotencyKey('"a\u0080"')).toEqual({
      kind: 'malformed',
      problem: 'holds U+0080 at position 2; only visible ASCII characters (! to ~) are allowed',
    });
  });

  it('refuses an empty key, a key over 255 characters, and a key sent twice', () => {
    expect(readIdempotencyKey('')).toEqual({ kind: 'malformed', problem: 'is empty' });
    expect(readIdempotencyKey('""')).toEqual({ kind: 'malformed', problem: 'is empty' });
    expect(readIdempotencyKey('a'.repeat(256))).toEqual({
      kind: 'malformed',
      problem: 'is 256 characters long; the most is 255',
    });
    expect(readIdempotencyKey(['a', 'b'])).toEqual({ kind: 'malformed', problem: 'was sent 2 times; send it once' });
    expect(readIdempotencyKey('a, b').kind).toBe('malformed');
    expect(readIdempotencyKey(undefined)).toEqual({ kind: 'absent' });
  });

  it('reads a quoted key (a Structured Field string) as the same key unquoted', () => {
    expect(readIdempotencyKey('"8e03978e-40d5-43e8-bc93-6894a57f9324"')).toEqual({
      kind: 'key',
      key: '8e03978e-40d5-43e8-bc93-6894a57f9324',
    });
  });
});
