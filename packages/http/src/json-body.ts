import type { ApiError, Catalog } from '@faultline/core';
import secureJson from 'secure-json-parse';
import { checkJsonShape, type JsonLimits } from './json-limits.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A JSON body read: its value and how many values it holds, or the error to answer with. */
export type JsonBodyReading =
  | { readonly value: unknown; readonly members: number; readonly error?: undefined }
  | { readonly error: ApiError; readonly value?: undefined; readonly members?: undefined };

/**
 * Reads a JSON body from its bytes, saying what is wrong when it cannot
 * (frameworks' own parsers answer every failure with the same "invalid JSON"):
 * empty, not UTF-8, where the syntax breaks, or a `__proto__` /
 * `constructor.prototype` key (refused rather than stripped, so nothing
 * reaches an object's prototype), each `invalid_request` (400). Before
 * parsing, the body's shape is checked against `limits` in one pass
 * (`request_too_large`, 413, naming the limit), so a body built to be slow
 * never reaches the parser or the schema.
 *
 * @example
 * ```ts
 * const reading = readJsonBody(new Uint8Array(await request.arrayBuffer()), settings.catalog, settings.jsonLimits);
 * if (reading.error !== undefined) return answer(reading.error);
 * use(reading.value);
 * ```
 */
export function readJsonBody(body: Uint8Array, catalog: Catalog, limits: JsonLimits): JsonBodyReading {
  if (body.length === 0) {
    return { error: catalog.error('invalid_request', { detail: 'The Content-Type is application/json but the body is empty.' }) };
  }
  const shape = checkJsonShape(body, limits);
  if (shape.breach !== undefined) return { error: catalog.error('request_too_large', { detail: shape.breach.detail }) };
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { error: catalog.error('invalid_request', { detail: 'The body is not valid UTF-8.' }) };
  }
  try {
    const value: unknown = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
    return { value, members: shape.members };
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'it cannot be parsed';
    return { error: catalog.error('invalid_request', { detail: `The body is not valid JSON: ${reason.slice(0, 160)}` }) };
  }
}
