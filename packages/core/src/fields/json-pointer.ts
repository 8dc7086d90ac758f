/**
 * One reference token of a JSON pointer (RFC 6901 section 3): `~` becomes
 * `~0` and `/` becomes `~1`, in that order, so `a/b~c` is `a~1b~0c`.
 *
 * @example
 * ```ts
 * `/recipients/${index}/${escapePointerToken(name)}`;
 * ```
 */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
