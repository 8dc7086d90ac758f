/**
 * @faultline/hono/idempotency: `Idempotency-Key`s on Hono routes, over the
 * framework-neutral engine of `@faultline/idempotency`. Apart from the main
 * entry because that engine seals stored answers with `node:crypto`
 * (available on Node.js, Bun, Deno and Workers with Node.js compatibility).
 * @packageDocumentation
 */
export { idempotency, type IdempotencyMiddlewareOptions } from './idempotency-middleware.js';
