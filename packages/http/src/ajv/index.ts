/**
 * @faultline/http/ajv: JSON Schema validation of requests with Ajv, as the
 * contract wants it (strict bodies, canonical integers in URLs, every failing
 * field listed within a cost bound).
 * @packageDocumentation
 */
export {
  createAjvCompiler,
  fullReportMaxMembers,
  isPartialReport,
  partialValidationNote,
  rememberBodySize,
  type AjvValidate,
  type RequestPart,
} from './ajv-validator.js';
export { integerProperties, nonCanonicalIntegers } from './canonical-integers.js';
