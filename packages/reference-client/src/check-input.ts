import { escapePointerToken, type FieldError, type FieldLocation } from '@faultline/core';

/**
 * A JSON schema as the reference API writes them: the keywords below are the
 * whole subset it uses. Checking input before sending needs no validator
 * library (the client adds no dependency for it), only these rules applied
 * the way the server's Ajv applies them, with the same JSON pointers.
 */
type JsonType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';

export interface InputSchema {
  readonly type?: JsonType | readonly JsonType[];
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean;
  readonly properties?: Readonly<Record<string, InputSchema>>;
  readonly items?: InputSchema;
  readonly minProperties?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly pattern?: string;
  readonly format?: 'email' | 'date-time';
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

  if (schema.type !== undefined) {
    const types: readonly JsonType[] = typeof schema.type === 'string' ? [schema.type] : schema.type;
    if (!types.some((type) => hasType(value, type))) {
      fail(pointer, `must be ${types.join(' or ')}`);
      return failures;
    }
  }
  if (schema.enum !== undefined && !schema.enum.includes(value)) fail(pointer, 'must be one of the allowed values');
  if (typeof value === 'string') {
    // Lengths count code points, as JSON Schema (and Ajv) do.
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength)
      fail(pointer, `must not have fewer than ${schema.minLength} characters`);
    if (schema.maxLength !== undefined && length > schema.maxLength)
      fail(pointer, `must not have more than ${schema.maxLength} characters`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value))
      fail(pointer, `must match the pattern ${schema.pattern}`);
    if (schema.format === 'email' && !email.test(value)) fail(pointer, 'must be an email address');
    if (schema.format === 'date-time' && !isDateTime(value)) fail(pointer, 'must be an RFC 3339 date-time with a time zone');
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
    if (schema.minProperties !== undefined && Object.keys(value).length < schema.minProperties)
      fail(pointer, `must not have fewer than ${schema.minProperties} properties`);
    for (const name of schema.required ?? []) {
      if (!Object.hasOwn(value, name)) fail(`${pointer}/${escapePointerToken(name)}`, 'is required', 'missing_parameter');
    }
    for (const [name, member] of Object.entries(value)) {
      const property = schema.properties?.[name];
      if (property !== undefined)
        failures.push(...checkInput(property, member, location, `${pointer}/${escapePointerToken(name)}`));
      else if (schema.additionalProperties === false)
        fail(`${pointer}/${escapePointerToken(name)}`, 'is not a field this operation accepts');
    }
  }
  return failures;
}

function hasType(value: unknown, type: JsonType): boolean {
  switch (type) {
    case 'null':
      return value === null;
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

const daysInMonth = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Ajv-formats' `date-time` (full mode, time zone required), rule for rule. */
function isDateTime(value: string): boolean {
  const parts = value.split(/t|\s/i);
  if (parts.length !== 2) return false;
  const date = /^(\d\d\d\d)-(\d\d)-(\d\d)$/.exec(parts[0] as string);
  if (date === null) return false;
  const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (month < 1 || month > 12 || day < 1 || day > (month === 2 && leap ? 29 : (daysInMonth[month] as number))) return false;
  const time = /^(\d\d):(\d\d):(\d\d(?:\.\d+)?)(z|([+-])(\d\d)(?::?(\d\d))?)?$/i.exec(parts[1] as string);
  if (time === null) return false;
  const [hour, minute, second] = [Number(time[1]), Number(time[2]), Number(time[3])];
  const sign = time[5] === '-' ? -1 : 1;
  const zoneHours = Number(time[6] ?? 0);
  const zoneMinutes = Number(time[7] ?? 0);
  if (zoneHours > 23 || zoneMinutes > 59 || time[4] === undefined) return false;
  if (hour <= 23 && minute <= 59 && second < 60) return true;
  // A leap second: 23:59:60 in UTC.
  const utcMinute = minute - zoneMinutes * sign;
  const utcHour = hour - zoneHours * sign - (utcMinute < 0 ? 1 : 0);
  return (utcHour === 23 || utcHour === -1) && (utcMinute === 59 || utcMinute === -1) && second < 61;
}
