import type { CheckDefinition } from '../check-definition.js';
import { authChallenge } from './auth-challenge.js';
import { catalogCodes } from './catalog-codes.js';
import { conditionalRequests } from './conditional-requests.js';
import { documentedAnswers } from './documented-answers.js';
import { fieldErrors } from './field-errors.js';
import { methodNotAllowed } from './method-not-allowed.js';
import { noLeaks } from './no-leaks.js';
import { oauthTokenErrors } from './oauth-token-errors.js';
import { oneShape } from './one-shape.js';
import { oversizedRequest } from './oversized-request.js';
import { rateLimit } from './rate-limit.js';
import { requestId } from './request-id.js';
import { unknownPath } from './unknown-path.js';
import { unreadableBody } from './unreadable-body.js';

/** Every check, in the order of the report. */
export const checkDefinitions: readonly CheckDefinition[] = [
  unknownPath,
  methodNotAllowed,
  unreadableBody,
  oversizedRequest,
  authChallenge,
  fieldErrors,
  oneShape,
  noLeaks,
  requestId,
  catalogCodes,
  documentedAnswers,
  rateLimit,
  conditionalRequests,
  oauthTokenErrors,
];
