/**
 * Which error envelope a body is written in, and what it says. The checks
 * only call {@link recognizeErrorShape}; which envelope a body is, and where
 * each envelope keeps its code, status and request id, is decided by the one
 * table of envelope readers in `@faultline/core` (`readErrorEnvelope`), the
 * same the Faultline client reads errors with.
 */
import { readErrorEnvelope, type EnvelopeName } from '@faultline/core';

/**
 * The envelopes the checks know: core's envelope names (`faultline-problem`,
 * `rfc9457`, `stripe`, `google`, `fastify` …), with `unknown` for JSON in no
 * recognised envelope, and for text, HTML or nothing.
 */
export type ErrorShapeName = Exclude<EnvelopeName, (typeof unrecognised)[number]> | 'unknown';

/** What a recognised body says, as far as its shape has a place for it. */
export interface ErrorShape {
  readonly name: ErrorShapeName;
  /** The machine-readable code. */
  readonly code?: string;
  /** The status the body states (problem details' `status`, Google's `error.code` …). */
  readonly status?: number;
  /** The request id the body carries (never one from a header). */
  readonly requestId?: string;
  /** Whether the shape has a place in its body for a request id. */
  readonly hasRequestIdPlace: boolean;
  /** Problem details' `type` URI. */
  readonly type?: string;
}

/** Core's catch-alls: any other JSON, text, HTML, nothing. */
const unrecognised = ['json', 'text', 'html', 'empty'] as const;
/** The envelopes whose `type` member is a problem type URI. */
const problemDetails: ReadonlySet<EnvelopeName> = new Set(['faultline-problem', 'rfc9457', 'aspnet-core']);

const isUnrecognised = (name: EnvelopeName): name is (typeof unrecognised)[number] =>
  (unrecognised as readonly string[]).includes(name);

/**
 * Names the envelope of an error body (already parsed from JSON) and reads
 * its code, stated status and request id.
 *
 * @example
 * recognizeErrorShape({ type: 'about:blank', title: 'Not Found', status: 404 }, 'application/problem+json').name; // 'rfc9457'
 */
export function recognizeErrorShape(body: unknown, mediaType?: string): ErrorShape {
  // A parsed JSON string is a text body, not text to parse again.
  if (typeof body === 'string' || body === undefined || body === null) return { name: 'unknown', hasRequestIdPlace: false };
  // Only the media type is given: the request id must be the body's own, not one of the headers'.
  const envelope = readErrorEnvelope(0, mediaType === undefined ? {} : { 'content-type': mediaType }, body, 0);
  // In problem details the docs link is the `type` URI (never `about:blank`).
  const type = problemDetails.has(envelope.name) ? envelope.docsUrl : undefined;
  // RFC 9457 makes a type URI the problem's identifier, but it is no catalog code.
  const code = envelope.code !== undefined && envelope.code !== type ? envelope.code : undefined;
  return {
    name: isUnrecognised(envelope.name) ? 'unknown' : envelope.name,
    ...(code === undefined ? {} : { code }),
    ...(envelope.statedStatus === undefined ? {} : { status: envelope.statedStatus }),
    ...(envelope.requestId === undefined ? {} : { requestId: envelope.requestId }),
    hasRequestIdPlace: envelope.hasRequestIdPlace,
    ...(type === undefined ? {} : { type }),
  };
}
