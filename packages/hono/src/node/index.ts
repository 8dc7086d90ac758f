/**
 * @faultline/hono/node: for a Hono app served on Node.js by
 * `@hono/node-server`, the parts of the contract that work on the
 * `node:http` server itself, below Hono.
 * @packageDocumentation
 */
export { guardServer, type GuardServerOptions } from './guard-server.js';
export type { TrustProxy } from './trust-proxy.js';
