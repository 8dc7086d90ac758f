import { describe, expect, it } from 'vitest';
import { errorFromResponse } from '../src/index.js';

const request = { method: 'GET', url: 'https://api.example.com/v1/campaigns/7', headers: new Headers() };

describe('error messages point at the documentation of their code', () => {
  it('resolves a problem+json type against the request URL', () => {
    const error = errorFromResponse({
      ...request,
      status: 404,
      body: JSON.stringify({
        type: '/docs/errors#not_found',
        title: 'Not found',
        status: 404,
        detail: 'No campaign 7.',
        code: 'not_found',
      }),
    });
    expect(error.docsUrl).toBe('https://api.example.com/docs/errors#not_found');
    expect(error.message).toContain('See https://api.example.com/docs/errors#not_found');
  });

  it('uses the OAuth2 error_uri', () => {
    const error = errorFromResponse({
      ...request,
      status: 400,
      body: JSON.stringify({
        error: 'invalid_request',
        error_description: 'Bad.',
        error_uri: 'https://docs.example.com/errors#invalid_request',
      }),
    });
    expect(error.docsUrl).toBe('https://docs.example.com/errors#invalid_request');
  });

  it('falls back to the configured error reference when the body names none', () => {
    const error = errorFromResponse({
      ...request,
      status: 404,
      body: JSON.stringify({ code: 'not_found', error: 'Nope.', time: '2026-01-01T00:00:00.000Z' }),
      docsUrl: '/docs/errors',
    });
    expect(error.docsUrl).toBe('https://api.example.com/docs/errors#not_found');
  });

  it('ignores the RFC 9457 default type and has no link without a reference', () => {
    const error = errorFromResponse({
      ...request,
      status: 500,
      body: JSON.stringify({ type: 'about:blank', title: 'Oops', status: 500 }),
    });
    expect(error.docsUrl).toBeUndefined();
    expect(error.message).not.toContain('See ');
  });
});
