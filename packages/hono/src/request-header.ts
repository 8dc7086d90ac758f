import type { Context } from 'hono';

/** What `@hono/node-server` passes as `c.env`: Node's own request, whose headers are a plain object already. */
interface NodeBindings {
  readonly incoming?: { readonly headers?: Readonly<Record<string, string | string[] | undefined>> };
}

/**
 * One request header, lower-case `name`. On `@hono/node-server` it is read
 * from Node's parsed headers, which spares building a web `Headers` object
 * for a request whose answer needs two fields (`x-request-id`, `Accept`);
 * on every other runtime, from the web-standard `Request`.
 */
export function requestHeader(c: Context, name: string): string | undefined {
  const headers = (c.env as NodeBindings | undefined)?.incoming?.headers;
  if (headers !== undefined) {
    const value = headers[name];
    return typeof value === 'string' ? value : value?.join(', ');
  }
  return c.req.raw.headers.get(name) ?? undefined;
}
