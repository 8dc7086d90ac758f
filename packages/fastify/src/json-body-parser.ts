import type { Catalog } from '@faultline/core';
import type { FastifyRequest } from 'fastify';
import secureJson from 'secure-json-parse';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Fastify's own JSON parser answers every failure with the same "invalid
 * JSON" and drops the reason. This one says what is wrong: not UTF-8, empty,
 * where the syntax breaks, or a `__proto__`/`constructor.prototype` key
 * (refused rather than stripped, so nothing reaches an object's prototype).
 */
export function createJsonBodyParser(catalog: Catalog) {
  return function parseJsonBody(
    _request: FastifyRequest,
    body: Buffer,
    done: (error: Error | null, value?: unknown) => void,
  ): void {
    if (body.length === 0) {
      done(catalog.error('invalid_request', { detail: 'The Content-Type is application/json but the body is empty.' }));
      return;
    }
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      done(catalog.error('invalid_request', { detail: 'The body is not valid UTF-8.' }));
      return;
    }
    try {
      done(null, secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'it cannot be parsed';
      done(catalog.error('invalid_request', { detail: `The body is not valid JSON: ${reason.slice(0, 160)}` }));
    }
  };
}
