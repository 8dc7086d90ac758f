import type { BuiltinCode } from '@faultline/core';
import type { FaultlineRouteConfig } from '@faultline/fastify';
import type { RouteAccess } from '../authentication/account-checks.js';

/**
 * What a route says about itself for the OpenAPI document, next to its schema
 * and its `config.access`: the catalog codes its handler throws (only catalog
 * codes compile), and, for a route without a schema, its operation.
 * The errors of the shared mechanisms (authentication, body parsing and
 * validation, rate limits, load shedding, 500) are not listed here: they
 * follow from the route in {@link ./shared-errors.ts}.
 *
 * @example
 * app.get('/campaigns/:id', { config: { errors: ['not_found'] }, schema: { … } }, handler);
 */
declare module 'fastify' {
  interface FastifyContextConfig {
    /** The catalog codes the handler itself throws. */
    errors?: readonly BuiltinCode[];
    /** For a route without a schema: its operation in the OpenAPI document (id, summary, tags, success responses). */
    operation?: SchemalessOperation;
  }
}

/** The operation of a route that has no schema (pages, this document, the OAuth endpoints). */
export interface SchemalessOperation {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  /** Its answers other than the catalog errors, by status: description, headers and content as OpenAPI writes them. */
  readonly responses: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly requestBody?: Readonly<Record<string, unknown>>;
  readonly parameters?: readonly Readonly<Record<string, unknown>>[];
  /** True for a page for people, which answers its errors with pages it lists in `responses`, not catalog bodies. */
  readonly errorPages?: boolean;
}

/** What the document knows of a route from its options, by `METHOD /openapi/{path}`. */
export interface RouteDeclaration {
  readonly access: RouteAccess;
  readonly errors: readonly BuiltinCode[];
  readonly operation: SchemalessOperation | undefined;
  readonly faultline: FaultlineRouteConfig | undefined;
}

/** `/v1/campaigns/:id` as OpenAPI writes it: `/v1/campaigns/{id}`. */
export function openApiPathOf(routePattern: string): string {
  return routePattern.replace(/:(\w+)/g, '{$1}');
}

/**
 * `Location` on a 201, for a route's response schema: `headers: { Location: locationHeader }`.
 * The document reads it from the route, like every other header a route sends itself.
 */
export const locationHeader = {
  type: 'string',
  format: 'uri-reference',
  maxLength: 100,
  description: 'The URL of the created resource.',
} as const;
