/**
 * The campaign fields, PATCH and conditional requests through the typed
 * client, and its input check agreeing with the server on the new schemas
 * (nullable members, patterns, date-times, minProperties).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCampaignBody, listCampaignsQuery, updateCampaignBody } from '@faultline/reference-contract';
import { ValidationError } from '@faultline/client';
import { checkInput, createReferenceApiClient, type InputSchema, type ReferenceApiClient } from '@faultline/reference-client';
import { serverFailures } from './server-validation.js';
import { openReferenceServer, type ReferenceServer } from './reference-server.js';

let server: ReferenceServer;
let api: ReferenceApiClient;

beforeAll(async () => {
  server = await openReferenceServer();
  api = createReferenceApiClient({ baseUrl: await server.listen(), apiKey: server.apiKey });
});

afterAll(() => server.close());

const future = new Date(Date.now() + 86_400_000).toISOString();

describe('the typed client with the campaign fields', () => {
  it('creates with every field, patches, and lists by status', async () => {
    const created = await api.createCampaign({
      name: 'Typed',
      external_id: `typed-${Date.now()}`,
      scheduled_at: future,
      sender: { email: 'news@example.com' },
    });
    expect(created).toMatchObject({ name: 'Typed', scheduled_at: future, sender: { email: 'news@example.com', name: null } });
    const patched = await api.updateCampaign(created.id, { sender: { name: 'News' }, status: 'active' });
    expect(patched).toMatchObject({ status: 'active', sender: { email: 'news@example.com', name: 'News' } });
    const page = await api.listCampaigns({ status: 'active', limit: 100 });
    expect(page.data.map((campaign) => campaign.id)).toContain(created.id);
    expect(page.data.every((campaign) => campaign.status === 'active')).toBe(true);
  });

  it('sends If-Match: a current ETag applies, a stale one is a 412 precondition_failed', async () => {
    const created = await api.createCampaign({ name: 'Conditional' });
    await expect(api.updateCampaign(created.id, { name: 'First' }, { ifMatch: `"c${created.id}-v1"` })).resolves.toMatchObject({
      name: 'First',
    });
    await expect(api.updateCampaign(created.id, { name: 'Stale' }, { ifMatch: `"c${created.id}-v1"` })).rejects.toMatchObject({
      status: 412,
      code: 'precondition_failed',
    });
    expect((await api.getCampaign(created.id)).name).toBe('First');
  });

  it('refuses an empty patch and a bad external_id before sending', async () => {
    await expect(api.updateCampaign(1, {})).rejects.toBeInstanceOf(ValidationError);
    await expect(api.createCampaign({ name: 'x', external_id: 'has space' })).rejects.toMatchObject({
      code: 'invalid_parameter',
      fieldErrors: [{ pointer: '/external_id', location: 'body', code: 'invalid_parameter' }],
    });
  });
});

// --- checkInput against the server's validator on the new schemas --------------------------------

const clientFailures = (schema: object, value: unknown, location: 'body' | 'query' = 'body') =>
  checkInput(schema as InputSchema, value, location).map((field) => `${field.pointer} ${field.code}`);

const sorted = (list: string[]) => [...new Set(list)].sort();

const dateTimes = fc.oneof(
  fc.constantFrom(
    '2099-01-01T00:00:00Z',
    '2099-01-01t00:00:00z',
    '2099-01-01 00:00:00+02:00',
    '2099-01-01T00:00:00.123456-0530',
    '2099-01-01T00:00:00+05',
    '2098-12-31T23:59:60Z',
    '2098-12-31T23:59:60+01:00',
    '2099-01-01T23:59:60Z',
    '2096-02-29T10:00:00Z',
    '2099-02-29T10:00:00Z',
    '2099-13-01T10:00:00Z',
    '2099-01-01T24:00:00Z',
    '2099-01-01T10:00:00',
    '2099-01-01T10:00:00+24:00',
    '2099-01-01',
    '2099-01-01TT10:00:00Z',
    '',
  ),
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  fc.string({ maxLength: 30 }),
);
const wrong = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }), fc.double());
const text = fc.oneof(fc.string({ maxLength: 5 }), fc.string({ minLength: 195, maxLength: 260 }), fc.constant(''));
const externalIds = fc.oneof(fc.string({ maxLength: 70 }), fc.constantFrom('a.b_c:d-e', 'x'.repeat(64), 'x'.repeat(65), 'é', ''));
const emails = fc.oneof(fc.constantFrom('a@example.com', 'nope', 'a@b', ''), fc.string({ maxLength: 12 }));
const sender = fc.oneof(
  fc.record({ email: fc.oneof(emails, wrong), name: fc.oneof(text, wrong) }, { requiredKeys: [] }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(emails, wrong), { maxKeys: 2 }),
  wrong,
);
const members = {
  name: fc.oneof(text, wrong),
  external_id: fc.oneof(externalIds, wrong),
  scheduled_at: fc.oneof(dateTimes, wrong),
  sender,
  status: fc.oneof(fc.constantFrom('draft', 'active', 'paused', 'archived', 'deleted'), wrong),
};
const campaignBodies = fc.oneof(
  fc.record(members, { requiredKeys: [] }),
  fc.record({ ...members, extra: wrong }, { requiredKeys: [] }),
  wrong,
);

describe('checkInput agrees with the server on the campaign schemas', () => {
  it.each([
    ['create', createCampaignBody],
    ['update', updateCampaignBody],
  ])('finds the same failing fields for any %s body', (_name, schema) => {
    fc.assert(
      fc.property(campaignBodies, (value) => {
        expect(sorted(clientFailures(schema, value))).toEqual(sorted(serverFailures(schema, value, 'body')));
      }),
      { numRuns: 1000 },
    );
  });

  it('agrees on date-times, one by one', () => {
    fc.assert(
      fc.property(dateTimes, (scheduledAt) => {
        const value = { name: 'x', scheduled_at: scheduledAt };
        expect(sorted(clientFailures(createCampaignBody, value))).toEqual(
          sorted(serverFailures(createCampaignBody, value, 'body')),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('checks the status filter of the list', () => {
    expect(clientFailures(listCampaignsQuery, { status: 'paused', limit: 5 }, 'query')).toEqual([]);
    expect(clientFailures(listCampaignsQuery, { status: 'deleted' }, 'query')).toEqual(['/status invalid_parameter']);
  });
});
