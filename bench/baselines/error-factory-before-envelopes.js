// The client's error factory as it was before the envelope table (commit 0faf008:
// packages/core/src/parse-error-response.ts and packages/client/src/errors/error-from-response.ts),
// kept here, and only here, as the baseline of bench/client-error-factory.js. Types dropped, logic unchanged;
// the error classes are the package's own, so only the reading differs.
import { ApiError, builtinCatalog, retryAfterSentence, statusName } from '@faultline/core';
import {
  AuthenticationError,
  ConflictError,
  NotFoundError,
  PermissionError,
  PreconditionFailedError,
  QuotaExceededError,
  RateLimitedError,
  ServerError,
  TimeoutError,
  ValidationError,
} from '@faultline/client';

const maxParsedBody = 1_000_000;
const maxTextDetail = 300;
const codeLike = /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/;
const fieldLocations = new Set(['body', 'query', 'path', 'header']);
const codesByStatus = {
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

function parseErrorResponse(response) {
  const status = Number.isInteger(response.status) ? response.status : 0;
  try {
    return parse(status, response);
  } catch {
    return new ApiError(codeForStatus(status), status, statusName(status));
  }
}

function parse(status, response) {
  const header = headerReader(response.headers);
  const value = toValue(response.body);
  const headerRequestId = header('x-request-id') ?? header('request-id') ?? undefined;
  const headerRetryAt = parseRetryAfter(header('retry-after'));
  if (isRecord(value)) {
    const read = readKnownShape(value);
    const code = read.code ?? codeForStatus(status);
    const detail = read.detail ?? statusName(status);
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

function readKnownShape(body) {
  const shape = {};
  const code = stringMember(body, 'code');
  const error = body['error'];
  const retryAfter = stringMember(body, 'retry_after');
  if (retryAfter !== undefined) assign(shape, 'retryAt', parseTime(retryAfter));
  assign(shape, 'requestId', stringMember(body, 'request_id'));
  assign(shape, 'time', stringMember(body, 'time'));
  const documented = stringMember(body, 'error_uri') ?? stringMember(body, 'type');
  if (documented !== undefined && documented !== 'about:blank' && documented.length <= 2000) shape.docsUrl = documented;
  if (code !== undefined && codeLike.test(code)) shape.code = code;
  if (typeof error === 'string') {
    if (shape.code !== undefined) {
      shape.detail = error;
      if (error.startsWith(retryAfterSentence)) assign(shape, 'retryAt', parseTime(error.slice(retryAfterSentence.length)));
    } else if (codeLike.test(error)) {
      shape.code = error;
      assign(shape, 'detail', stringMember(body, 'error_description') ?? stringMember(body, 'message'));
    } else {
      shape.detail = error;
    }
  } else if (isRecord(error)) {
    const nestedCode = stringMember(error, 'code') ?? stringMember(error, 'type');
    if (shape.code === undefined && nestedCode !== undefined && codeLike.test(nestedCode)) shape.code = nestedCode;
    assign(shape, 'detail', stringMember(error, 'message'));
  }
  if (shape.detail === undefined) assign(shape, 'detail', stringMember(body, 'detail'));
  if (shape.code === undefined) {
    const type = stringMember(body, 'type');
    const anchor = type?.slice(type.lastIndexOf('#') + 1);
    if (type !== undefined && type.includes('#') && anchor !== undefined && codeLike.test(anchor)) shape.code = anchor;
  }
  if (shape.detail === undefined) assign(shape, 'detail', stringMember(body, 'description') ?? stringMember(body, 'message'));
  if (shape.detail === undefined) assign(shape, 'detail', stringMember(body, 'title'));
  return shape;
}

function readFieldErrors(value) {
  if (!Array.isArray(value)) return [];
  const fields = [];
  for (const item of value.slice(0, 1000)) {
    if (!isRecord(item)) continue;
    const pointer = stringMember(item, 'pointer');
    if (pointer === undefined) continue;
    const location = stringMember(item, 'location');
    fields.push({
      pointer,
      location: location !== undefined && fieldLocations.has(location) ? location : 'body',
      code: stringMember(item, 'code') ?? 'invalid_parameter',
      detail: stringMember(item, 'detail') ?? stringMember(item, 'message') ?? '',
    });
  }
  return fields;
}

function toValue(body) {
  if (typeof body !== 'string') return body;
  const trimmed = body.trim();
  if (trimmed.length > maxParsedBody || !(trimmed.startsWith('{') || trimmed.startsWith('['))) return body;
  try {
    return JSON.parse(trimmed);
  } catch {
    return body;
  }
}

function textOf(body) {
  const head = body.slice(0, 20_000);
  const title = /<title[^<>]*>([^<]*)<\/title>/i.exec(head)?.[1];
  const text = (title ?? head.replace(/<(script|style)[^<>]*>[^]*?<\/\1>/gi, ' ').replace(/<[^<>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > maxTextDetail ? text.slice(0, maxTextDetail - 1) + '…' : text;
}

function codeForStatus(status) {
  return codesByStatus[status] ?? (status >= 500 ? 'internal_error' : 'invalid_request');
}

const httpDate = /^[A-Za-z]{3,9},? .*\b\d{2}:\d{2}:\d{2}\b/;
const isoDateTime = /^[+-]?\d{4,6}-\d{2}-\d{2}T\d{2}:\d{2}/;

function parseRetryAfter(value, now = Date.now()) {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d{1,10}$/.test(trimmed)) return new Date(now + Number(trimmed) * 1000);
  if (!httpDate.test(trimmed)) return undefined;
  const time = Date.parse(trimmed);
  return Number.isNaN(time) ? undefined : new Date(time);
}

function parseTime(value) {
  const trimmed = value.trim();
  if (!isoDateTime.test(trimmed)) return undefined;
  const time = Date.parse(trimmed);
  return Number.isNaN(time) ? undefined : new Date(time);
}

function headerReader(headers) {
  if (headers === undefined || headers === null) return () => undefined;
  if (typeof headers.get === 'function') {
    const get = headers.get.bind(headers);
    return (name) => get(name) ?? undefined;
  }
  const lowered = new Map();
  for (const [name, value] of Object.entries(headers)) {
    const text = Array.isArray(value) ? value[0] : value;
    if (typeof text === 'string') lowered.set(name.toLowerCase(), text);
  }
  return (name) => lowered.get(name);
}

const isRecord = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
function stringMember(record, name) {
  const value = Object.hasOwn(record, name) ? record[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}
function assign(shape, key, value) {
  if (value !== undefined && shape[key] === undefined) shape[key] = value;
}

const classByCategory = {
  invalid_request: ValidationError,
  authentication: AuthenticationError,
  permission: PermissionError,
  not_found: NotFoundError,
  conflict: ConflictError,
  precondition: PreconditionFailedError,
  rate_limit: RateLimitedError,
  quota: QuotaExceededError,
  timeout: TimeoutError,
  server: ServerError,
};

function categoryOfStatus(status) {
  switch (status) {
    case 401:
      return 'authentication';
    case 403:
      return 'permission';
    case 404:
    case 410:
      return 'not_found';
    case 408:
      return 'timeout';
    case 409:
      return 'conflict';
    case 412:
      return 'precondition';
    case 429:
      return 'rate_limit';
    default:
      return status >= 500 ? 'server' : 'invalid_request';
  }
}

/** The old `errorFromResponse`. */
export function errorFromResponseBefore(response) {
  const parsed = parseErrorResponse({ status: response.status, headers: response.headers, body: response.body });
  const known = builtinCatalog.find(parsed.code);
  const category = known !== undefined && statusFits(known, response.status) ? known.category : categoryOfStatus(response.status);
  const ErrorType = classByCategory[category];
  return new ErrorType({
    status: response.status,
    code: parsed.code,
    detail: parsed.detail,
    method: response.method,
    url: response.url,
    requestId: parsed.requestId,
    body: response.body,
    retryAt: parsed.retryAt,
    fieldErrors: parsed.errors,
    attempts: response.attempts,
    docsUrl: documentation(parsed.docsUrl, parsed.code, response),
    extensions: known === undefined ? {} : extensionMembers(known, response.body),
    response: response.response,
    headers: response.headers,
  });
}

function extensionMembers(entry, body) {
  const declared = Object.entries(entry.extensions);
  if (declared.length === 0) return {};
  let parsed;
  try {
    parsed = JSON.parse(body);
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
  const members = {};
  for (const [name, member] of declared) {
    const value = parsed[name];
    const fits = member.schema.type === 'integer' ? Number.isSafeInteger(value) : typeof value === 'string';
    if (fits) members[name] = value;
  }
  return members;
}

function documentation(fromBody, code, response) {
  try {
    if (fromBody !== undefined) return new URL(fromBody, response.url).toString();
    if (response.docsUrl !== undefined)
      return `${new URL(response.docsUrl, response.url).toString().replace(/#.*$/, '')}#${code}`;
  } catch {
    // A malformed link is no link.
  }
  return undefined;
}

function statusFits(entry, actual) {
  return entry.status === actual || entry.variants.some((variant) => variant.status === actual);
}
