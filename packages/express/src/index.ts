/**
 * @faultline/express: Express 5 middleware that answers every failure of an
 * app with the Faultline contract.
 * @packageDocumentation
 */
export { faultline, type Contract } from './faultline.js';
export type { FaultlineExpressOptions, FaultlineExpressSettings } from './settings.js';
export type { JsonBodyOptions } from './json-body.js';
export { sendApiError } from './send-api-error.js';
export { errorFormat, type ExpressRequest, type Middleware, type ErrorMiddleware, type Next } from './request-state.js';
export { validate, type ValidateSchemas, type RequestSchema } from './validate.js';
export { apiKeyAuth, type ApiKeyAuthOptions } from './api-key-auth.js';
export { rateLimit, type RateLimitOptions } from './rate-limit.js';
export { loadShedding, type LoadSheddingOptions, type LoadSheddingMiddleware } from './load-shedding.js';
export { idempotency, replay, type IdempotencyMiddleware, type IdempotencyMiddlewareOptions } from './idempotency.js';
export { routedMethods } from './route-methods.js';
export type { Logger } from './logger.js';
export { bearerChallenge, basicChallenge, wwwAuthenticate } from '@faultline/http';
