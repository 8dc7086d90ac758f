import type { FieldError } from '../api-error.js';

/**
 * The shapes of error answer {@link readErrorEnvelope} recognises, one per
 * reader of the table in `envelope-readers.ts`.
 */
export type EnvelopeName =
  | 'faultline-problem'
  | 'faultline-classic'
  | 'faultline-message'
  | 'oauth2'
  | 'google'
  | 'stripe'
  | 'azure'
  | 'twilio'
  | 'github'
  | 'json-api'
  | 'graphql'
  | 'aspnet-core'
  | 'spring-boot'
  | 'fastify'
  | 'fastapi'
  | 'django-rest-framework'
  | 'rfc9457'
  | 'json'
  | 'express'
  | 'html'
  | 'text'
  | 'empty';

/** What an error answer says, whatever its shape; every member is as the API wrote it, made safe to show. */
export interface ErrorEnvelope {
  /** The shape recognised. */
  readonly name: EnvelopeName;
  /**
   * The API's own code for the failure, as it wrote it (a number becomes its
   * decimal string: Twilio's `20404`); undefined when the answer names none.
   */
  readonly code: string | undefined;
  /** What went wrong, as one readable line without markup; undefined when the answer says nothing. */
  readonly message: string | undefined;
  /** Every failing field the answer lists, located by JSON pointer. */
  readonly fieldErrors: readonly FieldError[];
  /** Where the code is documented, as the answer gives it (it may be relative). */
  readonly docsUrl: string | undefined;
  /** The request id, from the body or one of the usual headers. */
  readonly requestId: string | undefined;
  /** When the request may be sent again, from the first place that says so. */
  readonly retryAt: Date | undefined;
  /** Whether the answer is a rate limit: a 429, or the evidence an API gives with another status (GitHub's 403s). */
  readonly rateLimited: boolean;
  /** When the server says the error happened, as it wrote it. */
  readonly time: string | undefined;
  /**
   * The HTTP status the body itself states (problem details' `status`,
   * Google's `error.code`, Fastify's `statusCode` …), which may disagree with
   * the response's; undefined when the shape states none.
   */
  readonly statedStatus: number | undefined;
  /** Whether the shape has a member of its body for the request id (`request_id`, `traceId` …), filled or not. */
  readonly hasRequestIdPlace: boolean;
  /** The members of the body the shape does not model (RFC 9457 extension members, Google's ErrorInfo, Stripe's `decline_code` …). */
  readonly extensions: Readonly<Record<string, unknown>>;
}

/** What a reader may look at besides the body. */
export interface EnvelopeInput {
  readonly status: number;
  /** A header's value, or undefined; never throws. */
  readonly header: (name: string) => string | undefined;
  /** The time the answer is read at, in epoch milliseconds. */
  readonly now: number;
}

/** What a reader takes out of a body; the common parts (headers, limits, clean-up) are done once, after it. */
export interface EnvelopeFields {
  code?: string | number | undefined;
  message?: string | undefined;
  fieldErrors?: FieldError[] | undefined;
  docsUrl?: string | undefined;
  requestId?: string | undefined;
  retryAt?: Date | undefined;
  /** Set when the body itself says the answer is a rate limit (Stripe's `rate_limit`, Google's `RESOURCE_EXHAUSTED` …). */
  rateLimited?: boolean | undefined;
  time?: string | undefined;
  /** The HTTP status the body states. */
  status?: number | undefined;
  extensions?: Record<string, unknown> | undefined;
}

/**
 * One row of the table: how to recognise a shape, and how to read it. `body`
 * is the parsed JSON value when the text was JSON, else the text itself.
 */
export interface EnvelopeReader {
  readonly name: EnvelopeName;
  /** Whether the shape has a body member for the request id; false when left out. */
  readonly hasRequestIdPlace?: boolean;
  /** Whether the body has this shape; cheap, and checked in table order. */
  readonly matches: (body: unknown, input: EnvelopeInput) => boolean;
  readonly read: (body: never, input: EnvelopeInput) => EnvelopeFields;
}
