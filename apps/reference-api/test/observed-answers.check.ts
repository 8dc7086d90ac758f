/**
 * The observed-answers check, run after the whole suite (`npm test`, through
 * vitest.contract.config.ts): every answer the reference API gave any test,
 * recorded by src/contract/observed-answers.ts, is held to the OpenAPI
 * document the app serves.
 *
 * - each answer's status (and, for an error, its code) is documented for its operation;
 * - each JSON body validates against the documented schema (Ajv, JSON Schema 2020-12),
 *   and each documented header that is required is sent and validates;
 * - each documented code is observed at least once, or `unreachedAnswers` says
 *   why no test reaches it: a code the route's handler throws (its `config.errors`)
 *   on that route; a code of a shared mechanism (one hook for every route,
 *   contract/shared-errors.ts) on some route, with the same status.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProfileName } from '@faultline/core';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObservedAnswer } from '../src/contract/observed-answers.js';
import { openApiPathOf } from '../src/contract/route-contract.js';
import { noRouteResponseName } from '../src/openapi/openapi-plugin.js';
import { latestRun, observedAnswersDirectory } from './observed-answers-directory.js';
import { openWorld, type World } from './support.js';
import { unreachedAnswers } from './unreached-answers.js';

type Json = Record<string, unknown>;
interface Header {
  required?: boolean;
  schema?: Json;
  $ref?: string;
}
interface Response {
  headers?: Record<string, Header>;
  content?: Record<string, { schema?: Json; examples?: Record<string, { $ref: string }> }>;
}
interface Document {
  paths: Record<string, Record<string, { responses: Record<string, Response>; 'x-route-errors': string[] }>>;
  components: {
    examples: Record<string, { value: Json }>;
    headers: Record<string, Header>;
    responses: Record<string, Response>;
    schemas: Json;
  };
}

let world: World;
const documents = new Map<ProfileName, Document>();
let answers: ObservedAnswer[] = [];

beforeAll(async () => {
  const run = existsSync(observedAnswersDirectory) ? latestRun() : undefined;
  if (run === undefined) throw new Error('No answers were recorded: run the whole suite first (npm test).');
  answers = readdirSync(run)
    .filter((name) => name.endsWith('.jsonl'))
    .flatMap((name) =>
      readFileSync(join(run, name), 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as ObservedAnswer),
    );
  world = await openWorld();
  for (const profile of new Set(answers.map((answer) => answer.profile))) {
    const app = await world.app(profile);
    documents.set(profile, JSON.parse((await app.inject({ url: '/openapi.json' })).body) as Document);
  }
});

afterAll(async () => {
  await world?.close();
});

/** Validators over one document: its schemas by JSON pointer, compiled once each. */
function validatorsOf(document: Document) {
  const ajv = new Ajv2020({ allErrors: false, strict: true });
  addFormats.default(ajv);
  ajv.addKeyword('example');
  // The document's schemas, under $defs of one schema, so references between them resolve.
  const local = (schema: unknown) =>
    JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"openapi#/$defs/')) as Json;
  ajv.addSchema({ $id: 'openapi', $defs: local(document.components.schemas) });
  const cache = new Map<string, ValidateFunction>();
  return (schema: Json): ValidateFunction => {
    const key = JSON.stringify(schema);
    const cached = cache.get(key);
    if (cached !== undefined) return cached;
    const validate = ajv.compile(local(schema));
    cache.set(key, validate);
    return validate;
  };
}

const operationOf = (answer: ObservedAnswer) =>
  answer.route === undefined ? undefined : `${answer.method} ${openApiPathOf(answer.route)}`;

/** The code an error body carries, in whichever profile wrote it. */
function codeOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = 'code' in body ? body.code : 'error' in body ? body.error : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** The wire codes a documented response lists, by media type: each example's code. */
function documentedCodes(document: Document, response: Response): Map<string, Set<string>> {
  const codes = new Map<string, Set<string>>();
  for (const [mediaType, content] of Object.entries(response.content ?? {})) {
    const set = new Set<string>();
    for (const reference of Object.values(content.examples ?? {})) {
      const code = codeOf(document.components.examples[reference.$ref.replace('#/components/examples/', '')]?.value);
      if (code !== undefined) set.add(code);
    }
    codes.set(mediaType, set);
  }
  return codes;
}

function headerOf(document: Document, header: Header): Header {
  return header.$ref === undefined ? header : (document.components.headers[header.$ref.split('/').pop() as string] as Header);
}

