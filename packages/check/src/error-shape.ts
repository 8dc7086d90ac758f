/**
 * Which error envelope a body is written in, and what it says. This is the
 * one place `faultline check` names shapes: the checks only call
 * {@link recognizeErrorShape}.
 */

/** The envelopes the checks know. */
export type ErrorShapeName =
  /** RFC 9457 problem details: `{type, title, status, detail, ...}`. */
  | 'rfc9457'
  /** Faultline seed 000: exactly `{code, error, time}`, `error` a message. */
  | 'classic'
  /** Faultline seeds 001/003: `{message, description, ...}`. */
  | 'message'
  /** RFC 6749 section 5.2 (and seed 002): `{error, error_description, error_uri}`. */
  | 'oauth2'
  /** Stripe: `{error: {type, code, message, ...}}`. */
  | 'stripe'
  /** Google AIP-193: `{error: {code, message, status, details}}`. */
  | 'google'
  /** GitHub: `{message, documentation_url, errors?}`. */
  | 'github'
  | 'unknown';

/** What a recognised body says, as far as its shape has a place for it. */
export interface ErrorShape {
  readonly name: ErrorShapeName;
  /** The machine-readable code. */
  readonly code?: string;
  /** The status the body states (problem details' `status`, Google's `error.code`). */
  readonly status?: number;
  /** The request id the body carries, and whether the shape has a place for one. */
  readonly requestId?: string;
  readonly hasRequestIdPlace: boolean;
  /** Problem details' `type` URI. */
  readonly type?: string;
}

const codeLike = /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/;

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * Names the envelope of an error body (already parsed from JSON) and reads
 * its code, stated status and request id.
 *
 * @example
 * recognizeErrorShape({ type: 'about:blank', title: 'Not Found', status: 404 }, 'application/problem+json').name; // 'rfc9457'
 */
export function recognizeErrorShape(body: unknown, mediaType?: string): ErrorShape {
  const object = record(body);
  if (object === undefined) return { name: 'unknown', hasRequestIdPlace: false };
  const requestId = text(object['request_id']) ?? text(object['requestId']) ?? text(object['trace_id']);
  const nested = record(object['error']);

  if (
    mediaType === 'application/problem+json' ||
    (text(object['title']) !== undefined && (text(object['type']) !== undefined || typeof object['status'] === 'number'))
  ) {
    const type = text(object['type']);
    const code = text(object['code']) ?? (type?.includes('#') === true ? type.slice(type.lastIndexOf('#') + 1) : undefined);
    return {
      name: 'rfc9457',
      ...(code !== undefined && codeLike.test(code) ? { code } : {}),
      ...(typeof object['status'] === 'number' ? { status: object['status'] } : {}),
      ...(requestId === undefined ? {} : { requestId }),
      hasRequestIdPlace: true,
      ...(type === undefined ? {} : { type }),
    };
  }
  if (nested !== undefined) {
    if (typeof nested['code'] === 'number' && text(nested['status']) !== undefined) {
      return { name: 'google', code: nested['status'] as string, status: nested['code'], hasRequestIdPlace: false };
    }
    if (text(nested['type']) !== undefined) {
      const code = text(nested['code']) ?? (nested['type'] as string);
      const id = text(nested['request_id']) ?? requestId;
      return { name: 'stripe', code, ...(id === undefined ? {} : { requestId: id }), hasRequestIdPlace: true };
    }
  }
  const error = text(object['error']);
  const code = text(object['code']);
  if (code !== undefined && error !== undefined && text(object['time']) !== undefined) {
    return {
      name: 'classic',
      code,
      ...(requestId === undefined ? {} : { requestId }),
      hasRequestIdPlace: requestId !== undefined,
    };
  }
  if (text(object['message']) !== undefined && text(object['description']) !== undefined) {
    return {
      name: 'message',
      ...(code === undefined ? {} : { code }),
      ...(requestId === undefined ? {} : { requestId }),
      hasRequestIdPlace: true,
    };
  }
  if (error !== undefined && codeLike.test(error) && code === undefined) {
    return {
      name: 'oauth2',
      code: error,
      ...(requestId === undefined ? {} : { requestId }),
      hasRequestIdPlace: requestId !== undefined,
    };
  }
  if (text(object['message']) !== undefined && text(object['documentation_url']) !== undefined) {
    return { name: 'github', ...(requestId === undefined ? {} : { requestId }), hasRequestIdPlace: false };
  }
  return { name: 'unknown', ...(requestId === undefined ? {} : { requestId }), hasRequestIdPlace: false };
}
