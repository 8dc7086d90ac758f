/**
 * The IETF `RateLimit-Policy` and `RateLimit` fields
 * (draft-ietf-httpapi-ratelimit-headers-10): Structured Field lists whose
 * items name a policy (a String or a Token) with parameters.
 *
 *     RateLimit-Policy: "burst";q=100;w=60, "daily";q=1000;w=86400
 *     RateLimit: "burst";r=0;t=12
 */

/** A quota policy the server announces. */
export interface QuotaPolicy {
  readonly name: string;
  /** Quota units per window. */
  readonly quota?: number;
  /** Window length in seconds. */
  readonly windowSeconds?: number;
}

/** How much of a policy is left right now. */
export interface RateLimitState {
  readonly name: string;
  /** Quota units left. */
  readonly remaining?: number;
  /** Seconds until the quota is restored. */
  readonly resetSeconds?: number;
}

type Parameters = Map<string, string | number | boolean>;

/** Reads a `RateLimit-Policy` value; malformed items are skipped, never thrown on. */
export function parseRateLimitPolicy(value: string | null | undefined): QuotaPolicy[] {
  return parseList(value).map(({ name, parameters }) => {
    const quota = integer(parameters.get('q'));
    const windowSeconds = integer(parameters.get('w'));
    return { name, ...(quota === undefined ? {} : { quota }), ...(windowSeconds === undefined ? {} : { windowSeconds }) };
  });
}

/** Reads a `RateLimit` value; malformed items are skipped, never thrown on. */
export function parseRateLimit(value: string | null | undefined): RateLimitState[] {
  return parseList(value).map(({ name, parameters }) => {
    const remaining = integer(parameters.get('r'));
    const resetSeconds = integer(parameters.get('t'));
    return { name, ...(remaining === undefined ? {} : { remaining }), ...(resetSeconds === undefined ? {} : { resetSeconds }) };
  });
}

function integer(value: string | number | boolean | undefined): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/**
 * A small Structured Fields (RFC 9651) list reader covering what these two
 * fields use: String or Token items, with Integer, Decimal, String, Token,
 * Boolean and Byte Sequence parameters. An item that does not parse is
 * dropped and the reader moves on to the next comma.
 */
function parseList(value: string | null | undefined): { name: string; parameters: Parameters }[] {
  if (value === null || value === undefined) return [];
  const items: { name: string; parameters: Parameters }[] = [];
  for (const member of splitMembers(value)) {
    const item = parseItem(member.trim());
    if (item !== undefined) items.push(item);
  }
  return items;
}

/** Splits at commas outside quoted strings. */
function splitMembers(value: string): string[] {
  const members: string[] = [];
  let current = '';
  let quoted = false;
  for (let index = 0; index < value.length; index++) {
    const character = value[index] as string;
    if (quoted && character === '\\') {
      current += character + (value[index + 1] ?? '');
      index++;
      continue;
    }
    if (character === '"') quoted = !quoted;
    if (character === ',' && !quoted) {
      members.push(current);
      current = '';
    } else {
      current += character;
    }
  }
  members.push(current);
  return members;
}

const tokenPattern = /^[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]*/;
const keyPattern = /^[a-z*][a-z0-9_\-.*]*/;

function parseItem(text: string): { name: string; parameters: Parameters } | undefined {
  const bare = readBareItem(text);
  if (bare === undefined || typeof bare.value !== 'string') return undefined;
  const parameters: Parameters = new Map();
  let rest = bare.rest;
  while (rest.startsWith(';')) {
    rest = rest.slice(1).trimStart();
    const key = keyPattern.exec(rest)?.[0];
    if (key === undefined) return undefined;
    rest = rest.slice(key.length);
    if (rest.startsWith('=')) {
      const parameter = readBareItem(rest.slice(1));
      if (parameter === undefined) return undefined;
      parameters.set(key, parameter.value);
      rest = parameter.rest;
    } else {
      parameters.set(key, true);
    }
  }
  return rest.trim() === '' ? { name: bare.value, parameters } : undefined;
}

function readBareItem(text: string): { value: string | number | boolean; rest: string } | undefined {
  if (text.startsWith('"')) {
    let value = '';
    for (let index = 1; index < text.length; index++) {
      const character = text[index] as string;
      if (character === '\\') {
        value += text[index + 1] ?? '';
        index++;
      } else if (character === '"') {
        return { value, rest: text.slice(index + 1) };
      } else {
        value += character;
      }
    }
    return undefined;
  }
  const number = /^-?\d{1,15}(\.\d{1,3})?/.exec(text)?.[0];
  if (number !== undefined) return { value: Number(number), rest: text.slice(number.length) };
  if (text.startsWith('?1') || text.startsWith('?0')) return { value: text[1] === '1', rest: text.slice(2) };
  if (text.startsWith(':')) {
    const end = text.indexOf(':', 1);
    return end === -1 ? undefined : { value: text.slice(1, end), rest: text.slice(end + 1) };
  }
  const token = tokenPattern.exec(text)?.[0];
  return token === undefined ? undefined : { value: token, rest: text.slice(token.length) };
}
