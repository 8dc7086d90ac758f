/**
 * What a JSON body may hold, checked in one pass over its bytes before it is
 * parsed, so a body built to be slow (a million keys, an array nested a
 * million deep) is refused with 413 before it costs a parse or a validation.
 */
export interface JsonLimits {
  /** How deep objects and arrays may nest. Default: 32. */
  readonly maxDepth: number;
  /** The most keys one object may have. Default: 1,000. */
  readonly maxKeys: number;
  /** The most items one array may have. Default: 20,000. */
  readonly maxItems: number;
  /** The most values (keys, items and nested values) the whole body may have. Default: 100,000. */
  readonly maxMembers: number;
}

/** The defaults of {@link JsonLimits}. */
export const defaultJsonLimits: JsonLimits = { maxDepth: 32, maxKeys: 1000, maxItems: 20_000, maxMembers: 100_000 };

const quote = 0x22;
const backslash = 0x5c;
const openObject = 0x7b;
const closeObject = 0x7d;
const openArray = 0x5b;
const closeArray = 0x5d;
const comma = 0x2c;

/** What a pass over a body found: the first limit it breaks, or how many values it holds. */
export type JsonShape =
  { readonly breach: JsonLimitBreach; readonly members?: undefined } | { readonly breach?: undefined; readonly members: number };

/** The first limit a body breaks, with what the client should read about it. */
export interface JsonLimitBreach {
  readonly limit: keyof JsonLimits;
  readonly detail: string;
}

/**
 * Checks a JSON text's shape against `limits` in one pass over its bytes,
 * without building anything: nesting depth, keys per object, items per array
 * and values in all. It stops at the first limit broken, so a hostile body
 * costs at most one read up to that point. It does not check the syntax;
 * the parser that runs next does.
 *
 * @example
 * checkJsonShape(Buffer.from('[[[1]]]'), { maxDepth: 2, maxKeys: 10, maxItems: 10, maxMembers: 10 });
 * // { breach: { limit: 'maxDepth', detail: 'The body nests arrays and objects deeper than 2 levels, ...' } }
 * checkJsonShape(Buffer.from('{"a":[1,2]}'), limits); // { members: 3 }
 */
export function checkJsonShape(body: Uint8Array, limits: JsonLimits): JsonShape {
  const { maxDepth, maxKeys, maxItems, maxMembers } = limits;
  // Per open container: whether it is an object, and how many elements it has so far.
  const capacity = Math.min(maxDepth, 1 << 16) + 1;
  const isObject = new Uint8Array(capacity);
  const counts = new Uint32Array(capacity);
  let depth = 0;
  let members = 0;
  // Just after `[`, `{` or `,`: the next token starts an element (an item, or a key).
  let awaiting = false;
  const length = body.length;
  for (let index = 0; index < length; index++) {
    const byte = body[index] as number;
    // Whitespace never starts an element.
    if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09) continue;
    if (awaiting && byte !== closeArray && byte !== closeObject) {
      awaiting = false;
      const count = ++counts[depth]!;
      if (++members > maxMembers)
        return breach(
          'maxMembers',
          `The body holds more than ${maxMembers} values in all, the most this server reads in one request (jsonLimits.maxMembers).`,
        );
      if (isObject[depth] === 1 ? count > maxKeys : count > maxItems)
        return isObject[depth] === 1
          ? breach(
              'maxKeys',
              `An object in the body has more than ${maxKeys} keys, the most this server reads in one object (jsonLimits.maxKeys).`,
            )
          : breach(
              'maxItems',
              `An array in the body has more than ${maxItems} items, the most this server reads in one array (jsonLimits.maxItems).`,
            );
    }
    if (byte === quote) {
      // Skip the string: no byte in it is structure. UTF-8 continuation bytes never equal `"` or `\`.
      for (index++; index < length; index++) {
        const inner = body[index];
        if (inner === backslash) index++;
        else if (inner === quote) break;
      }
    } else if (byte === openObject || byte === openArray) {
      if (++depth > maxDepth)
        return breach(
          'maxDepth',
          `The body nests arrays and objects deeper than ${maxDepth} levels, the most this server reads (jsonLimits.maxDepth).`,
        );
      isObject[depth] = byte === openObject ? 1 : 0;
      counts[depth] = 0;
      awaiting = true;
    } else if (byte === closeObject || byte === closeArray) {
      if (depth > 0) depth--;
      awaiting = false;
    } else if (byte === comma) {
      awaiting = depth > 0;
    }
  }
  return { members };
}

const breach = (limit: keyof JsonLimits, detail: string): JsonShape => ({ breach: { limit, detail } });
