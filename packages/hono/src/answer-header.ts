import type { Context } from 'hono';

/** What `@hono/node-server` passes as `c.env`: Node's own response, which can carry headers before Hono's is made. */
interface NodeBindings {
  readonly outgoing?: { readonly headersSent?: boolean; setHeader?(name: string, value: string): unknown };
}

/**
 * Puts a header on whatever answer the request gets. On `@hono/node-server`
 * it goes on Node's response itself, which Node merges into the answer Hono
 * writes: no web `Headers` object is built for it, and the handler's
 * `c.json()` stays on Hono's fast path. Elsewhere, `c.header()`. Returns
 * whether it went on Node's response (it is then not in `c.res.headers`).
 */
export function answerHeader(c: Context, name: string, value: string): boolean {
  const outgoing = (c.env as NodeBindings | undefined)?.outgoing;
  if (outgoing !== undefined && typeof outgoing.setHeader === 'function' && outgoing.headersSent !== true) {
    outgoing.setHeader(name, value);
    return true;
  }
  c.header(name, value);
  return false;
}
