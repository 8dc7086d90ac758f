import type { Catalog } from '@faultline/core';
import type { FastifyRequest } from 'fastify';
import secureJson from 'secure-json-parse';
import { checkJsonShape } from './json-limits.js';
import type { JsonLimits } from './settings.js';
import { rememberBodySize } from './validator-compiler.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Fastify's own JSON parser answers every failure with the same "invalid
 * JSON" and drops the reason. This one says what is wrong: not UTF-8, empty,
 * where the syntax breaks, or a `__proto__`/`constructor.prototype` key
 * (refused rather than stripped, so nothing reaches an object's prototype).
 * Before parsing, the body's shape is checked against `limits` (413 naming the
 * limit), so a body built to be slow never reaches the parser or the schema.
 */
export function createJsonBodyParser(catalog: Catalog, limits: JsonLimits) {
  return function parseJsonBody(
    _request: FastifyRequest,
    body: Buffer,
    done: (error: Error | null, value?: unknown) => void,
  ): void {
    if (body.length === 0) {
      done(catalog.error('invalid_request', { detail: 'The Content-Type is application/json but the body is empty.' }));
      return;
    }
    const shape = checkJsonShape(body, limits);
    if (shape.breach !== undefined) {
      done(catalog.error('request_too_large', { detail: shape.breach.detail }));
      return;
    }
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      done(catalog.error('invalid_request', { detail: 'The body is not valid UTF-8.' }));
      return;
    }
    let value: unknown;
    try {
      value = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'it cannot be parsed';
      done(catalog.error('invalid_request', { detail: `The body is not valid JSON: ${reason.slice(0, 160)}` }));
      return;
    }
    if (typeof value === 'object' && value !== null) rememberBodySize(value, shape.members);
    done(null, value);
  };
}
