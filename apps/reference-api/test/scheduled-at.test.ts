/**
 * `scheduled_at` at the edges of what RFC 3339 can write: years 0000 and
 * 9999, offsets that carry a time across a year, leap seconds. Each is read
 * once, into UTC with milliseconds; an instant outside years 0000 to 9999 is
 * `invalid_parameter` naming /scheduled_at. Nothing answers 500, and nothing
 * stored is written as `+010000-…`.
 */
import { isApiError } from '@faultline/core';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';
import { parseDateTime } from '../src/routes/date-time.js';
import { bearer, insertCampaign, json, openWorld, type World } from './support.js';

let world: World;
let app: FastifyInstance;
let campaignId: number;

beforeAll(async () => {
  world = await openWorld();
  app = await buildApp({ db: world.db });
  await app.ready();
  campaignId = await insertCampaign(world.db, world.demo.teamId, 'Scheduled at the edge');
});

afterAll(async () => {
  await app.close();
  await world.close();
});

const send = (method: 'POST' | 'PATCH', url: string, body: unknown) =>
  app.inject({
    method,
    url,
    headers: { ...bearer(world.demo.apiKey), 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });

const canonical = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil), independent of `Date`. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

const lastDay = (year: number, month: number) =>
  month === 2 ? ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

interface Sample {
  readonly text: string;
  /** Milliseconds since the epoch the text names. */
  readonly instant: number;
  readonly leapSecond: boolean;
}

/** RFC 3339 date-times crowded at the edges: years 0000, 0001, 9998, 9999, the last and first days, leap seconds, wide offsets. */
const dateTimes: fc.Arbitrary<Sample> = fc
  .record({
    year: fc.oneof(fc.constantFrom(0, 1, 1970, 2099, 9998, 9999), fc.integer({ min: 0, max: 9999 })),
    month: fc.oneof(fc.constantFrom(1, 2, 12), fc.integer({ min: 1, max: 12 })),
    dayPick: fc.oneof(fc.constantFrom('first', 'last'), fc.integer({ min: 1, max: 31 })),
    hour: fc.oneof(fc.constantFrom(0, 23), fc.integer({ min: 0, max: 23 })),
    minute: fc.oneof(fc.constantFrom(0, 59), fc.integer({ min: 0, max: 59 })),
    second: fc.oneof(fc.constantFrom(0, 59, 60), fc.integer({ min: 0, max: 59 })),
    fraction: fc.option(fc.stringMatching(/^[0-9]{1,9}$/), { nil: undefined }),
    zone: fc.oneof(
      fc.constant({ text: 'Z', minutes: 0 }),
      fc
        .record({
          sign: fc.constantFrom(1, -1),
          hours: fc.oneof(fc.constantFrom(0, 23), fc.integer({ min: 0, max: 23 })),
          minutes: fc.oneof(fc.constantFrom(0, 1, 59), fc.integer({ min: 0, max: 59 })),
        })
        .map(({ sign, hours, minutes }) => ({
          text: `${sign === 1 ? '+' : '-'}${pad(hours)}:${pad(minutes)}`,
          minutes: sign * (hours * 60 + minutes),
        })),
    ),
  })
  .map(({ year, month, dayPick, hour, minute, second, fraction, zone }) => {
    const day = dayPick === 'first' ? 1 : dayPick === 'last' ? lastDay(year, month) : Math.min(dayPick, lastDay(year, month));
    const ms = fraction === undefined ? 0 : Number(fraction.padEnd(3, '0').slice(0, 3));
    const text = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}${fraction === undefined ? '' : `.${fraction}`}${zone.text}`;
    const instant =
      daysFromCivil(year, month, day) * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 + ms - zone.minutes * 60_000;
    return { text, instant, leapSecond: second === 60 };
  });

const firstInstant = daysFromCivil(0, 1, 1) * 86_400_000;
const lastInstant = daysFromCivil(9999, 12, 31) * 86_400_000 + 86_399_999;
const inRange = (instant: number) => instant >= firstInstant && instant <= lastInstant;

/** What the stored and answered form of an instant must be, written without `Date`. */
function expectedText(instant: number): string {
  const days = Math.floor(instant / 86_400_000);
  const within = instant - days * 86_400_000;
  // civil_from_days, the inverse of daysFromCivil.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const ms = within % 1000;
  const seconds = Math.floor(within / 1000);
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}.${pad(ms, 3)}Z`;
}

describe('the one date-time parser (property)', () => {
  it('reads every RFC 3339 date-time into the instant it names, or refuses it with invalid_parameter naming the field', () => {
    fc.assert(
      fc.property(dateTimes, (sample) => {
        if (inRange(sample.instant)) {
          const parsed = parseDateTime(sample.text, '/scheduled_at');
          expect(parsed).toMatch(canonical);
          expect(parsed).toBe(expectedText(sample.instant));
        } else {
          let thrown: unknown;
          try {
            parseDateTime(sample.text, '/scheduled_at');
          } catch (error) {
            thrown = error;
          }
          expect(isApiError(thrown) && thrown.code).toBe('invalid_parameter');
          expect(isApiError(thrown) && thrown.errors.map((each) => each.pointer)).toEqual(['/scheduled_at']);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('scheduled_at over HTTP', () => {
  it('answers the two year-9999 times that once answered 500 with invalid_parameter naming /scheduled_at', async () => {
    for (const text of ['9999-12-31T23:59:59-00:01', '9999-12-31T23:59:60Z']) {
      for (const response of [
        await send('PATCH', `/v1/campaigns/${campaignId}`, { scheduled_at: text }),
        await send('POST', '/v1/campaigns', { name: 'Late', scheduled_at: text }),
      ]) {
        expect(response.statusCode, text).toBe(400);
        const body = json(response);
        expect(body['code']).toBe('invalid_parameter');
        expect(body['errors']).toEqual([expect.objectContaining({ pointer: '/scheduled_at', location: 'body' })]);
      }
    }
  });

  it('stores the last millisecond of year 9999 as RFC 3339, and answers it the same', async () => {
    const response = await send('POST', '/v1/campaigns', { name: 'Last', scheduled_at: '9999-12-31T23:59:59.999999Z' });
    expect(response.statusCode).toBe(201);
    expect(json(response)['scheduled_at']).toBe('9999-12-31T23:59:59.999Z');
  });

  it('never answers 500 and only ever stores RFC 3339 times, on POST and PATCH (property)', async () => {
    await fc.assert(
      fc.asyncProperty(dateTimes, async (sample) => {
        const future = sample.instant > Date.now() + 60_000;
        for (const response of [
          await send('POST', '/v1/campaigns', { name: 'Edge', scheduled_at: sample.text }),
          await send('PATCH', `/v1/campaigns/${campaignId}`, { scheduled_at: sample.text }),
        ]) {
          const body = json(response);
          if (!inRange(sample.instant)) {
            expect(response.statusCode).toBe(400);
            expect(body['code']).toBe('invalid_parameter');
            expect(body['errors']).toEqual([expect.objectContaining({ pointer: '/scheduled_at' })]);
          } else if (response.statusCode === 400 && body['code'] === 'invalid_parameter') {
            // Only a leap second the schema places elsewhere than the last second of a UTC day is refused as malformed.
            expect(sample.leapSecond).toBe(true);
          } else if (future) {
            expect([200, 201]).toContain(response.statusCode);
            expect(body['scheduled_at']).toBe(expectedText(sample.instant));
          } else {
            expect(response.statusCode).toBe(400);
            expect(body['code']).toBe('unspecified_error');
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
