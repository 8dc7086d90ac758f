import { locate, pointerTo } from './json-pointer.js';
import { SchemaValidator } from './schema-validator.js';

/** A parameter of an operation, `$ref`s followed. */
export interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required: boolean;
  readonly schema: Record<string, unknown> | undefined;
}

/** A documented response of an operation. */
export interface DocumentedResponse {
  /** `404`, `4XX` or `default`. */
  readonly status: string;
  /** Header name (lower-cased) to the pointer of its schema and whether it is required. */
  readonly headers: ReadonlyMap<string, { readonly schemaPointer: string | undefined; readonly required: boolean }>;
  /** Media type to the pointer of its schema (undefined when none is given). */
  readonly content: ReadonlyMap<string, string | undefined>;
}

/** One operation of the document. */
export interface Operation {
  readonly method: string;
  readonly path: string;
  readonly parameters: readonly Parameter[];
  readonly requestBody:
    | {
        readonly required: boolean;
        readonly mediaTypes: readonly string[];
        /** The JSON body's schema, `$ref`s followed at the top. */
        readonly jsonSchema: Record<string, unknown> | undefined;
        readonly jsonSchemaPointer: string | undefined;
      }
    | undefined;
  /** The security schemes any one of which admits the request; empty for a public operation. */
  readonly security: readonly string[];
  readonly responses: readonly DocumentedResponse[];
}

/** A security scheme, as far as the checks care. */
export interface SecurityScheme {
  readonly type: string;
  readonly scheme?: string;
  readonly in?: string;
  readonly name?: string;
  readonly tokenUrl?: string;
}

/** What the checks know from an OpenAPI 3.0 or 3.1 document. */
export interface ApiDocument {
  /** Where it was read from. */
  readonly source: string;
  readonly openapi: string;
  readonly operations: readonly Operation[];
  readonly securitySchemes: ReadonlyMap<string, SecurityScheme>;
  readonly validator: SchemaValidator;
  /** Follows the `$ref`s of a schema at the top, for reading its properties. */
  readonly schemaAt: (pointer: string) => Record<string, unknown> | undefined;
}

const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Reads an OpenAPI 3.x document; throws an Error saying what is wrong when it is not one. */
export function readApiDocument(raw: unknown, source: string): ApiDocument {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Error(`${source} is not an OpenAPI document (not an object)`);
  const root = raw as Record<string, unknown>;
  const openapi = root['openapi'];
  if (typeof openapi !== 'string' || !/^3\.[01]\./.test(openapi)) {
    throw new Error(`${source} is not an OpenAPI 3.0 or 3.1 document ("openapi" is ${JSON.stringify(openapi ?? null)})`);
  }
  const securitySchemes = readSecuritySchemes(root);
  const topSecurity = root['security'];
  const operations: Operation[] = [];
  const paths = typeof root['paths'] === 'object' && root['paths'] !== null ? (root['paths'] as Record<string, unknown>) : {};
  for (const path of Object.keys(paths)) {
    const item = locate(root, pointerTo('paths', path));
    if (item === undefined) continue;
    const shared = readParameters(root, item.value['parameters'], item.pointer + '/parameters');
    for (const method of methods) {
      const operation = item.value[method];
      if (typeof operation !== 'object' || operation === null) continue;
      const pointer = item.pointer + pointerTo(method);
      const own = readParameters(root, (operation as Record<string, unknown>)['parameters'], pointer + '/parameters');
      const parameters = [
        ...own,
        ...shared.filter((candidate) => !own.some((p) => p.name === candidate.name && p.in === candidate.in)),
      ];
      const security = (operation as Record<string, unknown>)['security'] ?? topSecurity;
      operations.push({
        method: method.toUpperCase(),
        path,
        parameters,
        requestBody: readRequestBody(root, pointer + '/requestBody'),
        security: Array.isArray(security) ? [...new Set(security.flatMap((requirement) => Object.keys(requirement ?? {})))] : [],
        responses: readResponses(root, pointer + '/responses'),
      });
    }
  }
  const schemaAt = (pointer: string) => locate(root, pointer)?.value;
  return { source, openapi, operations, securitySchemes, validator: new SchemaValidator(root, openapi), schemaAt };
}

