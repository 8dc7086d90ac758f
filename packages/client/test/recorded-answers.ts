/**
 * Error answers of well-known APIs and frameworks, one or more per envelope,
 * written from the facts of each one's public documentation (the status, the
 * headers and the members of the body as documented; ids, names and numbers
 * are made up). Each says what the client must read from it. Times are
 * relative to {@link recordedAt}, the clock the tests set.
 */
import type { EnvelopeName, FieldError } from '@faultline/core';
import {
  AuthenticationError,
  NotFoundError,
  PermissionError,
  RateLimitedError,
  ServerError,
  ValidationError,
  type FaultlineError,
} from '@faultline/client';

/** The time the answers are read at. */
export const recordedAt = Date.UTC(2030, 0, 1, 12, 0, 0);
const epochSeconds = (secondsFromNow: number) => String(Math.floor(recordedAt / 1000) + secondsFromNow);

export interface RecordedAnswer {
  /** What the answer is, and where its shape is documented. */
  readonly title: string;
  readonly documentedAt: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly expected: {
    readonly envelope: EnvelopeName;
    readonly class: abstract new (...args: never[]) => FaultlineError;
    readonly code: string;
    readonly message: string;
    readonly fieldErrors?: readonly FieldError[];
    readonly docsUrl?: string;
    readonly requestId?: string;
    /** Seconds after {@link recordedAt} when the request may be sent again. */
    readonly retryInSeconds?: number;
    /** Members that must be among the error's extensions. */
    readonly extensions?: Readonly<Record<string, unknown>>;
  };
}

const json = (value: unknown) => JSON.stringify(value);
const field = (pointer: string, detail: string, code = 'invalid_parameter', location: FieldError['location'] = 'body') => ({
  pointer,
  location,
  code,
  detail,
});

