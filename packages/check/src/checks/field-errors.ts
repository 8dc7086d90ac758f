import type { CheckDefinition, Finding } from '../check-definition.js';
import type { Operation } from '../discovery/api-document.js';
import { errorBodyFault, fillPath, jsonBodyOperations, noAnswer, refusedCredentials, sampleValue } from './support.js';

const unknownField = 'faultline_unknown_field';
const maxOperations = 2;

/** Check 6: schema violations get a 400 or 422 that names each bad field. */
export const fieldErrors: CheckDefinition = {
  id: 'field-errors',
  number: 6,
  title: 'Invalid fields: 400/422 naming each bad field',
  severity: 'error',
  phase: 'probe',
  sends:
    "To operations that take a JSON body, one body derived from the document's schema with several faults at once: a required field left out, a field of the wrong type, and an unknown field where the schema forbids extra ones. No correct API can act on it.",
  expects:
    'A 400 or 422 with an error body that names every one of the bad fields (by name or JSON Pointer), not only the first.',
  why: 'A client fixing a form needs every problem at once, each tied to its field; an error that names only the first fault, or none ("invalid request"), turns one fix into a guessing game of round trips.',
  remedy:
    'Validate the whole body before acting, collect every failure (Ajv: allErrors), and return them together, each with the field\'s name or JSON Pointer, e.g. errors: [{"pointer": "/name", "detail": "is required"}].',
  async run(context) {
    const operations = jsonBodyOperations(context)
      .filter((operation) => plan(operation) !== undefined)
      .slice(0, maxOperations);
    if (operations.length === 0) {
      return {
        skipped:
          context.document === undefined
            ? 'needs an API document with request schemas'
            : 'no callable operation has a JSON body schema with properties (add credentials with --header)',
        findings: [],
      };
    }
    const findings: Finding[] = [];
    let judged = 0;
    for (const operation of operations) {
      const { body, fields } = plan(operation) as { body: Record<string, unknown>; fields: string[] };
      const exchange = await context.send({
        method: operation.method,
        path: fillPath(operation),
        headers: [['Content-Type', 'application/json']],
        body: JSON.stringify(body),
        operation: { method: operation.method, path: operation.path },
      });
      const response = exchange.response;
      if (response === undefined) {
        findings.push(noAnswer(exchange, 'a 400 or 422'));
        continue;
      }
      if (refusedCredentials(exchange)) continue;
      judged += 1;
      if (response.status !== 400 && response.status !== 422) {
        findings.push({
          message: `a body with ${fields.length} bad fields (${fields.join(', ')}) got ${response.status}, not 400 or 422`,
          exchange,
        });
        continue;
      }
      const fault = errorBodyFault(response);
      if (fault !== undefined) {
        findings.push({ message: `the ${response.status} is not an error body: ${fault}`, exchange });
        continue;
      }
      const unnamed = fields.filter(
        (field) => !new RegExp(`(^|[^A-Za-z0-9_])${escapeRegExp(field)}([^A-Za-z0-9_]|$)`).test(response.body),
      );
      if (unnamed.length > 0) {
        findings.push({
          message: `the error does not name ${unnamed.join(', ')} (of the bad fields ${fields.join(', ')})`,
          exchange,
        });
      }
    }
    if (judged === 0 && findings.length === 0)
      return {
        skipped: 'the operations refused the credentials before reading the body (add credentials with --header)',
        findings: [],
      };
    return { findings, covered: operations.map((operation) => `${operation.method} ${operation.path}`).join(', ') };
  },
};

/** The faulty body for an operation and the fields it breaks, or undefined when its schema gives nothing to break. */
function plan(operation: Operation): { body: Record<string, unknown>; fields: string[] } | undefined {
  const schema = operation.requestBody?.jsonSchema;
  const properties = schema?.['properties'];
  if (schema === undefined || typeof properties !== 'object' || properties === null) return undefined;
  const props = properties as Record<string, Record<string, unknown>>;
  const required = Array.isArray(schema['required']) ? (schema['required'] as string[]).filter((name) => name in props) : [];
  const body: Record<string, unknown> = {};
  const fields: string[] = [];
  const missing = required[0];
  for (const name of required.slice(1)) body[name] = sampleValue(props[name]);
  if (missing !== undefined) fields.push(missing);
  const typed = Object.keys(props).find((name) => name !== missing && wrongValue(props[name]) !== undefined);
  if (typed !== undefined) {
    body[typed] = wrongValue(props[typed]);
    fields.push(typed);
  }
  if (schema['additionalProperties'] === false || schema['unevaluatedProperties'] === false) {
    body[unknownField] = true;
    fields.push(unknownField);
  }
  return fields.length === 0 ? undefined : { body, fields };
}

/** A value of the wrong type for a property, when its type is clear. */
function wrongValue(schema: Record<string, unknown> | undefined): unknown {
  const types = new Set(
    (Array.isArray(schema?.['type']) ? schema['type'] : [schema?.['type']]).filter((t): t is string => typeof t === 'string'),
  );
  if (types.size === 0) return undefined;
  if (!types.has('object')) return { faultline: 'wrong type' };
  if (!types.has('number') && !types.has('integer')) return 12345;
  return undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