function readSecuritySchemes(root: Record<string, unknown>): Map<string, SecurityScheme> {
  const schemes = new Map<string, SecurityScheme>();
  const container = locate(root, '/components/securitySchemes');
  for (const name of Object.keys(container?.value ?? {})) {
    const scheme = locate(root, pointerTo('components', 'securitySchemes', name))?.value;
    if (scheme === undefined || typeof scheme['type'] !== 'string') continue;
    const flows = (scheme['flows'] ?? {}) as Record<string, { tokenUrl?: unknown }>;
    const tokenUrl = Object.values(flows).find((flow) => typeof flow?.tokenUrl === 'string')?.tokenUrl as string | undefined;
    schemes.set(name, {
      type: scheme['type'],
      ...(typeof scheme['scheme'] === 'string' ? { scheme: scheme['scheme'].toLowerCase() } : {}),
      ...(typeof scheme['in'] === 'string' ? { in: scheme['in'] } : {}),
      ...(typeof scheme['name'] === 'string' ? { name: scheme['name'] } : {}),
      ...(tokenUrl === undefined ? {} : { tokenUrl }),
    });
  }
  return schemes;
}

function readParameters(root: unknown, list: unknown, pointer: string): Parameter[] {
  if (!Array.isArray(list)) return [];
  const parameters: Parameter[] = [];
  list.forEach((_entry, index) => {
    const located = locate(root, `${pointer}/${index}`);
    if (located === undefined) return;
    const { value } = located;
    const place = value['in'];
    if (typeof value['name'] !== 'string' || (place !== 'path' && place !== 'query' && place !== 'header' && place !== 'cookie'))
      return;
    parameters.push({
      name: value['name'],
      in: place,
      required: value['required'] === true || place === 'path',
      schema: locate(root, located.pointer + '/schema')?.value,
    });
  });
  return parameters;
}

function readRequestBody(root: unknown, pointer: string): Operation['requestBody'] {
  const body = locate(root, pointer);
  if (body === undefined) return undefined;
  const content = (body.value['content'] ?? {}) as Record<string, unknown>;
  const mediaTypes = Object.keys(content);
  const json = mediaTypes.find((type) => /^application\/([a-z0-9.-]+\+)?json$/i.test(type.split(';')[0]?.trim() ?? ''));
  const schema = json === undefined ? undefined : locate(root, body.pointer + pointerTo('content', json, 'schema'));
  return {
    required: body.value['required'] === true,
    mediaTypes,
    jsonSchema: schema?.value,
    jsonSchemaPointer: schema?.pointer,
  };
}

function readResponses(root: unknown, pointer: string): DocumentedResponse[] {
  const responses = locate(root, pointer);
  if (responses === undefined) return [];
  return Object.keys(responses.value).flatMap((status) => {
    const response = locate(root, responses.pointer + pointerTo(status));
    if (response === undefined) return [];
    const headers = new Map<string, { schemaPointer: string | undefined; required: boolean }>();
    for (const name of Object.keys((response.value['headers'] ?? {}) as object)) {
      const header = locate(root, response.pointer + pointerTo('headers', name));
      if (header === undefined) continue;
      const schema = locate(root, header.pointer + '/schema');
      headers.set(name.toLowerCase(), { schemaPointer: schema?.pointer, required: header.value['required'] === true });
    }
    const content = new Map<string, string | undefined>();
    for (const type of Object.keys((response.value['content'] ?? {}) as object)) {
      const schema = locate(root, response.pointer + pointerTo('content', type, 'schema'));
      content.set(type.split(';')[0]?.trim().toLowerCase() ?? type, schema?.pointer);
    }
    return [{ status, headers, content }];
  });
}

/** The documented response for a status: the exact code, then `4XX`, then `default`. */
export function documentedResponse(operation: Operation, status: number): DocumentedResponse | undefined {
  const exact = String(status);
  const range = `${exact[0]}XX`;
  return (
    operation.responses.find((response) => response.status === exact) ??
    operation.responses.find((response) => response.status.toUpperCase() === range) ??
    operation.responses.find((response) => response.status === 'default')
  );
}
