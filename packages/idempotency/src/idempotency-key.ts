/**
 * The rules for an `Idempotency-Key` header value, in one place: 1 to 255
 * visible ASCII characters (`!` to `~`), sent once. The IETF draft
 * (draft-ietf-httpapi-idempotency-key-header) writes the key as a Structured
 * Field string, `"8e03978e-…"`; clients such as Stripe's send it bare. Both are
 * accepted and name the same key: the quotes of a quoted key are removed.
 */

/** The header, in the lower case Node gives header names. */
export const idempotencyKeyHeader = 'idempotency-key';

/** The header that marks a replayed answer. */
export const replayedHeader = 'idempotent-replayed';

/** The longest key accepted, in characters; Stripe's limit too. */
export const maxIdempotencyKeyLength = 255;

/** What a request's `Idempotency-Key` header holds. */
export type KeyReading =
  | { readonly kind: 'absent' }
  | { readonly kind: 'key'; readonly key: string }
  /** `problem` completes the sentence "The Idempotency-Key header …". */
  | { readonly kind: 'malformed'; readonly problem: string };

const visibleAscii = /^[\x21-\x7e]+$/;

/**
 * Reads an `Idempotency-Key` header as a server receives it (Node gives a
 * repeated header as an array, or joined with commas).
 *
 * @example
 * readIdempotencyKey('8e03978e-40d5-43e8-bc93-6894a57f9324'); // { kind: 'key', key: '8e03978e-…' }
 * readIdempotencyKey(''); // { kind: 'malformed', problem: 'is empty' }
 */
export function readIdempotencyKey(header: string | readonly string[] | undefined): KeyReading {
  if (header === undefined) return { kind: 'absent' };
  if (typeof header !== 'string') {
    if (header.length !== 1) return { kind: 'malformed', problem: `was sent ${header.length} times; send it once` };
    return readIdempotencyKey(header[0]);
  }
  let key = header;
  // A quoted key (a Structured Field string) without escapes inside: the key is what the quotes hold.
  if (key.length >= 2 && key.startsWith('"') && key.endsWith('"') && !/["\\]/.test(key.slice(1, -1))) key = key.slice(1, -1);
  if (key.length === 0) return { kind: 'malformed', problem: 'is empty' };
  if (key.length > maxIdempotencyKeyLength)
    return {
      kind: 'malformed',
      problem: `is ${key.length} characters long; the most is ${maxIdempotencyKeyLength}`,
    };
  if (!visibleAscii.test(key)) {
    // Node joins a repeated header's values with ", ".
    if (key.includes(', '))
      return { kind: 'malformed', problem: 'holds ", ", as when it is sent more than once; send one key, once' };
    const characters = [...key];
    const position = characters.findIndex((character) => !visibleAscii.test(character));
    const found = characters[position]?.codePointAt(0) ?? 0;
    const what = found === 0x20 ? 'a space' : `U+${found.toString(16).toUpperCase().padStart(4, '0')}`;
    return {
      kind: 'malformed',
      problem: `holds ${what} at position ${position + 1}; only visible ASCII characters (! to ~) are allowed`,
    };
  }
  return { kind: 'key', key };
}
