import { ApiError, type FieldError, type FieldLocation } from './api-error.js';
import { retryAfterSentence } from './profiles/classic-profile.js';
import { statusName } from './catalog/http-statuses.js';

/** A response as any HTTP client sees it. */
export interface ResponseLike {
  readonly status: number;
  /** A fetch `Headers`, or a plain object of lower- or mixed-case names. */
  readonly headers?: { get(name: string): string | null } | Readonly<Record<string, string | string[] | undefined>>;
  /** The raw body text; an already-parsed JSON value is accepted too. */
  readonly body?: unknown;
}

/** Bodies longer than this are not worth parsing as JSON for an error. */
const maxParsedBody = 1_000_000;
/** A detail taken from text or HTML is cut to this many characters. */
const maxTextDetail = 300;
const codeLike = /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/;
const fieldLocations: ReadonlySet<string> = new Set(['body', 'query', 'path', 'header']);

/** The catalog code a bare status stands for, when nothing else names one. */
const codesByStatus: Readonly<Record<number, string>> = {
  400: 'invalid_request',
  401: 'unauthorized_request',
  403: 'not_authorized',
  404: 'not_found',
  405: 'method_not_allowed',
  408: 'request_timeout',
  409: 'conflict',
  412: 'precondition_failed',
  413: 'request_too_large',
  415: 'invalid_content_type',
  429: 'limit_reached',
  500: 'internal_error',
  502: 'bad_gateway',
  503: 'service_unavailable',
  504: 'gateway_timeout',
};

/**
 * Turns any error response into an {@link ApiError}: every Faultline profile,
 * and also plain text, HTML, an empty body or unknown JSON from a foreign
 * server. Never throws; whatever cannot be read falls back to what the status
 * says.
 */
export function parseErrorResponse(response: ResponseLike): ApiError {
  const status = Number.isInteger(response.status) ? response.status : 0;
  try {
    return parse(status, response);
  } catch {
    return new ApiError(codeForStatus(status), status, statusName(status));
  }
}

function parse(status: number, response: ResponseLike): ApiError {
  const header = headerReader(response.headers);
  const value = toValue(response.body);
  const headerRequestId = header('x-request-id') ?? header('request-id') ?? undefined;
  const headerRetryAt = parseRetryAfter(header('retry-after'));

  if (isRecord(value)) {
    const read = readKnownShape(value);
    const code = read.code ?? codeForStatus(status);
    const detail = read.detail ?? statusName(status);
    // The body's time is absolute and to the millisecond; `Retry-After` is whole seconds from when it was sent.
    const retryAt = read.retryAt ?? headerRetryAt;
    const requestId = read.requestId ?? headerRequestId;
    return new ApiError(code, status, detail, {
      errors: readFieldErrors(value['errors']),
      ...(retryAt === undefined ? {} : { retryAt }),
      ...(requestId === undefined ? {} : { requestId }),
      ...(read.time === undefined ? {} : { time: read.time }),
      ...(read.docsUrl === undefined ? {} : { docsUrl: read.docsUrl }),
    });
  }

  const text = typeof value === 'string' ? textOf(value) : '';
  return new ApiError(codeForStatus(status), status, text === '' ? statusName(status) : text, {
    ...(headerRetryAt === undefined ? {} : { retryAt: headerRetryAt }),
    ...(headerRequestId === undefined ? {} : { requestId: headerRequestId }),
  });
}

interface KnownShape {
  code?: string;
  detail?: string;
  retryAt?: Date;
  requestId?: string;
  time?: string;
  docsUrl?: string;
}

