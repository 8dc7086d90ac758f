import type { WireFailure } from './transport.js';

/** The operation of the API document a request was aimed at. */
export interface OperationRef {
  readonly method: string;
  /** The path template, e.g. `/v1/campaigns/{id}`. */
  readonly path: string;
}

/** A request as the report shows it: credentials are redacted when the report is built. */
export interface SentRequest {
  readonly method: string;
  readonly target: string;
  readonly headers: readonly (readonly [string, string])[];
  /** The body as text, cut to a readable length. */
  readonly body?: string;
  /** The Content-Length announced when it differs from the body sent. */
  readonly announcedLength?: number;
}

/** An answer as the checks see it. */
export interface ReceivedResponse {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  /** The body as UTF-8 text (at most the bytes read). */
  readonly body: string;
  /** The body went on past what is read. */
  readonly bodyCut: boolean;
  /** The connection closed, or the time ran out, before the announced body was complete. */
  readonly bodyIncomplete: boolean;
  /** The body parsed as JSON, when it is JSON. */
  readonly json?: unknown;
}

/** One request of the run and what came back. */
export interface Exchange {
  readonly id: number;
  /** The check that sent it. */
  readonly checkId: string;
  readonly operation?: OperationRef;
  readonly request: SentRequest;
  readonly response?: ReceivedResponse;
  readonly failure?: WireFailure;
  readonly ms: number;
  /** An RFC 6749 endpoint, whose error shape that RFC fixes. */
  readonly oauthEndpoint?: boolean;
  /** Set when a check of severity error found fault with this answer; the reviews of every answer then leave it to that check. */
  faultedBy?: string;
}

/** The value of a response header (the first, when repeated), by case-insensitive name. */
export function header(response: ReceivedResponse, name: string): string | undefined {
  const wanted = name.toLowerCase();
  return response.headers.find(([key]) => key === wanted)?.[1];
}

/** The bare media type, lower-cased: `application/problem+json`. */
export function mediaType(response: ReceivedResponse): string | undefined {
  return header(response, 'content-type')?.split(';')[0]?.trim().toLowerCase();
}

/** `application/json` or any `+json` type. */
export function isJsonMediaType(type: string | undefined): boolean {
  return type !== undefined && (type === 'application/json' || /^[a-z0-9.+-]+\/[a-z0-9.+-]*\+json$/.test(type));
}

/** Whether an answer is an error: a status of 400 or more. */
export function isError(exchange: Exchange): exchange is Exchange & { response: ReceivedResponse } {
  return exchange.response !== undefined && exchange.response.status >= 400;
}

/** An error answer whose body is a JSON object. */
export function jsonObject(response: ReceivedResponse): Record<string, unknown> | undefined {
  const value = response.json;
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
