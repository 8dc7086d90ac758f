import type { ErrorObject } from 'ajv';

/**
 * An integer as the path or query of a URL should spell it: decimal digits,
 * an optional minus, no leading zero, no `+`, no exponent, no hex, no
 * fraction. Ajv's coercion goes through `Number()`, which reads `0xaf`,
 * `+175`, `0175`, `175.0` and `1.75e2` all as 175; one resource reachable by
 * many URLs defeats caches, logs and any rule keyed on the URL.
 */
const canonicalInteger = /^(?:0|-?[1-9][0-9]*)$/;

/** Whether a schema's `type` allows an integer (`'integer'` or a list naming it). */
function allowsInteger(schema: unknown): boolean {
  if (typeof schema !== 'object' || schema === null) return false;
  const type = (schema as { type?: unknown }).type;
  return type === 'integer' || (Array.isArray(type) && type.includes('integer'));
}

/**
 * The names of the top-level properties of an object schema that hold
 * integers; empty when there are none (the check then costs nothing).
 */
export function integerProperties(schema: unknown): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const properties = (schema as { properties?: unknown }).properties;
  if (typeof properties !== 'object' || properties === null) return [];
  return Object.entries(properties)
    .filter(([, property]) => allowsInteger(property))
    .map(([name]) => name);
}

/**
 * One Ajv error per named property whose value is a string that is not a
 * canonical decimal integer, in the shape Ajv reports, so the field errors
 * are formatted like every other validation failure.
 *
 * @example
 * nonCanonicalIntegers({ id: '0xaf' }, ['id']); // one error, instancePath '/id'
 * nonCanonicalIntegers({ id: '175' }, ['id']); // []
 */
export function nonCanonicalIntegers(data: unknown, names: readonly string[]): ErrorObject[] {
  if (typeof data !== 'object' || data === null) return [];
  const errors: ErrorObject[] = [];
  for (const name of names) {
    const value: unknown = (data as Record<string, unknown>)[name];
    if (typeof value !== 'string' || canonicalInteger.test(value)) continue;
    // Anything coercion would refuse anyway ("abc", "1.5") gets Ajv's own "must be integer".
    if (value.trim() === '' || !Number.isInteger(Number(value))) continue;
    errors.push({
      instancePath: `/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`,
      schemaPath: `#/properties/${name}/type`,
      keyword: 'type',
      params: { type: 'integer' },
      message: 'must be a whole number in plain decimal, like 175: no plus sign, leading zero, fraction, exponent or hex',
    });
  }
  return errors;
}
