import type { FieldError } from '../api-error.js';
import type { EnvelopeFields, EnvelopeInput, EnvelopeReader, ErrorEnvelope } from './error-envelope.js';
import { envelopeReaders } from './envelope-readers.js';
import { cleanMessage } from './readable-line.js';
import { requestIdFromHeaders } from './request-ids.js';
import { afterSeconds, quotaSpentInHeaders, rateLimitWords, retryAtFromHeaders, secondsInMessage } from './retry-times.js';

/** Headers as fetch gives them, or a plain object of lower- or mixed-case names (Node's, axios's). */
export type HeadersLike =
  { get(name: string): string | null } | Readonly<Record<string, string | readonly string[] | number | undefined>>;

/** Bodies longer than this are not worth parsing as JSON for an error. */
const maxParsedBody = 1_000_000;
/** A code or request id as APIs write them: visible characters, no markup, bounded. */
const codeText = /^[^\s<>"'`\\]{1,300}$/;
/** Visible ASCII without quotes, backslash or angle brackets. */
const requestIdText = /^[\x21\x23-\x26\x28-\x3b\x3d\x3f-\x5b\x5d-\x5f\x61-\x7e]{1,200}$/;
const linkText = /^[^\s<>"'`\\]{1,2000}$/;

/**
 * Reads any error answer: names its envelope (ours, RFC 9457, Stripe,
 * GitHub, Google AIP-193, Azure/OData, Twilio, JSON:API, GraphQL, the
 * defaults of Fastify, Express, Spring Boot, ASP.NET Core, Django REST
 * framework and FastAPI, or text, HTML and nothing) and takes out the API's
 * own code, a readable message, field errors by JSON pointer, the docs link,
 * the request id, the retry time and whether it is a rate limit. Never throws;
 * never returns markup. The table of readers is in `envelope-readers.ts`.
 *
 * @param status - The HTTP status.
 * @param headers - The response headers.
 * @param body - The body text (an already-parsed JSON value is accepted too).
 * @param now - The time the answer is read at, for relative waits; `Date.now()` by default.
 *
 * @example
 * ```ts
 * const response = await fetch('https://api.github.com/repos/o/r/issues', { method: 'POST' });
 * if (!response.ok) {
 *   const envelope = readErrorEnvelope(response.status, response.headers, await response.text());
 *   envelope.name; // 'github'
 *   envelope.fieldErrors; // [{ pointer: '/title', code: 'missing_field', … }]
 *   envelope.rateLimited; // true for GitHub's 403 with x-ratelimit-remaining: 0
 * }
 * ```
 */
export function readErrorEnvelope(
  status: number,
  headers: HeadersLike | undefined,
  body: unknown,
  now: number = Date.now(),
): ErrorEnvelope {
  return readEnvelope(status, headers, body, now, true);
}

/**
 * {@link readErrorEnvelope}, with JSON messages and field errors kept exactly
 * as written when `clean` is false: `parseErrorResponse` gives back what our
 * own profiles wrote, character for character. Text and HTML bodies are
 * reduced to a line either way.
 */
export function readEnvelope(
  status: number,
  headers: HeadersLike | undefined,
  body: unknown,
  now: number,
  clean: boolean,
): ErrorEnvelope {
  const input: EnvelopeInput = { status, header: headerReader(headers), now };
  const value = toValue(body);
  for (const reader of envelopeReaders) {
    if (!matches(reader, value, input)) continue;
    let fields: EnvelopeFields;
    try {
      fields = reader.read(value as never, input);
    } catch {
      // A body whose members throw (a getter, a proxy) says nothing.
      fields = {};
    }
    return complete(reader, fields, input, clean);
  }
  /* c8 ignore next -- the last reader matches everything */
  return complete({ name: 'empty' }, {}, input, clean);
}

function complete(
  { name, hasRequestIdPlace = false }: Pick<EnvelopeReader, 'name' | 'hasRequestIdPlace'>,
  fields: EnvelopeFields,
  input: EnvelopeInput,
  clean: boolean,
): ErrorEnvelope {
  const { status, header, now } = input;
  const message = fields.message === undefined || !clean ? fields.message : cleanMessage(fields.message);
  const rateLimited =
    status === 429 ||
    fields.rateLimited === true ||
    (status === 403 &&
      (quotaSpentInHeaders(header) || (header('retry-after') !== undefined && rateLimitWords.test(message ?? ''))));
  const retryAt =
    valid(fields.retryAt) ??
    retryAtFromHeaders(input, rateLimited) ??
    (rateLimited && message !== undefined ? afterSeconds(secondsInMessage(message), now) : undefined);
  const requestId =
    fields.requestId !== undefined && requestIdText.test(fields.requestId) ? fields.requestId : requestIdFromHeaders(header);
  return {
    name,
    code: codeOf(fields.code),
    message,
    fieldErrors: fields.fieldErrors === undefined ? [] : clean ? cleanFields(fields.fieldErrors) : fields.fieldErrors,
    docsUrl:
      fields.docsUrl !== undefined && fields.docsUrl !== 'about:blank' && linkText.test(fields.docsUrl)
        ? fields.docsUrl
        : undefined,
    requestId: requestId !== undefined && requestIdText.test(requestId) ? requestId : undefined,
    retryAt,
    rateLimited,
    time: fields.time,
    statedStatus: Number.isSafeInteger(fields.status) ? fields.status : undefined,
    hasRequestIdPlace,
    extensions: fields.extensions ?? {},
  };
}

function matches(reader: EnvelopeReader, value: unknown, input: EnvelopeInput): boolean {
  try {
    return reader.matches(value, input);
  } catch {
    return false;
  }
}

function codeOf(code: string | number | undefined): string | undefined {
  if (typeof code === 'number') return Number.isSafeInteger(code) ? String(code) : undefined;
  return code !== undefined && codeText.test(code) ? code : undefined;
}

function cleanFields(fields: readonly FieldError[]): FieldError[] {
  return fields.slice(0, 1000).map((field) => ({
    pointer: field.pointer,
    location: field.location,
    code: cleanMessage(field.code),
    detail: cleanMessage(field.detail),
  }));
}

function valid(date: Date | undefined): Date | undefined {
  return date !== undefined && !Number.isNaN(date.getTime()) ? date : undefined;
}

function toValue(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  const trimmed = body.trim();
  if (trimmed.length > maxParsedBody || !(trimmed.startsWith('{') || trimmed.startsWith('['))) return body;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return body;
  }
}

/** A reader of header values that never throws and reads any case. */
function headerReader(headers: HeadersLike | undefined): EnvelopeInput['header'] {
  if (headers === undefined || headers === null) return () => undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const source = headers as { get(name: string): string | null };
    return (name) => {
      try {
        const value = source.get(name);
        return typeof value === 'string' ? value : undefined;
      } catch {
        return undefined;
      }
    };
  }
  const lowered = new Map<string, string>();
  try {
    for (const [name, value] of Object.entries(headers)) {
      const text = Array.isArray(value) ? value[0] : value;
      if (typeof text === 'string' || typeof text === 'number') lowered.set(name.toLowerCase(), String(text));
    }
  } catch {
    // Headers that cannot be listed are no headers.
  }
  return (name) => lowered.get(name);
}