/** Reads whichever of our profiles (or a common foreign shape) the body has. */
function readKnownShape(body: Record<string, unknown>): KnownShape {
  const shape: KnownShape = {};
  const code = stringMember(body, 'code');
  const error = body['error'];
  const retryAfter = stringMember(body, 'retry_after');
  if (retryAfter !== undefined) assign(shape, 'retryAt', parseTime(retryAfter));
  assign(shape, 'requestId', stringMember(body, 'request_id'));
  assign(shape, 'time', stringMember(body, 'time'));
  // problem+json's `type` (unless the RFC 9457 default) or OAuth2's `error_uri` says where the code is documented.
  const documented = stringMember(body, 'error_uri') ?? stringMember(body, 'type');
  if (documented !== undefined && documented !== 'about:blank' && documented.length <= 2000) shape.docsUrl = documented;

  if (code !== undefined && codeLike.test(code)) shape.code = code;

  if (typeof error === 'string') {
    if (shape.code !== undefined) {
      // classic: `error` is a message for a person.
      shape.detail = error;
      if (error.startsWith(retryAfterSentence)) assign(shape, 'retryAt', parseTime(error.slice(retryAfterSentence.length)));
    } else if (codeLike.test(error)) {
      // oauth (RFC 6749) and seed 002: `error` is the code.
      shape.code = error;
      assign(shape, 'detail', stringMember(body, 'error_description') ?? stringMember(body, 'message'));
    } else {
      shape.detail = error;
    }
  } else if (isRecord(error)) {
    // A common foreign shape: `{ "error": { "code": …, "message": … } }`.
    const nestedCode = stringMember(error, 'code') ?? stringMember(error, 'type');
    if (shape.code === undefined && nestedCode !== undefined && codeLike.test(nestedCode)) shape.code = nestedCode;
    assign(shape, 'detail', stringMember(error, 'message'));
  }

  // problem+json: `detail`, else `title`; a code may hide in the `type` anchor.
  if (shape.detail === undefined) assign(shape, 'detail', stringMember(body, 'detail'));
  if (shape.code === undefined) {
    const type = stringMember(body, 'type');
    const anchor = type?.slice(type.lastIndexOf('#') + 1);
    if (type !== undefined && type.includes('#') && anchor !== undefined && codeLike.test(anchor)) shape.code = anchor;
  }
  // message profile: `description` says what went wrong, `message` names the status.
  if (shape.detail === undefined) assign(shape, 'detail', stringMember(body, 'description') ?? stringMember(body, 'message'));
  if (shape.detail === undefined) assign(shape, 'detail', stringMember(body, 'title'));
  return shape;
}

function readFieldErrors(value: unknown): FieldError[] {
  if (!Array.isArray(value)) return [];
  const fields: FieldError[] = [];
  for (const item of value.slice(0, 1000)) {
    if (!isRecord(item)) continue;
    const pointer = stringMember(item, 'pointer');
    if (pointer === undefined) continue;
    const location = stringMember(item, 'location');
    fields.push({
      pointer,
      location: location !== undefined && fieldLocations.has(location) ? (location as FieldLocation) : 'body',
      code: stringMember(item, 'code') ?? 'invalid_parameter',
      detail: stringMember(item, 'detail') ?? stringMember(item, 'message') ?? '',
    });
  }
  return fields;
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

/** A short, tag-free line from a text or HTML body. */
function textOf(body: string): string {
  const head = body.slice(0, 20_000);
  // `[^<>]` stops a tag match at the next `<`, so a body of many `<` cannot make the scan quadratic.
  const title = /<title[^<>]*>([^<]*)<\/title>/i.exec(head)?.[1];
  const text = (title ?? head.replace(/<(script|style)[^<>]*>[^]*?<\/\1>/gi, ' ').replace(/<[^<>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > maxTextDetail ? text.slice(0, maxTextDetail - 1) + '…' : text;
}

/**
 * The built-in catalog code a status stands for when a body or a foreign
 * error names none: `not_found` for 404, `internal_error` for an unknown 5xx,
 * `invalid_request` for an unknown 4xx.
 */
export function codeForStatus(status: number): string {
  return codesByStatus[status] ?? (status >= 500 ? 'internal_error' : 'invalid_request');
}

/** IMF-fixdate, RFC 850 and asctime dates (RFC 9110 section 5.6.7) all start with a day name and hold a time of day. */
const httpDate = /^[A-Za-z]{3,9},? .*\b\d{2}:\d{2}:\d{2}\b/;
/** The ISO 8601 date-times our profiles write (`Date.toISOString`). */
const isoDateTime = /^[+-]?\d{4,6}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 section 10.2.3). */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): Date | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d{1,10}$/.test(trimmed)) return new Date(now + Number(trimmed) * 1000);
  // `Date.parse` alone would read `1.5` or `-5` as a day in 2001.
  if (!httpDate.test(trimmed)) return undefined;
  const time = Date.parse(trimmed);
  return Number.isNaN(time) ? undefined : new Date(time);
}

function parseTime(value: string): Date | undefined {
  const trimmed = value.trim();
  if (!isoDateTime.test(trimmed)) return undefined;
  const time = Date.parse(trimmed);
  return Number.isNaN(time) ? undefined : new Date(time);
}

function headerReader(headers: ResponseLike['headers']): (name: string) => string | undefined {
  if (headers === undefined || headers === null) return () => undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const get = (headers as { get(name: string): string | null }).get.bind(headers);
    return (name) => get(name) ?? undefined;
  }
  const lowered = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    const text = Array.isArray(value) ? value[0] : value;
    if (typeof text === 'string') lowered.set(name.toLowerCase(), text);
  }
  return (name) => lowered.get(name);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringMember(record: Record<string, unknown>, name: string): string | undefined {
  const value = Object.hasOwn(record, name) ? record[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}

function assign<K extends keyof KnownShape>(shape: KnownShape, key: K, value: KnownShape[K] | undefined): void {
  if (value !== undefined && shape[key] === undefined) shape[key] = value;
}
