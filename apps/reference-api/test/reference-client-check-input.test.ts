import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addRecipientsBody, campaignIdParams, createCampaignBody, listQuery } from '@faultline/reference-contract';
import { checkInput, type InputSchema } from '@faultline/reference-client';
import { serverFailures } from './server-validation.js';

function clientFailures(schema: object, value: unknown): string[] {
  return checkInput(schema as InputSchema, value, 'body').map((field) => `${field.pointer} ${field.code}`);
}

const sorted = (list: string[]) => [...new Set(list)].sort();

/** Values near the schemas' edges: right and wrong types, lengths at the limits, good and bad emails, unknown fields. */
const text = fc.oneof(fc.string({ maxLength: 5 }), fc.string({ minLength: 195, maxLength: 260 }), fc.constant(''));
const emailish = fc.oneof(fc.emailAddress(), fc.string({ maxLength: 20 }), fc.constant('a@b'), fc.constant('x@example.com'));
const wrong = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }), fc.double());
const recipient = fc.oneof(
  fc.record({ email: fc.oneof(emailish, wrong), name: fc.oneof(text, wrong) }, { requiredKeys: [] }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(emailish, wrong), { maxKeys: 3 }),
  wrong,
);
const campaignBody = fc.oneof(
  fc.record({ name: fc.oneof(text, wrong) }, { requiredKeys: [] }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(text, wrong), { maxKeys: 3 }),
  wrong,
);
const recipientsBody = fc.oneof(
  fc.record({ recipients: fc.oneof(fc.array(recipient, { maxLength: 4 }), wrong) }, { requiredKeys: [] }),
  fc.record({ recipients: fc.array(recipient, { maxLength: 3 }), extra: wrong }),
  wrong,
);

describe('checkInput agrees with the server', () => {
  it('finds the same failing fields as the server for any campaign body', () => {
    fc.assert(
      fc.property(campaignBody, (value) => {
        expect(sorted(clientFailures(createCampaignBody, value))).toEqual(
          sorted(serverFailures(createCampaignBody, value, 'body')),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('finds the same failing fields as the server for any recipients body', () => {
    fc.assert(
      fc.property(recipientsBody, (value) => {
        expect(sorted(clientFailures(addRecipientsBody, value))).toEqual(
          sorted(serverFailures(addRecipientsBody, value, 'body')),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('reports a path id and list limits the way the server does', () => {
    for (const id of [0, -1, 1.5, 2_147_483_648]) {
      expect(clientFailures(campaignIdParams, { id })).toEqual(['/id invalid_parameter']);
    }
    expect(clientFailures(campaignIdParams, { id: 7 })).toEqual([]);
    expect(clientFailures(listQuery, { limit: 101 })).toEqual(['/limit invalid_parameter']);
    expect(clientFailures(listQuery, { limit: 100, cursor: 'abc' })).toEqual([]);
    expect(clientFailures(listQuery, { cursor: '' })).toEqual(['/cursor invalid_parameter']);
  });

  it('counts string length in code points, as the server does', () => {
    const name = '😀'.repeat(200);
    expect(clientFailures(createCampaignBody, { name })).toEqual([]);
    expect(serverFailures(createCampaignBody, { name }, 'body')).toEqual([]);
    expect(clientFailures(createCampaignBody, { name: name + 'x' })).toEqual(['/name invalid_parameter']);
  });
});
