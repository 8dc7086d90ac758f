/**
 * @faultline/reference-contract: the reference API's request schemas and
 * types, one copy for the server and the client.
 * @packageDocumentation
 */
export * from './account-schemas.js';
export * from './campaign-schemas.js';
export * from './response-schemas.js';
