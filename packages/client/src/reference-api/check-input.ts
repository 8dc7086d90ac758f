import type { FieldError, FieldLocation } from '@faultline/core';

/**
 * A JSON schema as the reference API writes them: the keywords below are the
 * whole subset it uses. Checking input before sending needs no validator
 * library (the client has no runtime dependencies), only these rules applied
 * the way the server's Ajv applies them, with the same JSON pointers.
 */
export interface InputSchema {
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean;
  readonly properties?: Readonly<Record<string, InputSchema>>;
  readonly items?: InputSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly format?: 'email';
  readonly enum?: readonly unknown[];
  readonly default?: unknown;
}

// The "full" email rule of ajv-formats, which the server uses.
const email =
  /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;

/** Every way `value` breaks `schema`, each located by a JSON pointer. */
export function checkInput(schema: InputSchema, value: unknown, location: FieldLocation, pointer = ''): FieldError[] {
  const failures: FieldError[] = [];
  const fail = (at: string, detail: string, code = 'invalid_parameter') => failures.push({ pointer: at, location, code, detail });

  if (schema.type !== undefined && !hasType(value, schema.type)) {
    fail(pointer, `must be ${schema.type}`);
    return failures;
  }
  if (schema.enum !== undefined && !schema.enum.includes(value)) fail(pointer, 'must be one of the allowed values');
  if (typeof value === 'string') {
    // Lengths count code points, as JSON Schema (and Ajv) do.
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength)
      fail(pointer, `must not have fewer than ${schema.minLength} characters`);
    if (schema.maxLength !== undefined && length > schema.maxLength)
      fail(pointer, `must not have more than ${schema.maxLength} characters`);
    if (schema.format === 'email' && !email.test(value)) fail(pointer, 'must be an email address');
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) fail(pointer, `must be >= ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) fail(pointer, `must be <= ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems)
      fail(pointer, `must not have fewer than ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      fail(pointer, `must not have more than ${schema.maxItems} items`);
    if (schema.items !== undefined)
      value.forEach((item, index) =>
        failures.push(...checkInput(schema.items as InputSchema, item, location, `${pointer}/${index}`)),
      );
  }
  if (isObject(value)) {
    for (const name of schema.required ?? []) {
      if (!Object.hasOwn(value, name)) fail(`${pointer}/${escapeToken(name)}`, 'is required', 'missing_parameter');
    }
    for (const [name, member] of Object.entries(value)) {
      const property = schema.properties?.[name];
      if (property !== undefined) failures.push(...checkInput(property, member, location, `${pointer}/${escapeToken(name)}`));
      else if (schema.additionalProperties === false)
        fail(`${pointer}/${escapeToken(name)}`, 'is not a field this operation accepts');
    }
  }
  return failures;
}

function hasType(value: unknown, type: NonNullable<InputSchema['type']>): boolean {
  switch (type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    default:
      return typeof value === type;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
