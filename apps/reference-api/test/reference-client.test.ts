import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '@faultline/client';
import { createReferenceApiClient, type ReferenceApiClient } from '@faultline/reference-client';
import { openReferenceServer, type ReferenceServer } from './reference-server.js';

let server: ReferenceServer;
let baseUrl: string;
let apiKey: string;
let received: string[] = [];

beforeAll(async () => {
  server = await openReferenceServer();
  apiKey = server.apiKey;
  baseUrl = await server.listen({}, (app) =>
    app.addHook('onRequest', async (request) => {
      received.push(`${request.method} ${request.url}`);
    }),
  );
});

afterAll(() => server.close());

beforeEach(() => {
  received = [];
});

function client(validateInput = true): ReferenceApiClient {
  return createReferenceApiClient({ baseUrl, apiKey, validateInput });
}

describe('the typed reference API client', () => {
  it('creates, reads, pauses and lists campaigns with typed results', async () => {
    const api = client();
    const created = await api.createCampaign({ name: 'Autumn' });
    expect(created).toMatchObject({ name: 'Autumn', status: 'draft' });
    expect(await api.getCampaign(created.id)).toEqual(created);
    expect((await api.resumeCampaign(created.id)).status).toBe('active');
    expect((await api.pauseCampaign(created.id)).status).toBe('paused');
    const page = await api.listCampaigns({ limit: 100 });
    expect(page.data.map((campaign) => campaign.id)).toContain(created.id);
    expect(await api.addRecipients(created.id, [{ email: 'a@example.com' }, { email: 'b@example.com', name: 'B' }])).toEqual({
      added: 2,
      skipped: 0,
    });
  });

  it('refuses input that breaks the schema without sending it, naming every field', async () => {
    const api = client();
    const attempt = api.addRecipients(0, [{ email: 'not-an-email' }, { email: 'ok@example.com', extra: 1 } as never]);
    const error = await attempt.catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ValidationError);
    const failure = error as ValidationError;
    expect(failure.status).toBe(0);
    expect(failure.attempts).toBe(0);
    expect(failure.fieldErrors.map((field) => `${field.location} ${field.pointer} ${field.code}`)).toEqual([
      'path /id invalid_parameter',
      'body /recipients/0/email invalid_parameter',
      'body /recipients/1/extra invalid_parameter',
    ]);
    expect(received).toEqual([]);
  });

  it('reports a missing field as missing_parameter before sending', async () => {
    const error = await client()
      .createCampaign({} as never)
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe('missing_parameter');
    expect(received).toEqual([]);
  });

  it('gets the same field pointers from the server when input checking is off', async () => {
    const local = (await client()
      .createCampaign({ name: '', colour: 'red' } as never)
      .catch((thrown: unknown) => thrown)) as ValidationError;
    const remote = (await client(false)
      .createCampaign({ name: '', colour: 'red' } as never)
      .catch((thrown: unknown) => thrown)) as ValidationError;
    expect(remote).toBeInstanceOf(ValidationError);
    expect(remote.status).toBe(400);
    expect(received).toEqual(['POST /v1/campaigns']);
    const pointers = (error: ValidationError) =>
      error.fieldErrors.map((field) => `${field.location} ${field.pointer} ${field.code}`).sort();
    expect(pointers(local)).toEqual(pointers(remote));
  });

  it('words the failing fields as the server does', async () => {
    const input = { colour: 'red' } as never;
    const local = (await client()
      .createCampaign(input)
      .catch((thrown: unknown) => thrown)) as ValidationError;
    const remote = (await client(false)
      .createCampaign(input)
      .catch((thrown: unknown) => thrown)) as ValidationError;
    expect(remote.status).toBe(400);
    expect(local.detail).toBe(
      '2 fields are missing or invalid: body /name is required; body /colour is not a field this operation accepts.',
    );
    expect(local.detail).toBe(remote.detail);
  });

  it('turns the server 404 into a NotFoundError with the request id', async () => {
    const error = (await client()
      .getCampaign(999_999)
      .catch((thrown: unknown) => thrown)) as NotFoundError;
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.code).toBe('not_found');
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(error.message).toContain(error.requestId);
  });
});
