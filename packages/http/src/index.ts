/**
 * @faultline/http: the Faultline error contract for any HTTP framework, on
 * any runtime with web standards. Settings, the profile a request gets,
 * request ids, the whole error answer (status, headers, body), the standard
 * errors of routing and bodies, the JSON body reader with its limits,
 * validation failures as field errors (JSON Schema and Standard Schema), the
 * classification of thrown values, authentication challenges, API key checks and load
 * shedding. `@faultline/http/node` has what needs `node:http`;
 * `@faultline/http/ajv` validates with JSON Schema.
 * @packageDocumentation
 */
export { resolveContractSettings, wholeLimit, type ContractOptions, type ContractSettings } from './settings.js';
export type { ContractLogger } from './logger.js';
export { chooseProfile } from './choose-profile.js';
export { isWellFormedRequestId, requestIdFor, requestIdHeader } from './request-id.js';
export { errorAnswer, type ErrorAnswer, type ErrorAnswerRequest, type RouteContract } from './error-answer.js';
export { internalError, internalErrorDetail } from './internal-error.js';
export {
  methodNotAllowedDetail,
  methodNotAllowedError,
  noRouteError,
  pathOf,
  unknownRouteDetail,
  unknownRouteError,
} from './route-errors.js';
export { bodyTooLargeError, contentLengthMismatchError, unparsableBodyError, unsupportedMediaTypeError } from './body-errors.js';
export { checkJsonShape, defaultJsonLimits, type JsonLimitBreach, type JsonLimits, type JsonShape } from './json-limits.js';
export { readJsonBody, type JsonBodyReading } from './json-body.js';
export { missingBodyFieldError, schemaFieldError, type SchemaFailure } from './schema-field-errors.js';
export {
  standardSchemaFieldErrors,
  validateStandardSchema,
  type StandardSchemaV1,
  type StandardSchemaValidation,
} from './standard-schema.js';
export { classifyError, type ClassifiedError, type ClassifyContext } from './classify-error.js';
export {
  basicChallenge,
  bearerChallenge,
  canQuote,
  defaultChallenge,
  quotedString,
  wwwAuthenticate,
  type AuthenticationChallenge,
  type BearerChallengeOptions,
  type BearerError,
} from './authentication-challenge.js';
export { LoadShedder, type LoadSheddingOptions, type LoadSheddingState } from './load-shedder.js';
export { ApiKeyCheck, bearerKey, type ApiKeyAuthOptions, type ApiKeyVerdict } from './api-key-check.js';
