/**
 * @faultline/hono: Hono 4 middleware that answers every failure of an app
 * with the Faultline contract, on web-standard `Request`/`Response` (Node.js
 * through `@hono/node-server`, Bun, Deno, edge runtimes).
 * @packageDocumentation
 */
import './context-variables.js';

export { faultline, answerThrown } from './faultline.js';
export { consoleLogger, type FaultlineOptions, type FaultlineSettings } from './settings.js';
export { sendError } from './send-error.js';
export { readJsonBody } from './json-body.js';
export { validate, type RequestSchema, type ValidateOptions, type ValidateTarget, type ValidatedOutput } from './validate.js';
export { apiKeyAuth, type ApiKeyAuthOptions } from './api-key-auth.js';
export { loadShedding, type LoadSheddingMiddleware } from './load-shedding.js';
export { errorContract } from './error-contract.js';
export type { RequestChecker } from './request-checker.js';
export { MethodIndex } from './method-index.js';
