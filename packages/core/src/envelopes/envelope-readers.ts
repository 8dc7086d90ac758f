import type { EnvelopeReader } from './error-envelope.js';
import { aspnetCore } from './readers/aspnet-core.js';
import { azure } from './readers/azure.js';
import { djangoRestFramework } from './readers/django-rest-framework.js';
import { express } from './readers/express.js';
import { fastapi } from './readers/fastapi.js';
import { fastify } from './readers/fastify.js';
import { faultlineClassic } from './readers/faultline-classic.js';
import { faultlineMessage } from './readers/faultline-message.js';
import { faultlineProblem } from './readers/faultline-problem.js';
import { github } from './readers/github.js';
import { google } from './readers/google.js';
import { graphql } from './readers/graphql.js';
import { jsonApi } from './readers/json-api.js';
import { oauth2 } from './readers/oauth2.js';
import { rfc9457 } from './readers/rfc9457.js';
import { springBoot } from './readers/spring-boot.js';
import { stripe } from './readers/stripe.js';
import { twilio } from './readers/twilio.js';
import { unknownJson } from './readers/unknown-json.js';
import { empty, html, text } from './readers/text.js';

/**
 * Every error envelope the client reads, in the order they are tried: the
 * first whose `matches` holds reads the body. Order matters where shapes
 * overlap, and each row says what it yields.
 *
 * | envelope                  | recognised by                                    | code                              | field errors from                    | docs link                   | request id (body)       | retry time (body)               |
 * |---------------------------|--------------------------------------------------|-----------------------------------|--------------------------------------|-----------------------------|-------------------------|---------------------------------|
 * | faultline-problem         | `code` + `type`                                  | `code`                            | `errors[].pointer`                   | `type`                      | `request_id`            | `retry_after`                   |
 * | fastify (and Hapi's Boom) | `statusCode` + `error` + `message`               | `code` (`FST_ERR_…`)              | the validation `message`             | –                           | –                       | –                               |
 * | spring-boot               | `timestamp` + `status` + `error` + `path`        | –                                 | `errors[].field`                     | –                           | `requestId`             | –                               |
 * | faultline-classic         | `code` + `error` (a sentence)                    | `code`                            | `errors[].pointer`                   | –                           | –                       | the `error` sentence            |
 * | faultline-message         | `code` + `description`                           | `code`                            | `errors[].pointer`                   | –                           | `request_id`            | `retry_after`                   |
 * | oauth2 (ours, RFC 6749)   | `error` is a code                                | `error`                           | `errors[].pointer`                   | `error_uri`                 | `request_id`            | `retry_after`                   |
 * | google (AIP-193)          | numeric `error.code`, or typed `error.details[]` | ErrorInfo `reason`, else `status` | BadRequest `fieldViolations[].field` | Help `links[0].url`         | RequestInfo             | RetryInfo `retryDelay`          |
 * | stripe                    | `error.type`                                     | `error.code`, else `error.type`   | `error.param`                        | `error.doc_url`             | –                       | –                               |
 * | azure (and OData)         | `error.code` + `error.message`                   | `error.code`                      | `error.details[].target`             | –                           | –                       | –                               |
 * | twilio                    | numeric `code` + `more_info`                     | `code` (`'20404'`)                | –                                    | `more_info`                 | –                       | –                               |
 * | github                    | `message` + `documentation_url`                  | –                                 | `errors[].field`                     | `documentation_url`         | –                       | 60 s for a bare secondary limit |
 * | json-api                  | `errors[]` of JSON:API error objects             | `errors[0].code`                  | `errors[].source`                    | `links.about`, `links.type` | –                       | –                               |
 * | graphql                   | `errors[].message`                               | `extensions.code`, else `type`    | –                                    | –                           | –                       | –                               |
 * | aspnet-core               | `title` + `traceId`, or an `errors` map          | `type` unless an RFC link         | the `errors` map's keys              | `type`                      | `traceId`               | –                               |
 * | fastapi                   | `detail[]` of `{loc, msg}`                       | –                                 | `detail[].loc`                       | –                           | –                       | –                               |
 * | django-rest-framework     | `{detail}` alone, or a map of message lists      | `code` if any                     | the map's keys, nested               | –                           | –                       | –                               |
 * | rfc9457                   | problem+json, or `title` with `status`/`type`    | `code`, else `type`               | `errors[]`, `invalid-params[]`       | `type`                      | `request_id`, `traceId` | `retry_after`                   |
 * | json                      | any other JSON                                   | `code`, `error.code` …            | `errors[].pointer`                   | `error_uri`                 | `request_id`            | `retry_after`                   |
 * | express                   | finalhandler's `<title>Error</title>` page       | –                                 | –                                    | –                           | –                       | –                               |
 * | html, text, empty         | what is left                                     | –                                 | –                                    | –                           | –                       | –                               |
 *
 * Rate limits the body shows, whatever the status: Stripe's `rate_limit`,
 * Google's `RESOURCE_EXHAUSTED` or a rate or quota reason, Twilio's 20429,
 * GraphQL's `RATE_LIMITED`, GitHub's rate-limit messages.
 *
 * The status a body states (`statedStatus`) is read from problem details'
 * `status` (ours, RFC 9457, ASP.NET Core), Google's `error.code`, Fastify's
 * `statusCode`, and Spring Boot's and Twilio's `status`. A shape has a place
 * for the request id (`hasRequestIdPlace`) when its row names a body member
 * in the request id column, and for our classic profile's `request_id`.
 *
 * After the reader, for every envelope: the request id falls back to the
 * usual headers (`request-ids.ts`), the retry time to `Retry-After`,
 * `retry-after-ms`, the `RateLimit` fields, `x-ratelimit-reset` and a wait
 * named in the message (`retry-times.ts`), and a 403 is a rate limit on the
 * evidence of its headers (`read-error-envelope.ts`).
 */
export const envelopeReaders: readonly EnvelopeReader[] = [
  // Ours first: they are the common case, and must stay the cheapest.
  faultlineProblem,
  // Framework defaults whose `error` names the status ("Forbidden"): before classic, which would take
  // Fastify's `{code, error}` for its own, and oauth2, which would take "Forbidden" for a code.
  fastify,
  springBoot,
  faultlineClassic,
  faultlineMessage,
  oauth2,
  // `{error: {…}}` envelopes, the most specific first: Google's numeric code, Stripe's type, then OData's code + message.
  google,
  stripe,
  azure,
  twilio,
  github,
  // `errors[]` envelopes: JSON:API's error objects have no `message`, GraphQL's always do.
  jsonApi,
  graphql,
  aspnetCore,
  fastapi,
  djangoRestFramework,
  rfc9457,
  unknownJson,
  express,
  html,
  text,
  empty,
];