export const recordedAnswers: readonly RecordedAnswer[] = [
  // ── Ours ─────────────────────────────────────────────────────────────────
  {
    title: 'Faultline problem+json with field errors',
    documentedAt: 'packages/core/src/profiles/problem-profile.ts',
    status: 400,
    headers: { 'content-type': 'application/problem+json', 'x-request-id': 'req-header' },
    body: json({
      type: 'https://api.example.test/docs/errors#invalid_parameter',
      title: 'Invalid parameter',
      status: 400,
      detail: 'name is required.',
      code: 'invalid_parameter',
      request_id: 'req-7',
      time: '2030-01-01T12:00:00.000Z',
      errors: [{ pointer: '/name', location: 'body', code: 'missing_parameter', detail: 'is required' }],
    }),
    expected: {
      envelope: 'faultline-problem',
      class: ValidationError,
      code: 'invalid_parameter',
      message: 'name is required.',
      fieldErrors: [field('/name', 'is required', 'missing_parameter')],
      docsUrl: 'https://api.example.test/docs/errors#invalid_parameter',
      requestId: 'req-7',
    },
  },
  {
    title: 'Faultline classic rate limit, the time in the sentence',
    documentedAt: 'packages/core/src/profiles/classic-profile.ts',
    status: 429,
    headers: { 'x-request-id': 'req-8' },
    body: json({
      code: 'limit_reached',
      error: 'Please wait and try again after: 2030-01-01T12:00:05.500Z',
      time: '2030-01-01T12:00:00.000Z',
    }),
    expected: {
      envelope: 'faultline-classic',
      class: RateLimitedError,
      code: 'limit_reached',
      message: 'Please wait and try again after: 2030-01-01T12:00:05.500Z',
      requestId: 'req-8',
      retryInSeconds: 5.5,
    },
  },
  {
    title: 'Faultline message profile',
    documentedAt: 'packages/core/src/profiles/message-profile.ts',
    status: 401,
    headers: {},
    body: json({
      message: 'Unauthorized',
      description: 'The API key was revoked.',
      code: 'invalid_api_key',
      request_id: 'req-9',
    }),
    expected: {
      envelope: 'faultline-message',
      class: AuthenticationError,
      code: 'invalid_api_key',
      message: 'The API key was revoked.',
      requestId: 'req-9',
    },
  },
  {
    title: 'OAuth 2 token endpoint',
    documentedAt: 'https://www.rfc-editor.org/rfc/rfc6749#section-5.2',
    status: 400,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: json({ error: 'invalid_grant', error_description: 'The authorization code was already used.' }),
    expected: {
      envelope: 'oauth2',
      class: ValidationError,
      code: 'invalid_grant',
      message: 'The authorization code was already used.',
    },
  },

  // ── RFC 9457 from any server ─────────────────────────────────────────────
  {
    title: 'RFC 9457 out-of-credit example, extension members kept',
    documentedAt: 'https://www.rfc-editor.org/rfc/rfc9457#section-3',
    status: 403,
    headers: { 'content-type': 'application/problem+json', 'content-language': 'en' },
    body: json({
      type: 'https://example.com/probs/out-of-credit',
      title: 'You do not have enough credit.',
      detail: 'Your current balance is 30, but that costs 50.',
      instance: '/account/12345/msgs/abc',
      balance: 30,
      accounts: ['/account/12345', '/account/67890'],
    }),
    expected: {
      envelope: 'rfc9457',
      class: PermissionError,
      code: 'https://example.com/probs/out-of-credit',
      message: 'Your current balance is 30, but that costs 50.',
      docsUrl: 'https://example.com/probs/out-of-credit',
      extensions: { instance: '/account/12345/msgs/abc', balance: 30, accounts: ['/account/12345', '/account/67890'] },
    },
  },
  {
    title: 'RFC 9457 validation example, pointers as URI fragments',
    documentedAt: 'https://www.rfc-editor.org/rfc/rfc9457#section-3',
    status: 422,
    headers: { 'content-type': 'application/problem+json' },
    body: json({
      type: 'https://example.net/validation-error',
      title: 'Your request is not valid.',
      errors: [
        { detail: 'must be a positive integer', pointer: '#/age' },
        { detail: "must be 'green', 'red' or 'blue'", pointer: '#/profile/color' },
      ],
    }),
    expected: {
      envelope: 'rfc9457',
      class: ValidationError,
      code: 'https://example.net/validation-error',
      message: 'Your request is not valid.',
      fieldErrors: [field('/age', 'must be a positive integer'), field('/profile/color', "must be 'green', 'red' or 'blue'")],
      docsUrl: 'https://example.net/validation-error',
    },
  },

  // ── Stripe ───────────────────────────────────────────────────────────────
  {
    title: 'Stripe missing resource',
    documentedAt: 'https://docs.stripe.com/api/errors',
    status: 404,
    headers: { 'request-id': 'req_4Hq2ZbT9xYdlkA' },
    body: json({
      error: {
        code: 'resource_missing',
        doc_url: 'https://stripe.com/docs/error-codes/resource-missing',
        message: "No such customer: 'cus_nope'",
        param: 'customer',
        request_log_url: 'https://dashboard.stripe.com/test/logs/req_4Hq2ZbT9xYdlkA',
        type: 'invalid_request_error',
      },
    }),
    expected: {
      envelope: 'stripe',
      class: NotFoundError,
      code: 'resource_missing',
      message: "No such customer: 'cus_nope'",
      fieldErrors: [field('/customer', "No such customer: 'cus_nope'", 'resource_missing')],
      docsUrl: 'https://stripe.com/docs/error-codes/resource-missing',
      requestId: 'req_4Hq2ZbT9xYdlkA',
      extensions: { type: 'invalid_request_error' },
    },
  },
  {
    title: 'Stripe card declined, decline_code kept',
    documentedAt: 'https://docs.stripe.com/declines/codes',
    status: 402,
    headers: { 'request-id': 'req_card' },
    body: json({
      error: {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'insufficient_funds',
        message: 'Your card has insufficient funds.',
        charge: 'ch_1',
        doc_url: 'https://stripe.com/docs/error-codes/card-declined',
      },
    }),
    expected: {
      envelope: 'stripe',
      class: ValidationError,
      code: 'card_declined',
      message: 'Your card has insufficient funds.',
      docsUrl: 'https://stripe.com/docs/error-codes/card-declined',
      requestId: 'req_card',
      extensions: { type: 'card_error', decline_code: 'insufficient_funds', charge: 'ch_1' },
    },
  },
  {
    title: 'Stripe rate limit sent as 400',
    documentedAt: 'https://docs.stripe.com/rate-limits',
    status: 400,
    headers: { 'request-id': 'req_rl' },
    body: json({
      error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests hit the API too quickly.' },
    }),
    expected: {
      envelope: 'stripe',
      class: RateLimitedError,
      code: 'rate_limit',
      message: 'Too many requests hit the API too quickly.',
      requestId: 'req_rl',
    },
  },

  // ── GitHub ───────────────────────────────────────────────────────────────
  {
    title: 'GitHub validation failed',
    documentedAt: 'https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api',
    status: 422,
    headers: { 'x-github-request-id': 'CAFE:1F2E:3D4C5B:6A7980:65A1B2C3' },
    body: json({
      message: 'Validation Failed',
      errors: [{ resource: 'Issue', field: 'title', code: 'missing_field' }],
      documentation_url: 'https://docs.github.com/rest/issues/issues#create-an-issue',
      status: '422',
    }),
    expected: {
      envelope: 'github',
      class: ValidationError,
      code: 'invalid_request',
      message: 'Validation Failed',
      fieldErrors: [field('/title', 'Issue.title: missing field', 'missing_field')],
      docsUrl: 'https://docs.github.com/rest/issues/issues#create-an-issue',
      requestId: 'CAFE:1F2E:3D4C5B:6A7980:65A1B2C3',
      extensions: { status: '422' },
    },
  },
  {
    title: 'GitHub primary rate limit: 403, x-ratelimit-remaining 0, reset as epoch seconds',
    documentedAt: 'https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api',
    status: 403,
    headers: {
      'x-github-request-id': 'BEEF:1:2:3:4',
      'x-ratelimit-limit': '60',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-used': '60',
      'x-ratelimit-reset': epochSeconds(120),
      'x-ratelimit-resource': 'core',
    },
    body: json({
      message:
        'API rate limit exceeded for 203.0.113.7. (But here is the good news: authenticated requests get a higher rate limit.)',
      documentation_url: 'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting',
    }),
    expected: {
      envelope: 'github',
      class: RateLimitedError,
      code: 'limit_reached',
      message:
        'API rate limit exceeded for 203.0.113.7. (But here is the good news: authenticated requests get a higher rate limit.)',
      docsUrl: 'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting',
      requestId: 'BEEF:1:2:3:4',
      retryInSeconds: 120,
    },
  },
  {
    title: 'GitHub secondary rate limit with Retry-After',
    documentedAt: 'https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits',
    status: 403,
    headers: { 'retry-after': '30', 'x-ratelimit-remaining': '4990' },
    body: json({
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
    }),
    expected: {
      envelope: 'github',
      class: RateLimitedError,
      code: 'limit_reached',
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      docsUrl: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
      retryInSeconds: 30,
    },
  },
  {
    title: 'GitHub secondary rate limit without any header: wait at least a minute',
    documentedAt:
      'https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#handle-rate-limit-errors-appropriately',
    status: 403,
    headers: {},
    body: json({
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
    }),
    expected: {
      envelope: 'github',
      class: RateLimitedError,
      code: 'limit_reached',
      message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      docsUrl: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
      retryInSeconds: 60,
    },
  },
  {
    title: 'GitHub 403 that is no rate limit, though it has the headers',
    documentedAt: 'https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api',
    status: 403,
    headers: { 'x-ratelimit-remaining': '4999', 'x-ratelimit-reset': epochSeconds(3600) },
    body: json({
      message: 'Resource not accessible by integration',
      documentation_url: 'https://docs.github.com/rest/issues/issues#update-an-issue',
    }),
    expected: {
      envelope: 'github',
      class: PermissionError,
      code: 'not_authorized',
      message: 'Resource not accessible by integration',
      docsUrl: 'https://docs.github.com/rest/issues/issues#update-an-issue',
    },
  },

  // ── Google AIP-193 ───────────────────────────────────────────────────────
  {
    title: 'Google quota exceeded: ErrorInfo, RetryInfo, QuotaFailure, Help',
    documentedAt: 'https://google.aip.dev/193',
    status: 429,
    headers: { 'content-type': 'application/json; charset=UTF-8' },
    body: json({
      error: {
        code: 429,
        message: "Quota exceeded for quota metric 'Read requests' of service 'pubsub.googleapis.com'.",
        status: 'RESOURCE_EXHAUSTED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'RATE_LIMIT_EXCEEDED',
            domain: 'googleapis.com',
            metadata: { service: 'pubsub.googleapis.com', quota_metric: 'pubsub.googleapis.com/read_requests' },
          },
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '30s' },
          {
            '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
            violations: [{ subject: 'project:123', description: 'Read requests per minute' }],
          },
          {
            '@type': 'type.googleapis.com/google.rpc.Help',
            links: [{ description: 'Request a higher quota limit.', url: 'https://cloud.google.com/docs/quota' }],
          },
        ],
      },
    }),
    expected: {
      envelope: 'google',
      class: RateLimitedError,
      code: 'RATE_LIMIT_EXCEEDED',
      message: "Quota exceeded for quota metric 'Read requests' of service 'pubsub.googleapis.com'.",
      docsUrl: 'https://cloud.google.com/docs/quota',
      retryInSeconds: 30,
      extensions: {
        status: 'RESOURCE_EXHAUSTED',
        domain: 'googleapis.com',
        metadata: { service: 'pubsub.googleapis.com', quota_metric: 'pubsub.googleapis.com/read_requests' },
        quotaViolations: [{ subject: 'project:123', description: 'Read requests per minute' }],
      },
    },
  },
  {
    title: 'Google invalid argument: BadRequest field violations, RequestInfo, LocalizedMessage',
    documentedAt: 'https://cloud.google.com/apis/design/errors',
    status: 400,
    headers: {},
    body: json({
      error: {
        code: 400,
        message: 'Request contains an invalid argument.',
        status: 'INVALID_ARGUMENT',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.BadRequest',
            fieldViolations: [
              { field: 'book.title', description: 'The title must not be empty.' },
              { field: 'book.authors[0].name', description: 'An author needs a name.', reason: 'REQUIRED' },
            ],
          },
          { '@type': 'type.googleapis.com/google.rpc.RequestInfo', requestId: 'g-req-42' },
          { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message: 'The book is not valid.' },
        ],
      },
    }),
    expected: {
      envelope: 'google',
      class: ValidationError,
      code: 'INVALID_ARGUMENT',
      message: 'The book is not valid.',
      fieldErrors: [
        field('/book/title', 'The title must not be empty.'),
        field('/book/authors/0/name', 'An author needs a name.', 'REQUIRED'),
      ],
      requestId: 'g-req-42',
    },
  },
  {
    title: 'Google v1 API (Drive) rate limit as 403, the request id in x-cloud-trace-context',
    documentedAt: 'https://developers.google.com/drive/api/guides/handle-errors',
    status: 403,
    headers: { 'x-cloud-trace-context': '105445aa7843bc8bf206b12000100000/1;o=1' },
    body: json({
      error: {
        errors: [{ domain: 'usageLimits', reason: 'userRateLimitExceeded', message: 'User Rate Limit Exceeded' }],
        code: 403,
        message: 'User Rate Limit Exceeded',
      },
    }),
    expected: {
      envelope: 'google',
      class: RateLimitedError,
      code: 'userRateLimitExceeded',
      message: 'User Rate Limit Exceeded',
      requestId: '105445aa7843bc8bf206b12000100000',
    },
  },

  // ── Azure / OData ────────────────────────────────────────────────────────
  {
    title: 'Azure Resource Manager not found, x-ms-request-id',
    documentedAt: 'https://learn.microsoft.com/en-us/azure/azure-resource-manager/troubleshooting/error-not-found',
    status: 404,
    headers: { 'x-ms-request-id': '5c2ba7c4-3f5e-4f7a-9d2a-0e4b1b2c3d4e', 'x-ms-error-code': 'ResourceNotFound' },
    body: json({
      error: {
        code: 'ResourceNotFound',
        message: "The Resource 'Microsoft.Storage/storageAccounts/store1' under resource group 'rg1' was not found.",
      },
    }),
    expected: {
      envelope: 'azure',
      class: NotFoundError,
      code: 'ResourceNotFound',
      message: "The Resource 'Microsoft.Storage/storageAccounts/store1' under resource group 'rg1' was not found.",
      requestId: '5c2ba7c4-3f5e-4f7a-9d2a-0e4b1b2c3d4e',
    },
  },
  {
    title: 'Microsoft REST API Guidelines error with details[].target and innererror',
    documentedAt: 'https://github.com/microsoft/api-guidelines/blob/vNext/azure/Guidelines.md#handling-errors',
    status: 400,
    headers: { 'x-ms-request-id': 'ms-1' },
    body: json({
      error: {
        code: 'BadArgument',
        message: 'Multiple errors in ContactInfo data',
        target: 'ContactInfo',
        details: [
          { code: 'NullValue', target: 'PhoneNumber', message: 'Phone number must not be null' },
          { code: 'MalformedValue', target: 'Address.City', message: 'City is not valid' },
        ],
        innererror: { code: 'PhoneNumberMissing' },
      },
    }),
    expected: {
      envelope: 'azure',
      class: ValidationError,
      code: 'BadArgument',
      message: 'Multiple errors in ContactInfo data',
      fieldErrors: [
        field('/PhoneNumber', 'Phone number must not be null', 'NullValue'),
        field('/Address/City', 'City is not valid', 'MalformedValue'),
      ],
      requestId: 'ms-1',
      extensions: { innererror: { code: 'PhoneNumberMissing' } },
    },
  },
  {
    title: 'Azure throttling with retry-after-ms',
    documentedAt: 'https://learn.microsoft.com/en-us/azure/azure-resource-manager/management/request-limits-and-throttling',
    status: 429,
    headers: { 'retry-after-ms': '1500', 'x-ms-request-id': 'ms-2' },
    body: json({ error: { code: 'TooManyRequests', message: 'The request is being throttled.' } }),
    expected: {
      envelope: 'azure',
      class: RateLimitedError,
      code: 'TooManyRequests',
      message: 'The request is being throttled.',
      requestId: 'ms-2',
      retryInSeconds: 1.5,
    },
  },

  // ── Twilio ───────────────────────────────────────────────────────────────
  {
    title: 'Twilio 20404, the numeric code kept',
    documentedAt: 'https://www.twilio.com/docs/usage/twilios-response#response-formats-exceptions',
    status: 404,
    headers: { 'twilio-request-id': 'RQ0123456789abcdef0123456789abcdef' },
    body: json({
      code: 20404,
      message: 'The requested resource /2010-04-01/Accounts/AC123/Messages/SM123.json was not found',
      more_info: 'https://www.twilio.com/docs/errors/20404',
      status: 404,
    }),
    expected: {
      envelope: 'twilio',
      class: NotFoundError,
      code: '20404',
      message: 'The requested resource /2010-04-01/Accounts/AC123/Messages/SM123.json was not found',
      docsUrl: 'https://www.twilio.com/docs/errors/20404',
      requestId: 'RQ0123456789abcdef0123456789abcdef',
    },
  },

  // ── JSON:API ─────────────────────────────────────────────────────────────
  {
    title: 'JSON:API invalid attribute, source.pointer',
    documentedAt: 'https://jsonapi.org/examples/#error-objects-basics',
    status: 422,
    headers: { 'content-type': 'application/vnd.api+json' },
    body: json({
      errors: [
        {
          status: '422',
          source: { pointer: '/data/attributes/firstName' },
          title: 'Invalid Attribute',
          detail: 'First name must contain at least two characters.',
        },
      ],
    }),
    expected: {
      envelope: 'json-api',
      class: ValidationError,
      code: 'invalid_request',
      message: 'First name must contain at least two characters.',
      fieldErrors: [field('/data/attributes/firstName', 'First name must contain at least two characters.')],
    },
  },
  {
    title: 'JSON:API query parameter error with code and links.about',
    documentedAt: 'https://jsonapi.org/format/#error-objects',
    status: 400,
    headers: { 'content-type': 'application/vnd.api+json' },
    body: json({
      errors: [
        {
          id: 'e-1',
          code: '123',
          status: '400',
          title: 'Invalid Query Parameter',
          detail: 'The resource does not have an `auther` relationship path.',
          source: { parameter: 'include' },
          links: { about: 'https://api.example.test/docs/errors/123' },
        },
      ],
    }),
    expected: {
      envelope: 'json-api',
      class: ValidationError,
      code: '123',
      message: 'The resource does not have an `auther` relationship path.',
      fieldErrors: [field('/include', 'The resource does not have an `auther` relationship path.', '123', 'query')],
      docsUrl: 'https://api.example.test/docs/errors/123',
      extensions: { id: 'e-1' },
    },
  },

  // ── GraphQL over HTTP ────────────────────────────────────────────────────
  {
    title: 'GraphQL validation error (Apollo Server extensions.code)',
    documentedAt: 'https://www.apollographql.com/docs/apollo-server/data/errors',
    status: 400,
    headers: { 'content-type': 'application/graphql-response+json' },
    body: json({
      errors: [
        {
          message: 'Cannot query field "titel" on type "Book".',
          locations: [{ line: 1, column: 9 }],
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        },
      ],
    }),
    expected: {
      envelope: 'graphql',
      class: ValidationError,
      code: 'GRAPHQL_VALIDATION_FAILED',
      message: 'Cannot query field "titel" on type "Book".',
      extensions: { locations: [{ line: 1, column: 9 }] },
    },
  },
  {
    title: 'GitHub GraphQL rate limit: type RATE_LIMITED with a 403',
    documentedAt: 'https://docs.github.com/en/graphql/overview/rate-limits-and-node-limits-for-the-graphql-api',
    status: 403,
    headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': epochSeconds(600) },
    body: json({ errors: [{ type: 'RATE_LIMITED', message: 'API rate limit exceeded for user ID 1.' }] }),
    expected: {
      envelope: 'graphql',
      class: RateLimitedError,
      code: 'RATE_LIMITED',
      message: 'API rate limit exceeded for user ID 1.',
      retryInSeconds: 600,
    },
  },

  // ── Framework defaults ───────────────────────────────────────────────────
  {
    title: 'Fastify validation error: the message kept, split into field errors',
    documentedAt: 'https://fastify.dev/docs/latest/Reference/Validation-and-Serialization/#error-handling',
    status: 400,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: json({
      statusCode: 400,
      code: 'FST_ERR_VALIDATION',
      error: 'Bad Request',
      message: "body must have required property 'name'",
    }),
    expected: {
      envelope: 'fastify',
      class: ValidationError,
      code: 'FST_ERR_VALIDATION',
      message: "body must have required property 'name'",
      fieldErrors: [field('/name', "must have required property 'name'", 'missing_parameter')],
    },
  },
  {
    title: 'Fastify default 404',
    documentedAt: 'https://fastify.dev/docs/latest/Reference/Server/#setnotfoundhandler',
    status: 404,
    headers: {},
    body: json({ message: 'Route GET:/nope not found', error: 'Not Found', statusCode: 404 }),
    expected: { envelope: 'fastify', class: NotFoundError, code: 'not_found', message: 'Route GET:/nope not found' },
  },
  {
    title: 'Express default 404 page',
    documentedAt: 'https://expressjs.com/en/guide/error-handling.html',
    status: 404,
    headers: { 'content-type': 'text/html; charset=utf-8', 'x-powered-by': 'Express' },
    body: '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot GET /nope</pre>\n</body>\n</html>\n',
    expected: { envelope: 'express', class: NotFoundError, code: 'not_found', message: 'Cannot GET /nope' },
  },
  {
    title: 'Express development error page: the message, not the stack',
    documentedAt: 'https://expressjs.com/en/guide/error-handling.html#the-default-error-handler',
    status: 500,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Error</title>\n</head>\n<body>\n<pre>Error: the &quot;ledger&quot; is locked<br> &nbsp; &nbsp;at /srv/app/index.js:12:9</pre>\n</body>\n</html>\n',
    expected: { envelope: 'express', class: ServerError, code: 'internal_error', message: 'Error: the "ledger" is locked' },
  },
  {
    title: 'Spring Boot default 404',
    documentedAt: 'https://docs.spring.io/spring-boot/reference/web/servlet.html#web.servlet.spring-mvc.error-handling',
    status: 404,
    headers: {},
    body: json({ timestamp: '2030-01-01T12:00:00.000+00:00', status: 404, error: 'Not Found', path: '/api/books/7' }),
    expected: {
      envelope: 'spring-boot',
      class: NotFoundError,
      code: 'not_found',
      message: 'Not Found',
      extensions: { path: '/api/books/7' },
    },
  },
  {
    title: 'Spring Boot binding errors',
    documentedAt:
      'https://docs.spring.io/spring-boot/appendix/application-properties/index.html#application-properties.server.server.error.include-binding-errors',
    status: 400,
    headers: {},
    body: json({
      timestamp: '2030-01-01T12:00:00.000+00:00',
      status: 400,
      error: 'Bad Request',
      message: "Validation failed for object='book'. Error count: 1",
      errors: [{ objectName: 'book', field: 'title', rejectedValue: '', defaultMessage: 'must not be blank', code: 'NotBlank' }],
      path: '/api/books',
    }),
    expected: {
      envelope: 'spring-boot',
      class: ValidationError,
      code: 'invalid_request',
      message: "Validation failed for object='book'. Error count: 1",
      fieldErrors: [field('/title', 'must not be blank', 'NotBlank')],
    },
  },
  {
    title: 'ASP.NET Core ValidationProblemDetails',
    documentedAt: 'https://learn.microsoft.com/en-us/aspnet/core/web-api/handle-errors#validation-failure-error-response',
    status: 400,
    headers: { 'content-type': 'application/problem+json; charset=utf-8' },
    body: json({
      type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1',
      title: 'One or more validation errors occurred.',
      status: 400,
      errors: { Name: ['The Name field is required.'], '$.age': ['The JSON value could not be converted to System.Int32.'] },
      traceId: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    }),
    expected: {
      envelope: 'aspnet-core',
      class: ValidationError,
      code: 'invalid_request',
      message: 'One or more validation errors occurred.',
      fieldErrors: [
        field('/Name', 'The Name field is required.'),
        field('/age', 'The JSON value could not be converted to System.Int32.'),
      ],
      docsUrl: 'https://tools.ietf.org/html/rfc9110#section-15.5.1',
      requestId: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    },
  },
  {
    title: 'Django REST framework not found',
    documentedAt: 'https://www.django-rest-framework.org/api-guide/exceptions/',
    status: 404,
    headers: { allow: 'GET, HEAD' },
    body: json({ detail: 'Not found.' }),
    expected: { envelope: 'django-rest-framework', class: NotFoundError, code: 'not_found', message: 'Not found.' },
  },
  {
    title: 'Django REST framework validation errors, nested and non-field',
    documentedAt: 'https://www.django-rest-framework.org/api-guide/serializers/#validation',
    status: 400,
    headers: {},
    body: json({
      email: ['Enter a valid email address.'],
      items: [{}, { qty: ['Ensure this value is greater than or equal to 1.'] }],
      non_field_errors: ['The fields start, end must make a unique set.'],
    }),
    expected: {
      envelope: 'django-rest-framework',
      class: ValidationError,
      code: 'invalid_request',
      message: 'email: Enter a valid email address. (and 2 more)',
      fieldErrors: [
        field('/email', 'Enter a valid email address.'),
        field('/items/1/qty', 'Ensure this value is greater than or equal to 1.'),
        field('', 'The fields start, end must make a unique set.'),
      ],
    },
  },
  {
    title: 'Django REST framework throttled: the wait named in the message',
    documentedAt: 'https://www.django-rest-framework.org/api-guide/throttling/',
    status: 429,
    headers: {},
    body: json({ detail: 'Request was throttled. Expected available in 56 seconds.' }),
    expected: {
      envelope: 'django-rest-framework',
      class: RateLimitedError,
      code: 'limit_reached',
      message: 'Request was throttled. Expected available in 56 seconds.',
      retryInSeconds: 56,
    },
  },
  {
    title: 'FastAPI request validation',
    documentedAt: 'https://fastapi.tiangolo.com/tutorial/handling-errors/#requestvalidationerror-vs-validationerror',
    status: 422,
    headers: {},
    body: json({ detail: [{ type: 'missing', loc: ['body', 'name'], msg: 'Field required', input: {} }] }),
    expected: {
      envelope: 'fastapi',
      class: ValidationError,
      code: 'invalid_request',
      message: 'Field required',
      fieldErrors: [field('/name', 'Field required', 'missing')],
    },
  },

  // ── Text, HTML, nothing ──────────────────────────────────────────────────
  {
    title: 'nginx 502 page: its title',
    documentedAt: 'https://nginx.org/en/docs/http/ngx_http_core_module.html#error_page',
    status: 502,
    headers: { 'content-type': 'text/html', server: 'nginx' },
    body: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
    expected: { envelope: 'html', class: ServerError, code: 'bad_gateway', message: '502 Bad Gateway' },
  },
  {
    title: 'A gateway’s plain text, the AWS request id header',
    documentedAt: 'https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html',
    status: 504,
    headers: { 'content-type': 'text/plain', 'x-amzn-requestid': '8d3f0c6e-1b2a-4c5d-9e8f-0a1b2c3d4e5f' },
    body: 'Endpoint request timed out\n',
    expected: {
      envelope: 'text',
      class: ServerError,
      code: 'gateway_timeout',
      message: 'Endpoint request timed out',
      requestId: '8d3f0c6e-1b2a-4c5d-9e8f-0a1b2c3d4e5f',
    },
  },
  {
    title: 'An empty 503 with Retry-After as an HTTP date',
    documentedAt: 'https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3',
    status: 503,
    headers: { 'retry-after': new Date(recordedAt + 90_000).toUTCString() },
    body: '',
    expected: {
      envelope: 'empty',
      class: ServerError,
      code: 'service_unavailable',
      message: 'Service Unavailable',
      retryInSeconds: 90,
    },
  },
  {
    title: 'A 429 whose only hint is the RateLimit field',
    documentedAt: 'https://datatracker.ietf.org/doc/draft-ietf-httpapi-ratelimit-headers/',
    status: 429,
    headers: { 'ratelimit-policy': '"burst";q=100;w=60', ratelimit: '"burst";r=0;t=12' },
    body: '',
    expected: {
      envelope: 'empty',
      class: RateLimitedError,
      code: 'limit_reached',
      message: 'Too Many Requests',
      retryInSeconds: 12,
    },
  },
];
