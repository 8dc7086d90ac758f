import { builtinCatalog } from '@faultline/core';
import type { FastifyInstance } from 'fastify';

/** OAuth bodies are a handful of short parameters; anything bigger is not one. */
export const formBodyLimit = 16 * 1024;

const formType = 'application/x-www-form-urlencoded';
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Makes the routes of this plugin scope read `application/x-www-form-urlencoded`
 * bodies, and only those (RFC 6749 §3.2, RFC 7009 §2.1): the body becomes a
 * URLSearchParams, so a repeated parameter stays visible and can be refused.
 * Any other media type is `invalid_request`, the one code RFC 6749 has for it.
 */
export function readFormBodies(app: FastifyInstance): void {
  // The routes' own limit too, so a body over it is answered 413 with the limit that applied.
  app.addHook('onRoute', (route) => {
    route.bodyLimit ??= formBodyLimit;
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(formType, { parseAs: 'buffer', bodyLimit: formBodyLimit }, (_request, body: Buffer, done) => {
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      done(builtinCatalog.error('invalid_request', { detail: 'The body is not valid UTF-8.' }));
      return;
    }
    done(null, new URLSearchParams(text));
  });
  app.addContentTypeParser('*', { bodyLimit: formBodyLimit }, (request, _payload, done) => {
    const sent = String(request.headers['content-type'] ?? '').slice(0, 100);
    done(
      builtinCatalog.error('invalid_request', {
        detail: `The body must be sent as ${formType}, not "${sent}".`,
      }),
    );
  });
}

/** The parameters of a form body; an absent body has none. */
export function formOf(body: unknown): URLSearchParams {
  return body instanceof URLSearchParams ? body : new URLSearchParams();
}

/** Names of the parameters sent more than once (RFC 6749 §3.1: "MUST NOT be included more than once"). */
export function repeatedNames(parameters: URLSearchParams): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const name of parameters.keys()) {
    if (seen.has(name)) repeated.add(name);
    seen.add(name);
  }
  return [...repeated];
}

/** A parameter's value; an empty value counts as absent (RFC 6749 §3.1). */
export function parameter(parameters: URLSearchParams, name: string): string | undefined {
  const value = parameters.get(name);
  return value === null || value === '' ? undefined : value;
}
