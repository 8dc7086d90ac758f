import type { ApiError, FieldLocation } from '@faultline/core';
import type { FaultlineSettings } from './settings.js';

/** What a check of one part of a request found: the value to pass on, or the error to answer with. */
export type Checked =
  { readonly value: unknown; readonly error?: undefined } | { readonly error: ApiError; readonly value?: undefined };

/** The key under which a {@link RequestChecker} keeps its check: not a Standard Schema's `~standard`. */
export const checkRequestPart = Symbol.for('@faultline/hono.checkRequestPart');

/**
 * A validator `validate()` takes besides Standard Schemas: `jsonSchema()` of
 * `@faultline/hono/ajv` makes one, so Ajv (which compiles code, refused by
 * some edge runtimes) is loaded only by the apps that use it.
 */
export interface RequestChecker {
  readonly [checkRequestPart]: (
    input: unknown,
    location: FieldLocation,
    settings: FaultlineSettings,
  ) => Checked | Promise<Checked>;
}

const bodySizes = new WeakMap<object, number>();

/** Records how many values a parsed JSON body holds, as the body reader counted them. */
export function rememberMembers(body: object, members: number): void {
  bodySizes.set(body, members);
}

/** How many values a parsed JSON body holds, if the body reader read it. */
export function membersOf(body: object): number | undefined {
  return bodySizes.get(body);
}
