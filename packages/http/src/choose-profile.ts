import type { ProfileName } from '@faultline/core';

const problemMediaType = 'application/problem+json';

/**
 * The profile for one answer: the route's forced profile, else problem+json
 * when the request's `Accept` asks for it with a non-zero quality, else the
 * app's default.
 *
 * @example
 * ```ts
 * chooseProfile(undefined, 'application/problem+json', 'classic'); // 'problem'
 * chooseProfile('oauth', 'application/problem+json', 'classic'); // 'oauth'
 * chooseProfile(undefined, 'application/json', 'classic'); // 'classic'
 * ```
 */
export function chooseProfile(
  forced: ProfileName | undefined,
  accept: string | null | undefined,
  fallback: ProfileName,
): ProfileName {
  if (forced !== undefined) return forced;
  if (typeof accept === 'string' && acceptsProblem(accept)) return 'problem';
  return fallback;
}

/** True when `Accept` lists problem+json with a non-zero quality. */
function acceptsProblem(accept: string): boolean {
  const at = accept.toLowerCase().indexOf(problemMediaType);
  if (at === -1) return false;
  const range = accept.slice(at, accept.indexOf(',', at) === -1 ? undefined : accept.indexOf(',', at));
  return !/;\s*q=0(\.0{0,3})?\s*(;|$)/.test(range);
}
