/**
 * @faultline/core: the error catalog, `ApiError`, and the wire formats that
 * write and parse error bodies. No runtime dependencies.
 * @packageDocumentation
 */
export { ApiError, isApiError, type ApiErrorOptions, type FieldError, type FieldLocation } from './api-error.js';
export type {
  CatalogEntry,
  CatalogEntryDefinition,
  CatalogVariant,
  ErrorCategory,
  ErrorContext,
  ExtensionMember,
  ExtensionSchema,
  ExtensionValue,
  ExtensionValues,
  ProfileName,
  RetryPolicy,
} from './catalog/catalog-entry.js';
export { Catalog, defineCatalog, type ResolvedCode } from './catalog/define-catalog.js';
export { builtinCatalog, type BuiltinCode, type BuiltinExtensions } from './catalog/builtin-catalog.js';
export { httpStatuses, statusName, type HttpStatus } from './catalog/http-statuses.js';
export type { CompiledBody, CompiledBodyParts, ErrorProfile, WriteContext } from './profiles/error-profile.js';
export { profiles, profileNames, isProfileName } from './profiles/profiles.js';
export { retryAfterSentence } from './profiles/classic-profile.js';
export { toOAuthText } from './profiles/oauth-profile.js';
export { writeErrorResponse, type ErrorResponse, type WriteErrorOptions } from './write-error-response.js';
export { compileErrorResponse, type CompileErrorOptions, type CompiledErrorResponse } from './compile-error-response.js';
export { escapePointerToken } from './fields/json-pointer.js';
export {
  describeFieldErrors,
  fieldValidationError,
  type FieldErrorInput,
  type FieldValidationOptions,
} from './fields/field-validation-error.js';
export { codeForStatus, parseErrorResponse, parseRetryAfter, type ResponseLike } from './parse-error-response.js';
export { readErrorEnvelope, type HeadersLike } from './envelopes/read-error-envelope.js';
export type { EnvelopeName, ErrorEnvelope } from './envelopes/error-envelope.js';
export { parseRateLimit, parseRateLimitPolicy, type QuotaPolicy, type RateLimitState } from './rate-limit-fields.js';
