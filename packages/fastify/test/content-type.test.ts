import { afterEach, describe, expect, it } from 'vitest';
import { bodyOf, buildApp, closeApps, codeOf, detailOf, expectProblem, profiles } from './helpers.js';

afterEach(closeApps);

async function echoApp(options: Parameters<typeof buildApp>[0] = {}) {
  const app = await buildApp(options);
  app.post('/v1/echo', async (request) => ({ received: request.body ?? null }));
  return app;
}

const acceptedJson = 'Send it as one of: application/json.';

describe('unsupported Content-Type', () => {
  it.each([
    ['text/plain', 'hello'],
    ['application/xml', '<thing/>'],
    ['application/x-www-form-urlencoded', 'a=1&b=2'],
    ['text/plain; charset=utf-8', '{"looks":"like json"}'],
  ])('answers 415 invalid_content_type for %s, naming it and the accepted type', async (contentType, payload) => {
    const app = await echoApp();
    const response = await app.inject({ method: 'POST', url: '/v1/echo', headers: { 'content-type': contentType }, payload });
    const body = expectProblem(response, 415, 'invalid_content_type');
    expect(body['title']).toBe('Unsupported content type');
    expect(body['detail']).toBe(`The body was sent as "${contentType}", which this endpoint does not read. ${acceptedJson}`);
  });

  it('answers 415 for an empty Content-Type header', async () => {
    const app = await echoApp();
    const response = await app.inject({ method: 'POST', url: '/v1/echo', headers: { 'content-type': '' }, payload: '{}' });
    const body = expectProblem(response, 415, 'invalid_content_type');
    expect(body['detail']).toBe(`The request has a body but no Content-Type. ${acceptedJson}`);
  });

  it('answers 415 for a body sent without any Content-Type header', async () => {
    const app = await echoApp();
    const response = await app.inject({ method: 'POST', url: '/v1/echo', headers: { 'content-length': '5' }, payload: 'hello' });
    const body = expectProblem(response, 415, 'invalid_content_type');
    expect(body['detail']).toBe(`The request has a body but no Content-Type. ${acceptedJson}`);
  });

  it('shortens a huge Content-Type in the detail', async () => {
    const app = await echoApp();
    const contentType = `application/${'x'.repeat(500)}`;
    const response = await app.inject({
      method: 'POST',
      url: '/v1/echo',
      headers: { 'content-type': contentType },
      payload: 'x',
    });
    const body = expectProblem(response, 415, 'invalid_content_type');
    expect(body['detail']).toContain(`"${contentType.slice(0, 99)}…"`);
    expect(body['detail']).not.toContain(contentType);
  });

  it.each(profiles)('is 415 invalid_content_type in the %s profile', async (profile) => {
    const app = await echoApp({ profile });
    const response = await app.inject({
      method: 'POST',
      url: '/v1/echo',
      headers: { 'content-type': 'application/xml' },
      payload: '<a/>',
    });
    expect(response.statusCode).toBe(415);
    const body = bodyOf(response);
    expect(codeOf(profile, body)).toBe('invalid_content_type');
    // The oauth profile turns `"` into `'`; the media types survive in every profile.
    expect(detailOf(profile, body)).toContain('application/xml');
    expect(detailOf(profile, body)).toContain(acceptedJson);
  });
});

describe('accepted Content-Type', () => {
  it('reads application/json, with or without a charset', async () => {
    const app = await echoApp();
    for (const contentType of ['application/json', 'application/json; charset=utf-8']) {
      const response = await app.inject({
        method: 'POST',
        url: '/v1/echo',
        headers: { 'content-type': contentType },
        payload: '{"name":"Ada"}',
      });
      expect(response.statusCode).toBe(200);
      expect(bodyOf(response)).toEqual({ received: { name: 'Ada' } });
    }
  });

  it('lets a request without a body through with no Content-Type', async () => {
    const app = await echoApp();
    const response = await app.inject({ method: 'POST', url: '/v1/echo' });
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({ received: null });
  });
});

describe('the contentTypes option', () => {
  it('stops reading JSON when the list leaves it out', async () => {
    const app = await echoApp({ contentTypes: ['text/plain'] });
    const response = await app.inject({
      method: 'POST',
      url: '/v1/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    const body = expectProblem(response, 415, 'invalid_content_type');
    expect(body['detail']).toBe(
      'The body was sent as "application/json", which this endpoint does not read. Send it as one of: text/plain.',
    );
  });

  it('lists the configured types in the 415 detail', async () => {
    const app = await echoApp({ contentTypes: ['application/json', 'text/plain'] });
    const response = await app.inject({
      method: 'POST',
      url: '/v1/echo',
      headers: { 'content-type': 'application/xml' },
      payload: '<a/>',
    });
    const body = expectProblem(response, 415, 'invalid_content_type');
    expect(body['detail']).toBe(
      'The body was sent as "application/xml", which this endpoint does not read. Send it as one of: application/json, text/plain.',
    );
  });

  it('keeps the text/plain parser when text/plain is listed', async () => {
    const app = await echoApp({ contentTypes: ['application/json', 'text/plain'] });
    const response = await app.inject({
      method: 'POST',
      url: '/v1/echo',
      headers: { 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({ received: 'hello' });
  });

  it('names a type the app parses itself', async () => {
    const app = await buildApp({ contentTypes: ['application/json', 'application/x-www-form-urlencoded'] });
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    app.post('/v1/echo', async (request) => ({ received: request.body }));
    const form = await app.inject({
      method: 'POST',
      url: '/v1/echo',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'a=1',
    });
    expect(form.statusCode).toBe(200);
    expect(bodyOf(form)).toEqual({ received: { a: '1' } });
    const text = await app.inject({ method: 'POST', url: '/v1/echo', headers: { 'content-type': 'text/plain' }, payload: 'a' });
    const body = expectProblem(text, 415, 'invalid_content_type');
    expect(body['detail']).toContain('Send it as one of: application/json, application/x-www-form-urlencoded.');
  });
});
