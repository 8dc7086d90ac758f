import type { ErrorContext, RetryPolicy } from '@faultline/core';

/** Whether and when to retry, in words, for each retry policy. */
export const retryAdvice: Readonly<Record<RetryPolicy, string>> = {
  never: 'No. The same request fails the same way; change it first.',
  backoff: 'Yes, for idempotent requests, with exponential backoff and jitter.',
  'retry-after': 'Yes, after the time the response gives (Retry-After, or the time in the body).',
  reauthenticate: 'Once, after getting fresh credentials.',
  'quota-reset': 'Not before the quota resets; the response says when.',
};

/** Where an error can be produced, in words. */
export const contextLabels: Readonly<Record<ErrorContext, string>> = {
  api: 'API responses',
  'oauth-authorization': 'OAuth2 authorization redirect',
  'oauth-token': 'OAuth2 token endpoint',
};
