/**
 * Reads a whole-number setting from the environment, the one rule every
 * numeric variable of the reference API follows: unset or empty is
 * `undefined` (the caller's default), `off` is `Infinity` where `off` is
 * allowed, anything else must be a whole number from 1 (to `max` when given).
 * Throws an Error that names the variable, what it accepts and what it got.
 *
 * @example
 * readWholeNumber({ MAX_CONNECTIONS_PER_CLIENT: 'off' }, 'MAX_CONNECTIONS_PER_CLIENT', { off: true }); // Infinity
 * readWholeNumber({ DATABASE_POOL_SIZE: '0' }, 'DATABASE_POOL_SIZE', { max: 1000 });
 * // Error: DATABASE_POOL_SIZE must be a whole number from 1 to 1000, not "0".
 */
export function readWholeNumber(
  environment: NodeJS.ProcessEnv,
  name: string,
  { off = false, max }: { off?: boolean; max?: number } = {},
): number | undefined {
  const value = environment[name]?.trim();
  if (value === undefined || value === '') return undefined;
  if (off && value === 'off') return Number.POSITIVE_INFINITY;
  if (!/^\d{1,9}$/.test(value) || Number(value) === 0 || (max !== undefined && Number(value) > max)) {
    const range = max === undefined ? 'a positive whole number' : `a whole number from 1 to ${max}`;
    throw new Error(`${name} must be ${range}${off ? ' or "off"' : ''}, not "${value}".`);
  }
  return Number(value);
}
