import {
  bodyTooLargeError,
  contentLengthMismatchError,
  readJsonBody as parseJsonBody,
  unsupportedMediaTypeError,
} from '@faultline/http';
import type { Context } from 'hono';
import { requestHeader } from './request-header.js';
import { readBoundedBody, type BodyReading } from './read-bounded-body.js';
import { rememberMembers } from './request-checker.js';
import { settingsOf } from './send-error.js';

/**
 * Whether the headers say the request carries a body, as Fastify decides it:
 * a `Content-Type`, a `Transfer-Encoding` or a non-zero `Content-Length`.
 */
function announcesBody(c: Context): boolean {
  const length = requestHeader(c, 'content-length');
  if (length !== undefined && length !== '0') return true;
  return requestHeader(c, 'content-type') !== undefined || requestHeader(c, 'transfer-encoding') !== undefined;
}

/** Whether a media type (parameters aside) is one the app reads and is JSON. */
function readsAsJson(contentType: string, accepted: readonly string[]): boolean {
  const semicolon = contentType.indexOf(';');
  const type = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  return accepted.includes(type) && (type === 'application/json' || type.endsWith('+json'));
}

/**
 * The request's JSON body, read once and kept: `undefined` when there is
 * none; otherwise read with the contract's limits and refused with the
 * catalog error that names what is wrong: 415 `invalid_content_type` for a
 * media type the app does not read (naming the accepted ones), 413
 * `request_too_large` past `bodyLimit` bytes (counted while reading: the rest
 * is never buffered) or past the JSON shape limits, 400 `invalid_request` for
 * a body that is not JSON (saying where it breaks) or shorter than its
 * `Content-Length`. The errors are thrown: the {@link faultline} error
 * handler answers them.
 *
 * Afterwards `c.req.json()` gives the same value without reading again.
 * `validate('json', schema)` calls it for you.
 *
 * @example
 * ```ts
 * app.post('/v1/echo', async (c) => c.json({ received: await readJsonBody(c) }));
 * ```
 */
export async function readJsonBody(c: Context, bodyLimit?: number): Promise<unknown> {
  const cached = c.req.bodyCache.json as Promise<unknown> | undefined;
  if (cached !== undefined) return cached;
  const settings = settingsOf(c);
  const { catalog } = settings;
  const limit = bodyLimit ?? settings.bodyLimit;
  const contentType = requestHeader(c, 'content-type');
  let reading: BodyReading | undefined;
  if (!announcesBody(c)) {
    // A runtime may hand a body stream whose headers say nothing (HTTP/2, a Request built in code): an empty one is no body.
    if (c.req.raw.body === null) return undefined;
    reading = await readBoundedBody(c.req.raw, limit);
    if (reading.kind === 'read' && reading.bytes.length === 0) return undefined;
  }
  if (contentType === undefined || !readsAsJson(contentType, settings.contentTypes))
    throw unsupportedMediaTypeError(catalog, contentType, settings.contentTypes);
  reading ??= await readBoundedBody(c.req.raw, limit);
  if (reading.kind === 'too-large') throw bodyTooLargeError(catalog, limit);
  if (reading.kind === 'incomplete') throw contentLengthMismatchError(catalog);
  const parsed = parseJsonBody(reading.bytes, catalog, settings.jsonLimits);
  if (parsed.error !== undefined) throw parsed.error;
  const value = parsed.value;
  // A large body's schema failures are listed by the first only: the validator learns its size here.
  if (typeof value === 'object' && value !== null) rememberMembers(value, parsed.members);
  c.req.bodyCache.json = Promise.resolve(value);
  return value;
}
