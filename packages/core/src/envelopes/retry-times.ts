import { parseRateLimit } from '../rate-limit-fields.js';
import type { EnvelopeInput } from './error-envelope.js';

/** IMF-fixdate, RFC 850 and asctime dates (RFC 9110 section 5.6.7) all start with a day name and hold a time of day. */
const httpDate = /^[A-Za-z]{3,9},? .*\b\d{2}:\d{2}:\d{2}\b/;
/** The ISO 8601 date-times bodies carry (`Date.toISOString`). */
const isoDateTime = /^[+-]?\d{4,6}-\d{2}-\d{2}T\d{2}:\d{2}/;
/** Later than this is no retry time but a mistake: a year. */
const maxWaitMs = 366 * 24 * 3600 * 1000;

/** `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 section 10.2.3). */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): Date | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d{1,10}$/.test(trimmed)) return new Date(now + Number(trimmed) * 1000);
  // `Date.parse` alone would read `1.5` or `-5` as a day in 2001.
  if (!httpDate.test(trimmed)) return undefined;
  const time = Date.parse(trimmed);
  return Number.isNaN(time) ? undefined : new Date(time);
}

/** An ISO 8601 date-time from a body, to the millisecond. */
export function parseIsoTime(value: string): Date | undefined {
  const trimmed = value.trim();
  if (!isoDateTime.test(trimmed)) return undefined;
  const time = Date.parse(trimmed);
  return Number.isNaN(time) ? undefined : new Date(time);
}

/** Seconds from a duration as APIs write it: protobuf's `"30s"`, `"1.5s"`, Go's `"6m0s"`, `"20ms"`; undefined otherwise. */
export function durationSeconds(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d{1,9}(\.\d{1,9})?(ms|h|m|s))+$/.test(trimmed)) return undefined;
  let seconds = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    const value = Number(amount);
    seconds += unit === 'h' ? value * 3600 : unit === 'm' ? value * 60 : unit === 'ms' ? value / 1000 : value;
  }
  return seconds;
}

const messageUnits: Readonly<Record<string, number>> = {
  ms: 0.001,
  millisecond: 0.001,
  s: 1,
  sec: 1,
  second: 1,
  m: 60,
  min: 60,
  minute: 60,
  h: 3600,
  hour: 3600,
};
/** `in 56 seconds`, `after 30 s`, `in 1.5s`, `in 6m0s`: the waits rate-limit messages name. */
const waitInMessage =
  /\b(?:in|after)\s+((?:\d{1,7}(?:\.\d{1,6})?(?:ms|h|m|s))+|(\d{1,7}(?:\.\d{1,6})?)\s*(milliseconds?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|h))\b/i;

/** The wait a message names ("Expected available in 56 seconds."), as seconds. */
export function secondsInMessage(message: string): number | undefined {
  const match = waitInMessage.exec(message.slice(0, 2000));
  if (match === null) return undefined;
  if (match[2] === undefined) return durationSeconds(match[1] as string);
  const written = (match[3] as string).toLowerCase();
  // `seconds`, `secs`, `mins` → singular; `ms` and `s` are units already.
  const factor = messageUnits[written.length > 2 && written.endsWith('s') ? written.slice(0, -1) : written];
  return factor === undefined ? undefined : Number(match[2]) * factor;
}

/** A date `seconds` from now, when that is a sane wait. */
export function afterSeconds(seconds: number | undefined, now: number): Date | undefined {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0 || seconds * 1000 > maxWaitMs) return undefined;
  return new Date(now + Math.ceil(seconds * 1000));
}

/**
 * The retry time the headers give, in the order of how exact they are:
 * `Retry-After`, Azure's `retry-after-ms` (for a 503 or a rate limit), then, for a rate limit only, the
 * reset of a spent `RateLimit` policy (draft-ietf-httpapi-ratelimit-headers),
 * the older `RateLimit-Reset`, and `x-ratelimit-reset` (GitHub's epoch
 * seconds, or seconds from now when small).
 */
export function retryAtFromHeaders(input: EnvelopeInput, rateLimited: boolean): Date | undefined {
  const { header, now } = input;
  const retryAfter = parseRetryAfter(header('retry-after'), now);
  if (retryAfter !== undefined) return retryAfter;
  // Azure sends these with its 429s and 503s only; not looking elsewhere keeps the common error cheap.
  if (!rateLimited && input.status !== 503) return undefined;
  const milliseconds = header('retry-after-ms') ?? header('x-ms-retry-after-ms');
  if (milliseconds !== undefined && /^\s*\d{1,10}\s*$/.test(milliseconds)) return afterSeconds(Number(milliseconds) / 1000, now);
  if (!rateLimited) return undefined;

  const spent = parseRateLimit(header('ratelimit')).filter(
    (policy) => policy.remaining === 0 && policy.resetSeconds !== undefined,
  );
  if (spent.length > 0) return afterSeconds(Math.max(...spent.map((policy) => policy.resetSeconds as number)), now);
  const reset = header('ratelimit-reset') ?? header('x-ratelimit-reset') ?? header('x-rate-limit-reset');
  if (reset === undefined || !/^\s*\d{1,13}(\.\d{1,6})?\s*$/.test(reset)) return undefined;
  const value = Number(reset);
  // An epoch in milliseconds, an epoch in seconds (GitHub, Twitter), or seconds from now (IETF draft 6, OpenAI-style).
  if (value > 1e12) return value - now > maxWaitMs ? undefined : new Date(Math.max(value, now));
  if (value > 1e9) return value * 1000 - now > maxWaitMs ? undefined : new Date(Math.max(value * 1000, now));
  return afterSeconds(value, now);
}

/** Whether a spent quota shows in the headers: `x-ratelimit-remaining: 0` (GitHub and many), or a `RateLimit` policy at 0. */
export function quotaSpentInHeaders(header: EnvelopeInput['header']): boolean {
  const remaining = header('x-ratelimit-remaining') ?? header('ratelimit-remaining') ?? header('x-rate-limit-remaining');
  if (remaining !== undefined) return remaining.trim() === '0';
  const field = header('ratelimit');
  return field !== undefined && parseRateLimit(field).some((policy) => policy.remaining === 0);
}

/** Words that say an answer is a rate limit, in the messages of the APIs we read. */
export const rateLimitWords = /\brate[ -]?limit|\btoo many requests\b|\bthrottl|\bslow down\b/i;
