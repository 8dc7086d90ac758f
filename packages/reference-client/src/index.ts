/** Typed methods for the Faultline reference API, with input checked against the server's own schemas. */
export { ReferenceApiClient, createReferenceApiClient, type ReferenceApiOptions } from './reference-api-client.js';
export { checkInput, type InputSchema } from './check-input.js';
