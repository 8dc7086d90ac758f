/**
 * The extension members of a compiled problem+json body, as JSON text after
 * the members already written: `,"name":value` for each, in order, skipping a
 * name `written` has (as `name in body` does) and a value JSON leaves out.
 * Undefined when only `JSON.stringify` of the whole body can write them
 * exactly: a name JSON would order first (an array index) or a value with
 * its own `toJSON`, which is told its member name.
 */
export function extensionMembers(extensions: Readonly<Record<string, unknown>>, written: object): string | undefined {
  let text = '';
  for (const name in extensions) {
    if (name in written) continue;
    const first = name.charCodeAt(0);
    if (first >= 48 && first <= 57) return undefined;
    const value = extensions[name];
    if (typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function')
      return undefined;
    const json = JSON.stringify(value);
    if (json !== undefined) text += `,${JSON.stringify(name)}:${json}`;
  }
  return text;
}