/** What is wrong with one answer, measured against `document`; empty when nothing is. */
function problemsOf(answer: ObservedAnswer, document: Document, validator: (schema: Json) => ValidateFunction): string[] {
  const operation = operationOf(answer);
  const name = `${operation ?? `${answer.method} (no route)`} ${answer.status}`;
  let response: Response | undefined;
  if (operation === undefined) {
    // No route: the shared responses of a request no operation matches.
    response = document.components.responses[noRouteResponseName(answer.status)];
    if (response === undefined) return [`${name}: the document has no shared response for it`];
  } else {
    const [method, path] = operation.split(' ') as [string, string];
    const documented = document.paths[path]?.[method.toLowerCase()];
    if (documented === undefined) return [`${name}: the operation is not in the document`];
    response = documented.responses[String(answer.status)];
    if (response === undefined) return [`${name}: the status is not documented for the operation`];
  }
  const problems: string[] = [];
  for (const [headerName, declared] of Object.entries(response.headers ?? {})) {
    const header = headerOf(document, declared);
    const value = answer.headers[headerName.toLowerCase()];
    if (value === undefined) {
      if (header.required === true) problems.push(`${name}: the required header ${headerName} is missing`);
      continue;
    }
    const schema = header.schema ?? {};
    const typed = schema['type'] === 'integer' && /^\d+$/.test(value) ? Number(value) : value;
    const validate = validator(schema);
    if (!validate(typed)) problems.push(`${name}: ${headerName}: ${JSON.stringify(value)} ${ajvText(validate)}`);
  }
  if (answer.body === undefined || answer.method === 'HEAD') return problems;
  const mediaType = (answer.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
  const content = response.content?.[mediaType];
  if (content === undefined) return [...problems, `${name}: a ${mediaType} body, which the response does not document`];
  const body = JSON.parse(answer.body) as unknown;
  if (content.schema !== undefined) {
    const validate = validator(content.schema);
    if (!validate(body)) problems.push(`${name}: the body ${ajvText(validate)}: ${answer.body.slice(0, 300)}`);
  }
  if (answer.status >= 400 && content.examples !== undefined) {
    const code = codeOf(body);
    const codes = documentedCodes(document, response).get(mediaType) ?? new Set();
    if (code === undefined || !codes.has(code)) problems.push(`${name}: the code ${String(code)} is not documented here`);
  }
  return problems;
}

/** The status of a shared response, by its name. */
function statusOf(name: string): number {
  for (let status = 400; status < 600; status++) if (noRouteResponseName(status) === name) return status;
  throw new Error(`No status is named ${name}.`);
}

function ajvText(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`).join('; ');
}

describe('every answer the test suite saw', () => {
  it('was recorded, by many tests', () => {
    expect(answers.length).toBeGreaterThan(1000);
  });

  it('is documented for its operation, and its body and declared headers validate against the served document', () => {
    const problems = new Map<string, number>();
    for (const [profile, document] of documents) {
      const validator = validatorsOf(document);
      for (const answer of answers.filter((each) => each.profile === profile)) {
        for (const problem of problemsOf(answer, document, validator)) problems.set(problem, (problems.get(problem) ?? 0) + 1);
      }
    }
    expect([...problems].map(([problem, count]) => `${problem} (${count}×)`).sort()).toEqual([]);
  });

  it('covers each documented code: a route’s own on that route, a shared mechanism’s on some route, or says why not', () => {
    const document = documents.get('problem') as Document;
    const observed = new Set<string>();
    for (const answer of answers) {
      const code = answer.body === undefined ? undefined : codeOf(JSON.parse(answer.body) as unknown);
      if (code === undefined) continue;
      observed.add(`${operationOf(answer) ?? ''} ${answer.status} ${code}`);
      observed.add(`${answer.status} ${code}`);
    }
    const missing = new Set<string>();
    const reasonsUsed = new Set<string>();
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        // A HEAD answer has no body to carry a code: its GET twin's codes are the ones covered.
        if (method === 'head') continue;
        const own = new Set(operation['x-route-errors']);
        for (const [status, response] of Object.entries(operation.responses)) {
          for (const codes of documentedCodes(document, response).values()) {
            for (const code of codes) {
              const key = own.has(code) ? `${method.toUpperCase()} ${path} ${status} ${code}` : `${status} ${code}`;
              if (observed.has(key)) continue;
              if (unreachedAnswers[key] !== undefined) reasonsUsed.add(key);
              else missing.add(key);
            }
          }
        }
      }
    }
    // The answers to a request no operation matches: one mechanism, so once on any route or none.
    for (const [status, response] of Object.entries(document.components.responses)) {
      for (const codes of documentedCodes(document, response).values()) {
        for (const code of codes) {
          const key = `${Number.isNaN(Number(status)) ? statusOf(status) : status} ${code}`;
          if (observed.has(key)) continue;
          if (unreachedAnswers[key] !== undefined) reasonsUsed.add(key);
          else missing.add(key);
        }
      }
    }
    expect([...missing].sort()).toEqual([]);
    // A reason for something a test now reaches is stale: remove it.
    expect(Object.keys(unreachedAnswers).filter((key) => !reasonsUsed.has(key))).toEqual([]);
  });
});
