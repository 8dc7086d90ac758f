import { builtinCatalog } from '@faultline/core';

/** The first and last instants the API stores and answers: years 0000 to 9999, as RFC 3339 can write them. */
const earliest = utc(0, 1, 1, 0, 0, 0, 0);
const latest = utc(9999, 12, 31, 23, 59, 59, 999);

/** As Ajv's `format: date-time` reads RFC 3339: `T`, `t` or a space; any fraction; `Z`, `z` or `±hh[[:]mm]`. */
const dateTime = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2})(?::?(\d{2}))?)$/;

/**
 * Reads an RFC 3339 date-time sent by a client, once, into the one form the
 * API stores and answers: UTC with milliseconds, `2099-03-01T08:00:00.000Z`.
 * Every time a request carries goes through here and nowhere else.
 *
 * The offset is applied (so `9999-12-31T23:59:59-00:01` is in year 10000), a
 * leap second becomes the second after it, digits below a millisecond are
 * cut. An instant outside years 0000 to 9999, which RFC 3339 cannot write,
 * or anything that is not an RFC 3339 date-time, is `invalid_parameter`
 * naming `field` (a JSON pointer into the body), never a 500.
 *
 * @example
 * parseDateTime('2099-03-01T10:00:00.123456+02:00', '/scheduled_at'); // '2099-03-01T08:00:00.123Z'
 * parseDateTime('9999-12-31T23:59:60Z', '/scheduled_at'); // throws invalid_parameter: past year 9999
 */
export function parseDateTime(value: string, field: string): string {
  const instant = instantOf(value);
  if (instant === undefined)
    throw invalidTime(field, 'must be an RFC 3339 date-time with a time zone, e.g. 2099-03-01T10:00:00Z');
  if (instant < earliest || instant > latest)
    throw invalidTime(field, 'is outside the years 0000 to 9999 once its time zone is applied; send a time within them');
  return new Date(instant).toISOString();
}

/** Milliseconds since the epoch, or undefined when the text is not a real RFC 3339 date-time. */
function instantOf(value: string): number | undefined {
  const match = dateTime.exec(value);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second, fraction = '', sign, zoneHours = '0', zoneMinutes = '0'] = match;
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1] ?? 0;
  if (d < 1 || d > daysInMonth || h > 23 || mi > 59 || s > 60) return undefined;
  if (Number(zoneHours) > 23 || Number(zoneMinutes) > 59) return undefined;
  const offsetMinutes = (Number(zoneHours) * 60 + Number(zoneMinutes)) * (sign === '-' ? -1 : 1);
  return utc(y, mo, d, h, mi, s, Number(fraction.padEnd(3, '0').slice(0, 3))) - offsetMinutes * 60_000;
}

/** Milliseconds since the epoch of a UTC time; a second of 60 rolls into the next minute. */
function utc(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0 to 99 as 1900 to 1999.
  const time = new Date(0);
  time.setUTCFullYear(year, month - 1, day);
  time.setUTCHours(hour, minute, second, ms);
  return time.getTime();
}

function invalidTime(field: string, detail: string) {
  return builtinCatalog.error('invalid_parameter', {
    detail: `${field.slice(1)} ${detail}.`,
    errors: [{ pointer: field, location: 'body', code: 'invalid_parameter', detail }],
  });
}
