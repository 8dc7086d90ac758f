import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkJsonShape, type JsonLimits } from '@faultline/http';

/** The shape of a parsed value, worked out the obvious way, to check the byte scanner against. */
function shapeOf(value: unknown, depth = 0): { depth: number; keys: number; items: number; members: number } {
  let shape = { depth, keys: 0, items: 0, members: 0 };
  if (typeof value !== 'object' || value === null) return shape;
  const children = Array.isArray(value) ? (value as unknown[]) : Object.values(value);
  shape = Array.isArray(value)
    ? { depth: depth + 1, keys: 0, items: children.length, members: children.length }
    : { depth: depth + 1, keys: children.length, items: 0, members: children.length };
  for (const child of children) {
    const inner = shapeOf(child, depth + 1);
    shape = {
      depth: Math.max(shape.depth, inner.depth),
      keys: Math.max(shape.keys, inner.keys),
      items: Math.max(shape.items, inner.items),
      members: shape.members + inner.members,
    };
  }
  return shape;
}

describe('checking a JSON body’s shape in one pass', () => {
  it('counts exactly what a parse would build, and names a limit exactly when the body breaks it', () => {
    const limits = fc.record({
      maxDepth: fc.integer({ min: 1, max: 6 }),
      maxKeys: fc.integer({ min: 1, max: 6 }),
      maxItems: fc.integer({ min: 1, max: 6 }),
      maxMembers: fc.integer({ min: 1, max: 40 }),
    });
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), limits, fc.boolean(), (value, limit: JsonLimits, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        const result = checkJsonShape(Buffer.from(text), limit);
        const shape = shapeOf(value);
        const broken =
          shape.depth > limit.maxDepth ||
          shape.keys > limit.maxKeys ||
          shape.items > limit.maxItems ||
          shape.members > limit.maxMembers;
        expect(result.breach !== undefined).toBe(broken);
        if (result.breach === undefined) expect(result.members).toBe(shape.members);
      }),
    );
  });

  it('is not fooled by brackets, commas and escaped quotes inside strings', () => {
    const limits = { maxDepth: 1, maxKeys: 2, maxItems: 2, maxMembers: 10 };
    expect(checkJsonShape(Buffer.from('{"a":"[[{,,\\\\\\"]]","b":"\\"{"}'), limits)).toEqual({ members: 2 });
  });
});
