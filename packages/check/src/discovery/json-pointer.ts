/** JSON Pointers (RFC 6901) into the API document, for following local `$ref`s. */

export function pointerTo(...segments: readonly (string | number)[]): string {
  return segments.map((segment) => '/' + String(segment).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let node = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** A node of the document, with the pointer it was found at once its `$ref`s are followed. */
export interface Located<T = Record<string, unknown>> {
  readonly value: T;
  readonly pointer: string;
}

/**
 * Follows a chain of local `$ref`s (`#/components/...`) from the node at
 * `pointer`; undefined when it leads nowhere, out of the document, or in a
 * circle.
 */
export function locate(root: unknown, pointer: string): Located | undefined {
  const seen = new Set<string>();
  let current = pointer;
  for (;;) {
    if (seen.has(current)) return undefined;
    seen.add(current);
    const node = valueAt(root, current);
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    const ref = (node as Record<string, unknown>)['$ref'];
    if (typeof ref !== 'string') return { value: node as Record<string, unknown>, pointer: current };
    if (!ref.startsWith('#')) return undefined;
    current = ref.slice(1);
  }
}
