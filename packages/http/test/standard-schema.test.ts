import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fieldValidationError } from '@faultline/core';
import { errorAnswer, resolveContractSettings, standardSchemaFieldErrors, validateStandardSchema } from '@faultline/http';

const settings = resolveContractSettings();

/** The same rules in both libraries: a name of at least one character, a list of string tags, a count. */
const zodThing = z.object({ name: z.string().min(1), tags: z.array(z.string()), count: z.number().int() });
const valibotThing = v.object({
  name: v.pipe(v.string(), v.minLength(1)),
  tags: v.array(v.string()),
  count: v.pipe(v.number(), v.integer()),
});

/** Pointers and codes only: each library words its messages its own way. */
const shape = (fields: readonly { pointer: string; code: string; location: string }[]) =>
  fields.map(({ pointer, code, location }) => ({ pointer, code, location })).sort((a, b) => a.pointer.localeCompare(b.pointer));

describe('Standard Schema issues as field errors', () => {
  it('give zod and valibot the same pointers and codes for the same mistakes', async () => {
    const input = { name: '', tags: ['ok', 3] };
    const fromZod = await validateStandardSchema(zodThing, input, 'body');
    const fromValibot = await validateStandardSchema(valibotThing, input, 'body');
    const expected = [
      { pointer: '/count', code: 'missing_parameter', location: 'body' },
      { pointer: '/name', code: 'invalid_parameter', location: 'body' },
      { pointer: '/tags/1', code: 'invalid_parameter', location: 'body' },
    ];
    expect(shape(fromZod.fields ?? [])).toEqual(expected);
    expect(shape(fromValibot.fields ?? [])).toEqual(expected);
    // The library's own words explain a wrong value; a missing one reads as JSON Schema's does.
    expect(fromZod.fields?.find((field) => field.pointer === '/tags/1')?.detail).toMatch(/string/);
    expect(fromValibot.fields?.find((field) => field.pointer === '/count')?.detail).toBe('is required');
  });

  it('name each member a strict object refuses by its own pointer, in the words JSON Schema failures get', async () => {
    const input = { name: 'a', extra: 1, 'odd/key': true };
    const fromZod = await validateStandardSchema(z.strictObject({ name: z.string() }), input, 'body');
    const fromValibot = await validateStandardSchema(v.strictObject({ name: v.string() }), input, 'body');
    const expected = ['/extra', '/odd~1key'].map((pointer) => ({
      pointer,
      location: 'body',
      code: 'invalid_parameter',
      detail: 'is not a field this operation accepts',
    }));
    expect(fromZod.fields).toEqual(expect.arrayContaining(expected));
    expect(fromZod.fields).toHaveLength(2);
    // valibot stops at the first unknown member; it is named the same way.
    expect(fromValibot.fields).toEqual([expected[0]]);
    // A member the strict object requires and lacks stays missing, not unknown.
    const missing = await validateStandardSchema(v.strictObject({ name: v.string() }), {}, 'body');
    expect(missing.fields).toEqual([{ pointer: '/name', location: 'body', code: 'missing_parameter', detail: 'is required' }]);
  });

  it('give the output, transformed, when the value passes', async () => {
    const trimmed = z.object({ name: z.string().trim().min(1) });
    expect(await validateStandardSchema(trimmed, { name: '  Ada ' }, 'body')).toEqual({ value: { name: 'Ada' } });
    expect(validateStandardSchema(v.object({ id: v.string() }), { id: 'x' }, 'path')).toEqual({ value: { id: 'x' } });
  });

  it('wait for an asynchronous schema', async () => {
    const unique = z.object({ email: z.string().refine(async (email) => email !== 'taken@example.com', 'is already used') });
    const checking = validateStandardSchema(unique, { email: 'taken@example.com' }, 'body');
    expect(checking).toBeInstanceOf(Promise);
    expect((await checking).fields).toEqual([
      { pointer: '/email', location: 'body', code: 'invalid_parameter', detail: 'is already used' },
    ]);
  });

  it('name a body missing whole as JSON Schema validation does', async () => {
    const checked = await validateStandardSchema(zodThing, undefined, 'body');
    expect(checked.fields).toEqual([
      { pointer: '', location: 'body', code: 'missing_parameter', detail: 'is required: send a JSON body' },
    ]);
  });

  it('escape any key into its JSON pointer token, from plain keys and from { key } segments alike', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (outer, inner) => {
        const input = { [outer]: { [inner]: 'wrong' } };
        const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');
        const pointer = `/${escape(outer)}/${escape(inner)}`;
        const plain = standardSchemaFieldErrors([{ message: 'must be a number', path: [outer, inner] }], 'query', input);
        const segments = standardSchemaFieldErrors(
          [{ message: 'must be a number', path: [{ key: outer }, { key: inner }] }],
          'query',
          input,
        );
        expect(plain).toEqual([{ pointer, location: 'query', code: 'invalid_parameter', detail: 'must be a number' }]);
        expect(segments).toEqual(plain);
      }),
    );
  });

  it('answer 400 invalid_parameter listing every field, through the same error answer as every other error', async () => {
    const checked = await validateStandardSchema(zodThing, { name: 7, tags: 'none', count: 1.5 }, 'body');
    const answer = errorAnswer(fieldValidationError(checked.fields ?? [], settings), settings, { id: 'req-1' });
    expect(answer.status).toBe(400);
    expect(answer.headers['x-request-id']).toBe('req-1');
    const body = JSON.parse(answer.body) as { code: string; errors: { pointer: string }[] };
    expect(body.code).toBe('invalid_parameter');
    expect(body.errors.map((each) => each.pointer).sort()).toEqual(['/count', '/name', '/tags']);
  });
});
