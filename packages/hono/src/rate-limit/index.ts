/**
 * @faultline/hono/rate-limit: rate limits on Hono routes, over the GCRA
 * limiter of `@faultline/rate-limit`. Apart from the main entry because that
 * package's Redis store loads `node:crypto` (available on Node.js, Bun, Deno
 * and Workers with Node.js compatibility).
 * @packageDocumentation
 */
export { rateLimit, type RateLimitOptions } from './rate-limit-middleware.js';
