import type { LegacyRateLimitHeaders, RateLimitPolicy } from '@faultline/fastify';

/** What `npm start` applies per API key unless `RATE_LIMITS` says otherwise. */
export const defaultRateLimits = 'burst=50/1s,hourly=10000/1h';

/**
 * What `npm start` applies per team, over all its credentials, unless
 * `TEAM_RATE_LIMITS` says otherwise: two keys' worth, so a team cannot
 * multiply its allowance by making more keys.
 */
export const defaultTeamRateLimits = 'team=100/1s,team-h=20000/1h';

const units: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Reads `RATE_LIMITS`: comma-separated `name=LIMIT/WINDOW` policies, the
 * window a number and a unit (s, m, h, d), e.g. `burst=50/1s,hourly=10000/1h`;
 * `off` turns rate limiting off. Throws an Error naming the bad policy.
 */
export function parseRateLimits(value: string, variable = 'RATE_LIMITS'): RateLimitPolicy[] {
  if (value.trim() === 'off') return [];
  return value.split(',').map((part) => {
    const match = /^\s*([A-Za-z][A-Za-z0-9_-]*)=(\d{1,9})\/(\d{1,6})([smhd])\s*$/.exec(part);
    if (match === null || Number(match[2]) === 0 || Number(match[3]) === 0) {
      throw new Error(
        `${variable} policy "${part.trim()}" is not name=LIMIT/WINDOW with a window like 1s, 10m, 1h or 1d (or "off").`,
      );
    }
    return {
      name: match[1] as string,
      limit: Number(match[2]),
      windowMs: Number(match[3]) * (units[match[4] as string] as number),
    };
  });
}

const legacyForms: readonly LegacyRateLimitHeaders[] = ['draft-6', 'x-ratelimit'];

/**
 * Reads `RATE_LIMIT_LEGACY_HEADERS`: `off` (or unset), or a comma-separated
 * list of `draft-6` (`RateLimit-Limit`/`-Remaining`/`-Reset`) and
 * `x-ratelimit` (`X-RateLimit-*`), the older forms sent besides the draft-10
 * fields. Throws an Error naming the bad value.
 */
export function parseRateLimitLegacyHeaders(value: string | undefined): LegacyRateLimitHeaders[] {
  if (value === undefined || value.trim() === '' || value.trim() === 'off') return [];
  return value.split(',').map((part) => {
    const form = part.trim();
    if (!legacyForms.includes(form as LegacyRateLimitHeaders))
      throw new Error(`RATE_LIMIT_LEGACY_HEADERS must be off, draft-6, x-ratelimit or both separated by a comma; not "${form}".`);
    return form as LegacyRateLimitHeaders;
  });
}
