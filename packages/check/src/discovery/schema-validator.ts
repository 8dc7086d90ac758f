import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * Validates values against schemas inside the API document, named by JSON
 * Pointer, so `$ref`s between them resolve as the document wrote them.
 * OpenAPI 3.1 schemas are JSON Schema 2020-12; 3.0's are a draft-04 dialect
 * (boolean `exclusiveMinimum`, `nullable`), turned into its draft-07 reading.
 */
export class SchemaValidator {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction | undefined>();
  private static readonly documentId = 'faultline-check:document';

  constructor(document: Record<string, unknown>, openapiVersion: string) {
    const is31 = openapiVersion.startsWith('3.1');
    const options = { strict: false, allErrors: true, validateSchema: false, validateFormats: true } as const;
    this.ajv = is31 ? (new Ajv2020(options) as unknown as Ajv) : new Ajv(options);
    addFormats(this.ajv);
    // OpenAPI's own formats, which say how big a number is, not how it is written.
    for (const format of ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password']) this.ajv.addFormat(format, true);
    this.ajv.addSchema(is31 ? document : fromDraft04(document), SchemaValidator.documentId);
  }

  /** The problems of `value` against the schema at `pointer`, as "/path: message" lines; empty when it is valid or the schema cannot be compiled. */
  validate(pointer: string, value: unknown): string[] {
    let validate = this.compiled.get(pointer);
    if (!this.compiled.has(pointer)) {
      try {
        validate = this.ajv.compile({ $ref: `${SchemaValidator.documentId}#${pointer}` });
      } catch {
        validate = undefined;
      }
      this.compiled.set(pointer, validate);
    }
    if (validate === undefined || validate(value)) return [];
    return (validate.errors ?? [])
      .slice(0, 5)
      .map((error) => `${error.instancePath || '(root)'} ${error.message ?? 'is not valid'}`);
  }
}

/** A copy with draft-04's boolean `exclusiveMinimum`/`exclusiveMaximum` turned into draft-07's numbers. */
function fromDraft04(node: unknown): Record<string, unknown> {
  return convert(node) as Record<string, unknown>;
  function convert(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(convert);
    if (typeof value !== 'object' || value === null) return value;
    const copy: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) copy[key] = convert(member);
    for (const [flag, bound] of [
      ['exclusiveMinimum', 'minimum'],
      ['exclusiveMaximum', 'maximum'],
    ] as const) {
      if (typeof copy[flag] !== 'boolean') continue;
      if (copy[flag] === true && typeof copy[bound] === 'number') {
        copy[flag] = copy[bound];
        delete copy[bound];
      } else delete copy[flag];
    }
    return copy;
  }
}
