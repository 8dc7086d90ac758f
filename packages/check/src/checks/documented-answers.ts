import type { CheckDefinition, Finding } from '../check-definition.js';
import { documentedResponse } from '../discovery/api-document.js';
import { header, mediaType } from '../exchange.js';
import { line } from './support.js';

/** Check 11: every observed status is documented for its operation; bodies and documented headers validate. */
export const documentedAnswers: CheckDefinition = {
  id: 'documented-answers',
  number: 11,
  title: 'Every answer is documented, and matches the document',
  severity: 'error',
  phase: 'review',
  sends: 'Nothing of its own: it reads every answer the other checks got from a documented operation.',
  expects:
    'Each status is documented for the operation (exactly, as 4XX, or as default); each error body validates against the documented schema for that status and media type; each documented header that is present validates against its schema, and each required one is present.',
  why: 'The document is what client generators, gateways and people build on. An error the document does not mention is one no generated client handles, and a body that contradicts its schema breaks the clients that trust it.',
  remedy:
    "Generate the document's responses from the same declarations your routes use to answer, including the errors shared by every route (401, 404, 405, 413, 415, 429, 500), and test that each observed answer validates against it.",
  async run(context) {
    const document = context.document;
    if (document === undefined) return { skipped: 'needs an API document', findings: [] };
    const findings: Finding[] = [];
    const seen = new Set<string>();
    let judged = 0;
    for (const exchange of context.exchanges) {
      const response = exchange.response;
      if (exchange.operation === undefined || response === undefined || exchange.faultedBy !== undefined) continue;
      const ref = exchange.operation;
      const operation = document.operations.find((candidate) => candidate.method === ref.method && candidate.path === ref.path);
      // A method the path does not serve has no operation: its 405 is judged by the 405 check.
      if (operation === undefined) continue;
      judged += 1;
      const once = (key: string, finding: Finding) => {
        if (seen.has(key)) return;
        seen.add(key);
        findings.push(finding);
      };
      const documented = documentedResponse(operation, response.status);
      if (documented === undefined) {
        once(`${ref.method} ${ref.path} ${response.status}`, {
          message: `${line(exchange)}: ${response.status} is not documented for ${ref.method} ${ref.path}`,
          exchange,
        });
        continue;
      }
      if (response.status >= 400 && response.json !== undefined) {
        const type = mediaType(response) ?? '';
        const pointer = documented.content.has(type) ? documented.content.get(type) : undefined;
        if (
          documented.content.size > 0 &&
          !documented.content.has(type) &&
          !documented.content.has('*/*') &&
          !documented.content.has('application/*')
        ) {
          once(`${ref.method} ${ref.path} ${response.status} type`, {
            message: `${line(exchange)}: the body is ${type || 'untyped'}, but the document gives ${[...documented.content.keys()].join(', ')}`,
            exchange,
          });
        } else if (pointer !== undefined) {
          const problems = document.validator.validate(pointer, response.json);
          if (problems.length > 0)
            once(`${ref.method} ${ref.path} ${response.status} body`, {
              message: `${line(exchange)}: the body does not match the documented schema: ${problems.join('; ')}`,
              exchange,
            });
        }
      }
      for (const [name, spec] of documented.headers) {
        if (name === 'content-type') continue;
        const value = header(response, name);
        if (value === undefined) {
          if (spec.required)
            once(`${ref.method} ${ref.path} ${response.status} ${name}`, {
              message: `${line(exchange)}: the required header ${name} is missing`,
              exchange,
            });
          continue;
        }
        if (spec.schemaPointer === undefined) continue;
        const problems = validHeader(document.validator.validate.bind(document.validator), spec.schemaPointer, value);
        if (problems.length > 0)
          once(`${ref.method} ${ref.path} ${response.status} ${name}`, {
            message: `${line(exchange)}: the header ${name} does not match its schema: ${problems.join('; ')}`,
            exchange,
            evidence: `${name}: ${value}`,
          });
      }
    }
    return { findings, covered: `${judged} answers from documented operations` };
  },
};

/** A header is text; a schema for a number or a boolean is checked against the value read as one. */
function validHeader(validate: (pointer: string, value: unknown) => string[], pointer: string, value: string): string[] {
  const asText = validate(pointer, value);
  if (asText.length === 0) return [];
  if (/^-?\d+(\.\d+)?$/.test(value) && validate(pointer, Number(value)).length === 0) return [];
  if ((value === 'true' || value === 'false') && validate(pointer, value === 'true').length === 0) return [];
  return asText;
}
